package io.sluice.graph.api;

import io.sluice.packet.api.BufferPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link WorkerHandoff#copy}: the metadata and every byte the packet uses arrive; the unused headroom does not. */
class WorkerHandoffCopyTest {

    private final BufferPool from = new BufferPool(4);
    private final BufferPool to = new BufferPool(4);

    @AfterEach
    void close() {
        from.close();
        to.close();
    }

    @Test
    void copiesMetadataAndThePacketFromItsL2Header() {
        int source = from.alloc();
        int destination = to.alloc();
        fill(from, source, (byte) 0x5a);
        fill(to, destination, (byte) 0);
        // as the NAT's handoff sees a packet: current data past the 14-byte Ethernet header at data start
        from.setData(source, 14, 46);
        from.setRxSwIfIndex(source, 7);
        from.setOpaque(source, 3, 0x1234_5678);
        WorkerHandoff.copy(from.segment(), source, to.segment(), destination);
        assertEquals(14, to.currentData(destination));
        assertEquals(46, to.length(destination));
        assertEquals(7, to.rxSwIfIndex(destination));
        assertEquals(0x1234_5678, to.opaque(destination, 3));
        long data = BufferPool.dataStart(destination);
        MemorySegment copy = to.segment();
        for (int i = 0; i < 60; i++) {
            assertEquals((byte) 0x5a, copy.get(ValueLayout.JAVA_BYTE, data + i), "data byte " + i);
        }
        assertEquals((byte) 0, copy.get(ValueLayout.JAVA_BYTE, data + 60), "past the packet's end");
        assertEquals((byte) 0, copy.get(ValueLayout.JAVA_BYTE, data - 1), "the unused headroom");
    }

    @Test
    void copiesAHeaderPushedIntoTheHeadroom() {
        int source = from.alloc();
        int destination = to.alloc();
        fill(from, source, (byte) 0x33);
        fill(to, destination, (byte) 0);
        from.setData(source, -18, 78);
        WorkerHandoff.copy(from.segment(), source, to.segment(), destination);
        assertEquals(-18, to.currentData(destination));
        long data = BufferPool.dataStart(destination);
        MemorySegment copy = to.segment();
        for (int i = -18; i < 60; i++) {
            assertEquals((byte) 0x33, copy.get(ValueLayout.JAVA_BYTE, data + i), "byte " + i);
        }
        assertEquals((byte) 0, copy.get(ValueLayout.JAVA_BYTE, data - 19), "the headroom before the pushed header");
    }

    /** Headroom and data of {@code bi} set to {@code value}, its metadata left as the pool made it. */
    private static void fill(BufferPool pool, int bi, byte value) {
        long headroom = BufferPool.base(bi) + BufferPool.METADATA_SIZE;
        pool.segment().asSlice(headroom, BufferPool.HEADROOM + BufferPool.DATA_SIZE).fill(value);
    }
}
