package io.sluice.graph.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single-producer single-consumer ring's contract, on one thread: bounds, publication, wrap-around. */
class HandoffRingTest {

    @Test
    void entriesAreSeenOnlyOncePublishedAndARingHoldsItsCapacity() {
        try (HandoffRing ring = new HandoffRing(4)) {
            assertTrue(ring.offer(10));
            assertTrue(ring.offer(11));
            assertEquals(0, ring.available(), "offered, not yet published");
            assertTrue(ring.hasUnpublished());
            ring.publish();
            assertEquals(2, ring.available());
            assertTrue(ring.offer(12));
            assertTrue(ring.offer(13));
            assertFalse(ring.offer(14), "four in the ring: full, published or not");
            ring.publish();
            assertEquals(4, ring.depth());
            assertEquals(10, ring.entry(0));
            assertEquals(13, ring.entry(3));
            ring.take(3);
            assertTrue(ring.offer(14), "room again once the consumer took some");
            ring.publish();
            assertEquals(2, ring.available());
            assertEquals(13, ring.entry(0));
            assertEquals(14, ring.entry(1));
            ring.take(2);
            assertEquals(0, ring.availableVolatile());
        }
    }

    @Test
    void aMillionEntriesWrapAroundInOrder() {
        try (HandoffRing ring = new HandoffRing(64)) {
            long next = 0;
            long expected = 0;
            while (expected < 1_000_000) {
                while (ring.offer(next)) {
                    next++;
                }
                ring.publish();
                int n = ring.available();
                for (int i = 0; i < n; i++) {
                    assertEquals(expected++, ring.entry(i));
                }
                ring.take(n);
            }
        }
    }

    @Test
    void theCapacityIsAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new HandoffRing(100));
    }

    @Test
    void aHandoffEntryCarriesTheSlotAndTheBuffer() {
        long entry = ((long) 7 << 32) | (123_456 & 0xffff_ffffL);
        assertEquals(7, WorkerHandoff.entrySlot(entry));
        assertEquals(123_456, WorkerHandoff.entryBuffer(entry));
    }
}
