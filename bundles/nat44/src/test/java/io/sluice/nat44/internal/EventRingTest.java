package io.sluice.nat44.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.nat44.api.Nat44Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The NAT event ring: bounded, overflow counted and never blocking, nothing lost or repeated under capacity. */
class EventRingTest {

    private static boolean offer(EventRing ring, int n) {
        return ring.offer(1_700_000_000_000L + n, Nat44Event.SESSION_CREATE, 0, 17, 0x0a010103, n & 0xffff,
                0xc0a81001, 1024 + (n & 0x7fff), 0xcb007133, 53, n);
    }

    @Test
    void everyFieldComesBackAsWritten() {
        EventRing ring = new EventRing(1024);
        assertTrue(ring.offer(1_700_000_000_123L, Nat44Event.QUOTA_EXCEEDED, Nat44Event.QUOTA_MAX_ENTRIES_PER_USER, 6,
                0x0a010103, 65535, 0xc0a81001, 25801, 0xcb007133, 80, 10_000));
        long[] out = new long[Nat44Event.LONGS * 4];
        assertEquals(1, ring.drain(out, 4));
        assertEquals(1_700_000_000_123L, Nat44Event.time(out, 0));
        assertEquals(Nat44Event.QUOTA_EXCEEDED, Nat44Event.natEvent(out, 0));
        assertEquals(Nat44Event.QUOTA_MAX_ENTRIES_PER_USER, Nat44Event.quotaEvent(out, 0));
        assertEquals(6, Nat44Event.protocol(out, 0));
        assertEquals(0x0a010103, Nat44Event.insideAddress(out, 0));
        assertEquals(65535, Nat44Event.insidePort(out, 0));
        assertEquals(0xc0a81001, Nat44Event.outsideAddress(out, 0));
        assertEquals(25801, Nat44Event.outsidePort(out, 0));
        assertEquals(0xcb007133, Nat44Event.remoteAddress(out, 0));
        assertEquals(80, Nat44Event.remotePort(out, 0));
        assertEquals(10_000, Nat44Event.limit(out, 0));
        assertEquals(0, ring.drain(out, 4), "drained once");
    }

    @Test
    void aFullRingRefusesAndCountsAndRecoversWhenDrained() {
        EventRing ring = new EventRing(1024);
        for (int i = 0; i < 1024; i++) {
            assertTrue(offer(ring, i), "event " + i + " fits");
        }
        for (int i = 0; i < 10; i++) {
            assertFalse(offer(ring, 5000 + i), "the ring is full");
        }
        assertEquals(1024, ring.recorded());
        assertEquals(10, ring.lost());
        long[] out = new long[Nat44Event.LONGS * 2048];
        assertEquals(1024, ring.drain(out, 2048));
        for (int i = 0; i < 1024; i++) {
            assertEquals(i, Nat44Event.limit(out, i), "in order, the first 1024, none of the refused");
        }
        assertTrue(offer(ring, 7), "room again after the drain");
        assertEquals(1, ring.drain(out, 2048));
        assertEquals(7, Nat44Event.limit(out, 0));
    }

    @Test
    void drainTakesAtMostWhatIsAskedAndWhatFits() {
        EventRing ring = new EventRing(1024);
        for (int i = 0; i < 100; i++) {
            offer(ring, i);
        }
        long[] small = new long[Nat44Event.LONGS * 30];
        assertEquals(10, ring.drain(small, 10));
        assertEquals(30, ring.drain(small, 1000), "bounded by the array");
        assertEquals(10, Nat44Event.limit(small, 0), "the second drain starts where the first stopped");
        assertEquals(39, Nat44Event.limit(small, 29));
        assertEquals(60, ring.drain(new long[Nat44Event.LONGS * 100], 100));
    }

    @Test
    void capacityIsAPowerOfTwoInRange() {
        assertThrows(IllegalArgumentException.class, () -> new EventRing(1000));
        assertThrows(IllegalArgumentException.class, () -> new EventRing(512));
        assertThrows(IllegalArgumentException.class, () -> new EventRing(1 << 23));
        assertEquals(4096, new EventRing(4096).capacity());
    }

    /**
     * Four producers and one consumer at once, many laps of a small ring: every event offered is either drained
     * exactly once or counted as lost, and each producer's events come out in the order it offered them.
     */
    @Test
    void concurrentProducersLoseNothingTheyAreNotToldAbout() throws Exception {
        EventRing ring = new EventRing(1024);
        int producers = 4;
        int perProducer = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        long[] accepted = new long[producers];
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    // producer id in the protocol byte, sequence in limit
                    if (ring.offer(i, Nat44Event.SESSION_DELETE, 0, id, 0, 0, 0, 0, 0, 0, i)) {
                        accepted[id]++;
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        long[] buffer = new long[Nat44Event.LONGS * 256];
        int[] next = new int[producers];
        long[] drained = new long[producers];
        start.countDown();
        boolean running = true;
        while (running) {
            running = threads.stream().anyMatch(Thread::isAlive);
            int n;
            while ((n = ring.drain(buffer, 256)) > 0) {
                for (int i = 0; i < n; i++) {
                    int id = Nat44Event.protocol(buffer, i);
                    int sequence = Nat44Event.limit(buffer, i);
                    assertTrue(sequence >= next[id], "producer " + id + ": " + sequence + " after " + next[id]);
                    next[id] = sequence + 1;
                    drained[id]++;
                }
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        long total = 0;
        for (int p = 0; p < producers; p++) {
            assertEquals(accepted[p], drained[p], "producer " + p + ": every accepted event drained once");
            total += accepted[p];
        }
        assertEquals(total, ring.recorded());
        assertEquals((long) producers * perProducer, total + ring.lost(), "accepted + lost = offered");
    }
}
