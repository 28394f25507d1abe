package io.sluice.packet.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

class BufferPoolTest {

    @Test
    void allocAndFreeTrackOutstanding() {
        try (BufferPool pool = new BufferPool(3)) {
            int a = pool.alloc();
            int b = pool.alloc();
            assertNotEquals(a, b);
            assertEquals(2, pool.outstanding());
            assertEquals(1, pool.freeCount());
            pool.free(a);
            assertEquals(1, pool.outstanding());
            pool.free(b);
            assertEquals(0, pool.outstanding());
            assertEquals(3, pool.freeCount());
        }
    }

    @Test
    void exhaustionIsCountedNotThrown() {
        try (BufferPool pool = new BufferPool(2)) {
            pool.alloc();
            pool.alloc();
            assertEquals(-1, pool.alloc());
            assertEquals(1, pool.allocFailures());
            int[] out = new int[4];
            assertEquals(0, pool.alloc(out, 0, 4));
            assertEquals(2, pool.allocFailures());
            assertEquals(2, pool.outstanding());
        }
    }

    @Test
    void batchAllocReturnsWhatIsLeftAndBatchFreeGivesItBack() {
        try (BufferPool pool = new BufferPool(5)) {
            int[] out = new int[8];
            assertEquals(5, pool.alloc(out, 1, 7));
            assertEquals(1, pool.allocFailures());
            assertEquals(5, pool.outstanding());
            pool.free(out, 1, 5);
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void sharedPoolsAreRangesOfOneMemoryAndForeignFreesWaitToGoHome() {
        BufferPool[] pools = BufferPool.shared(2, 4, 8);
        BufferPool zero = pools[0];
        BufferPool one = pools[1];
        try {
            assertEquals(zero.segment(), one.segment(), "one memory");
            int mine = one.alloc();
            assertEquals(4, mine, "pool 1 hands out its range, lowest first");
            assertEquals(1, one.owner(mine));
            assertFalse(zero.owns(mine));
            zero.segment().set(ValueLayout.JAVA_BYTE, BufferPool.dataStart(mine), (byte) 7);
            assertEquals(7, one.segment().get(ValueLayout.JAVA_BYTE, BufferPool.dataStart(mine)),
                    "either pool reads any buffer of the memory");

            zero.free(mine);
            assertEquals(4, zero.freeCount(), "a foreign free never enters the free stack");
            assertEquals(1, zero.foreignCount());
            assertEquals(1, one.outstanding(), "still out of its own pool until it comes home");
            int[] home = new int[zero.foreignCapacity()];
            assertEquals(1, zero.drainForeign(home));
            assertEquals(mine, home[0]);
            assertEquals(0, zero.foreignCount());
            one.free(home[0]);
            assertEquals(0, one.outstanding());
        } finally {
            zero.close();
            one.close();
        }
    }

    @Test
    void batchFreeSortsMixedBuffersIntoTheStackAndTheForeignFrees() {
        BufferPool[] pools = BufferPool.shared(2, 4, 8);
        try {
            int[] own = new int[3];
            int[] theirs = new int[2];
            assertEquals(3, pools[0].alloc(own, 0, 3));
            assertEquals(2, pools[1].alloc(theirs, 0, 2));
            int[] mixed = {own[0], theirs[0], own[1], theirs[1], own[2]};
            pools[0].free(mixed, 0, mixed.length);
            assertEquals(0, pools[0].outstanding());
            assertEquals(2, pools[0].foreignCount());
            int[] home = new int[8];
            assertEquals(2, pools[0].drainForeign(home));
            assertArrayEquals(theirs, Arrays.copyOf(home, 2));
            pools[1].free(home, 0, 2);
            assertEquals(0, pools[1].outstanding());
            int[] again = new int[4];
            assertEquals(4, pools[0].alloc(again, 0, 4));
            for (int bi : again) {
                assertTrue(pools[0].owns(bi), "pool 0 hands out only its own range, got " + bi);
            }
        } finally {
            pools[0].close();
            pools[1].close();
        }
    }

    @Test
    void aBufferOfNoPoolOrTooManyForeignFreesAreRefusedByName() {
        BufferPool[] pools = BufferPool.shared(2, 2, 1);
        try {
            IllegalArgumentException none = assertThrows(
                    IllegalArgumentException.class, () -> pools[0].free(9));
            assertEquals("buffer 9 is in no pool of this buffer memory", none.getMessage());
            pools[0].free(pools[1].alloc());
            int second = pools[1].alloc();
            IllegalStateException full = assertThrows(
                    IllegalStateException.class, () -> pools[0].free(second));
            assertEquals("buffer 3 of another pool freed here, but 1 foreign frees are already waiting to go home",
                    full.getMessage());
        } finally {
            pools[0].close();
            pools[1].close();
        }
        try (BufferPool alone = new BufferPool(2)) {
            assertThrows(IllegalArgumentException.class, () -> alone.free(2));
        }
    }

    @Test
    void theSharedMemoryStaysMappedUntilItsLastPoolCloses() {
        BufferPool[] pools = BufferPool.shared(2, 2, 0);
        int bi = pools[1].alloc();
        pools[0].close();
        pools[1].segment().set(ValueLayout.JAVA_BYTE, BufferPool.dataStart(bi), (byte) 1);
        pools[1].close();
        assertThrows(IllegalStateException.class,
                () -> pools[1].segment().get(ValueLayout.JAVA_BYTE, BufferPool.dataStart(bi)));
    }

    @Test
    void advanceMovesIntoTheHeadroomAndBack() {
        try (BufferPool pool = new BufferPool(1)) {
            int bi = pool.alloc();
            byte[] ip = SeedPackets.synFromPod();
            pool.write(bi, ip, ip.length);
            long start = pool.dataOffset(bi);
            assertEquals(BufferPool.dataStart(bi), start);

            pool.advance(bi, Ethernet.HEADER_LENGTH); // strip L2
            assertEquals(Ethernet.HEADER_LENGTH, pool.currentData(bi));
            assertEquals(ip.length - Ethernet.HEADER_LENGTH, pool.length(bi));
            assertEquals(SeedPackets.POD_IP, Ipv4.src(pool.segment(), pool.dataOffset(bi)));

            pool.advance(bi, -Ethernet.HEADER_LENGTH - 4); // prepend an L2 header with a VLAN tag
            assertEquals(-4, pool.currentData(bi));
            assertEquals(start - 4, pool.dataOffset(bi));
            assertEquals(ip.length + 4, pool.length(bi));
            pool.advance(bi, -(BufferPool.HEADROOM - 4));
            assertEquals(BufferPool.base(bi) + BufferPool.METADATA_SIZE, pool.dataOffset(bi),
                    "the whole headroom is usable and ends at the metadata line");
        }
    }

    @Test
    void allocResetsMetadataLeftByThePreviousUser() {
        try (BufferPool pool = new BufferPool(1)) {
            int bi = pool.alloc();
            pool.setTxSwIfIndex(bi, 7);
            pool.setTraceHandle(bi, 3);
            pool.setFlags(bi, BufferPool.FIRST_VNET_FLAG);
            pool.setData(bi, 10, 100);
            pool.setIp4Header(bi, 14, 34, Ipv4.PROTOCOL_UDP, BufferPool.L4_VALID);
            pool.free(bi);
            int again = pool.alloc();
            assertEquals(bi, again);
            assertEquals(-1, pool.txSwIfIndex(again));
            assertEquals(-1, pool.rxSwIfIndex(again));
            assertEquals(-1, pool.traceHandle(again));
            assertEquals(0, pool.flags(again));
            assertEquals(0, pool.currentData(again));
            assertEquals(0, pool.length(again));
            assertEquals(0, pool.ipProtocol(again));
            assertEquals(0, pool.l4Info(again));
            assertEquals(BufferPool.dataStart(again), pool.l3Header(again));
        }
    }

    @Test
    void theRecordedParseSharesTheFlagsWordWithoutDisturbingIt() {
        try (BufferPool pool = new BufferPool(1)) {
            int bi = pool.alloc();
            pool.setFlags(bi, BufferPool.FLAG_TRACED | BufferPool.FLAG_LOCALLY_ORIGINATED);
            pool.setIp4Header(bi, 14, 34, Ipv4.PROTOCOL_TCP, BufferPool.L4_VALID);
            pool.orFlags(bi, BufferPool.FIRST_VNET_FLAG);
            assertEquals(BufferPool.FLAG_TRACED | BufferPool.FLAG_LOCALLY_ORIGINATED | BufferPool.FIRST_VNET_FLAG,
                    pool.flags(bi));
            pool.setFlags(bi, BufferPool.FLAG_LOCALLY_ORIGINATED);
            assertEquals(Ipv4.PROTOCOL_TCP, pool.ipProtocol(bi));
            assertEquals(BufferPool.L4_VALID, pool.l4Info(bi));
            assertEquals(BufferPool.dataStart(bi) + 14, pool.l3Header(bi));
            assertEquals(BufferPool.dataStart(bi) + 34, pool.l4Header(bi));
            assertEquals(14, pool.l3Offset(bi));
            assertEquals(34, pool.l4Offset(bi));
        }
    }

    @Test
    void recordHeaderKnowsWhenPortsMayBeRead() {
        try (BufferPool pool = new BufferPool(1)) {
            int bi = pool.alloc();
            MemorySegment seg = pool.segment();
            long ip = BufferPool.dataStart(bi) + 14;
            Ipv4.setVersionAndIhl(seg, ip, 0x46); // one option word: the L4 header starts at 24
            Ipv4.setProtocol(seg, ip, Ipv4.PROTOCOL_TCP);
            Ipv4.setTotalLength(seg, ip, 24 + 20);
            Ipv4.recordHeader(pool, bi, 14);
            assertEquals(14 + 24, pool.l4Offset(bi));
            assertEquals(Ipv4.PROTOCOL_TCP, pool.ipProtocol(bi));
            assertEquals(BufferPool.L4_VALID, pool.l4Info(bi));

            Ipv4.setTotalLength(seg, ip, 24 + 13); // TCP cut before its flags
            Ipv4.recordHeader(pool, bi, 14);
            assertEquals(0, pool.l4Info(bi));

            Ipv4.setTotalLength(seg, ip, 24 + 20);
            Ipv4.setFlagsAndFragmentOffset(seg, ip, Ipv4.FLAG_MORE_FRAGMENTS); // first fragment: ports there
            Ipv4.recordHeader(pool, bi, 14);
            assertEquals(BufferPool.L4_VALID, pool.l4Info(bi));

            Ipv4.setFlagsAndFragmentOffset(seg, ip, 185); // a later fragment: payload, no ports
            Ipv4.recordHeader(pool, bi, 14);
            assertEquals(BufferPool.L4_NON_FIRST_FRAGMENT, pool.l4Info(bi));

            assertEquals(BufferPool.L4_VALID, Ipv4.l4Info(Ipv4.PROTOCOL_UDP, 0, 4));
            assertEquals(BufferPool.L4_VALID, Ipv4.l4Info(Ipv4.PROTOCOL_ICMP, 0, 8));
            assertEquals(0, Ipv4.l4Info(Ipv4.PROTOCOL_UDP, 0, 3));
            assertEquals(0, Ipv4.l4Info(47, 0, 100)); // GRE: no ports the 5-tuple uses
        }
    }

    @Test
    void buffersDoNotOverlap() {
        try (BufferPool pool = new BufferPool(2)) {
            int a = pool.alloc();
            int b = pool.alloc();
            byte[] full = new byte[BufferPool.DATA_SIZE];
            java.util.Arrays.fill(full, (byte) 0x5a);
            pool.write(a, full, full.length);
            pool.write(b, new byte[] {1, 2, 3}, 3);
            assertArrayEquals(full, pool.toBytes(a));
            assertArrayEquals(new byte[] {1, 2, 3}, pool.toBytes(b));
            pool.setOpaque(b, Opaque.NAT_SESSION, 42);
            assertEquals(42, pool.opaque(b, Opaque.NAT_SESSION));
            assertArrayEquals(full, pool.toBytes(a));
        }
    }

    @Test
    void anErrorStampAndTheDroppingSlotShareTheFieldAndTheLastOneWritten() {
        try (BufferPool pool = new BufferPool(2)) {
            int bi = pool.alloc();
            assertEquals(-1, pool.error(bi), "a fresh buffer carries no error");
            assertEquals(-1, pool.droppedBy(bi));
            pool.setFlags(bi, BufferPool.FLAG_TRACED);
            pool.setError(bi, 40_000);
            assertEquals(40_000, pool.error(bi), "the index is unsigned 16 bits");
            assertEquals(-1, pool.droppedBy(bi));
            pool.setDroppedBy(bi, 7);
            assertEquals(7, pool.droppedBy(bi));
            assertEquals(-1, pool.error(bi), "the slot replaced the stamp");
            pool.setError(bi, 3);
            assertEquals(3, pool.error(bi));
            assertEquals(-1, pool.droppedBy(bi), "the stamp replaced the slot");
            assertEquals(BufferPool.FLAG_TRACED, pool.flags(bi) & BufferPool.FLAG_TRACED, "other flags are kept");
            pool.free(bi);
            assertEquals(-1, pool.error(pool.alloc()), "a buffer handed out again is clean");
        }
    }
}
