package io.sluice.vnet.testkit;

import io.sluice.packet.api.BufferPool;

import java.util.ArrayList;
import java.util.List;

/**
 * A port that keeps a copy of every frame it is asked to send: the stand-in for a driver in node tests of other
 * bundles (this test-jar, {@code <type>test-jar</type>}, is how they get it).
 */
public final class CapturingDevice extends MemoryDevice {
    /** Every frame sent, in order. */
    public final List<byte[]> sent = new ArrayList<>();

    public CapturingDevice(String name, long mac) {
        super(name, mac);
    }

    @Override
    public int transmit(BufferPool pool, int[] buffers, int count) {
        for (int i = 0; i < count; i++) {
            sent.add(pool.toBytes(buffers[i]));
        }
        pool.free(buffers, 0, count);
        return count;
    }
}
