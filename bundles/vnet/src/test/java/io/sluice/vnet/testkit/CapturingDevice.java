package io.sluice.vnet.testkit;

import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.Device;

import java.util.ArrayList;
import java.util.List;

/** A port that keeps a copy of every frame it is asked to send (and frees the buffers): node tests look at {@link #sent}. */
public final class CapturingDevice implements Device {
    public final List<byte[]> sent = new ArrayList<>();
    private final String name;
    private final long mac;

    public CapturingDevice(String name, long mac) {
        this.name = name;
        this.mac = mac;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long macAddress() {
        return mac;
    }

    @Override
    public int mtu() {
        return 1500;
    }

    @Override
    public boolean linkUp() {
        return true;
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
