package io.sluice.acl.internal;

import io.sluice.acl.api.AclDenyEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deny log's ring on its own: fields round-trip, capacity is checked, concurrent workers lose nothing unseen. */
class DenyLogRingTest {

    @Test
    void everyFieldComesBackAsWritten() {
        DenyLogRing ring = new DenyLogRing(1024);
        assertTrue(ring.offer(1_717_236_000_123L, 0xc0a81064, 0x0a010103, 6, 65535, 80, 0x7fffffff,
                AclDenyEvent.DIRECTION_OUTPUT, AclDenyEvent.REASON_RULE, 3, 1));
        long[] r = new long[AclDenyEvent.LONGS];
        assertEquals(1, ring.drain(r, 1));
        assertEquals(1_717_236_000_123L, AclDenyEvent.time(r, 0));
        assertEquals(0xc0a81064, AclDenyEvent.sourceAddress(r, 0));
        assertEquals(0x0a010103, AclDenyEvent.destinationAddress(r, 0));
        assertEquals(6, AclDenyEvent.protocol(r, 0));
        assertEquals(65535, AclDenyEvent.sourcePort(r, 0));
        assertEquals(80, AclDenyEvent.destinationPort(r, 0));
        assertEquals(0x7fffffff, AclDenyEvent.swIfIndex(r, 0));
        assertEquals(AclDenyEvent.DIRECTION_OUTPUT, AclDenyEvent.direction(r, 0));
        assertEquals(AclDenyEvent.REASON_RULE, AclDenyEvent.reason(r, 0));
        assertEquals(3, AclDenyEvent.aclIndex(r, 0));
        assertEquals(1, AclDenyEvent.ruleIndex(r, 0));
        assertEquals(0, ring.drain(r, 1));
    }

    @Test
    void capacityIsAPowerOfTwoInRange() {
        assertThrows(IllegalArgumentException.class, () -> new DenyLogRing(1000));
        assertThrows(IllegalArgumentException.class, () -> new DenyLogRing(512));
        assertThrows(IllegalArgumentException.class, () -> new DenyLogRing(DenyLogRing.MAX_CAPACITY * 2));
        assertEquals(2048, new DenyLogRing(2048).capacity());
    }

    @Test
    void concurrentWorkersLoseNothingTheyAreNotToldAbout() throws Exception {
        DenyLogRing ring = new DenyLogRing(1024);
        int producers = 4;
        int perProducer = 200_000;
        AtomicLong refused = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread t = new Thread(() -> {
                for (int k = 0; k < perProducer; k++) {
                    if (!ring.offer(k, producer, k, 17, 0, 0, 1, AclDenyEvent.DIRECTION_INPUT,
                            AclDenyEvent.REASON_NO_MATCH, -1, -1)) {
                        refused.incrementAndGet();
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        long[] batch = new long[256 * AclDenyEvent.LONGS];
        Set<Long> seen = new HashSet<>();
        boolean running = true;
        while (running) {
            running = threads.stream().anyMatch(Thread::isAlive);
            int n;
            while ((n = ring.drain(batch, 256)) > 0) {
                for (int i = 0; i < n; i++) {
                    long key = (long) AclDenyEvent.sourceAddress(batch, i) << 32 | AclDenyEvent.destinationAddress(batch, i);
                    assertEquals(AclDenyEvent.time(batch, i), AclDenyEvent.destinationAddress(batch, i), "a torn event");
                    assertTrue(seen.add(key), "an event twice");
                }
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals((long) producers * perProducer, seen.size() + refused.get());
        assertEquals(refused.get(), ring.lost());
        assertEquals(seen.size(), ring.recorded());
        assertFalse(seen.isEmpty());
    }
}
