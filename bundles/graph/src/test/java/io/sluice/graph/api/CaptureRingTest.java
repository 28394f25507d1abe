package io.sluice.graph.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The worker-to-drainer capture ring: records in order, truncation at the snaplen, full and limit behaviour. */
class CaptureRingTest {

    private static MemorySegment packet(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return MemorySegment.ofArray(bytes);
    }

    private static byte[] bytesOf(CaptureRing ring, long record) {
        return ring.segment().asSlice(CaptureRing.bytesOffset(record), CaptureRing.capturedLength(ring.segment(), record))
                .toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void recordsKeepTheirFieldsAndAreTruncatedAtTheSnaplen() {
        try (CaptureRing ring = new CaptureRing(4, 64, 100)) {
            assertTrue(ring.offer(packet(60, 1), 0, 60, 3, ArmedCapture.RX, -1));
            assertTrue(ring.offer(packet(100, 7), 0, 100, 5, ArmedCapture.TX, -1));
            assertEquals(2, ring.available());
            MemorySegment records = ring.segment();
            long first = ring.peek(0);
            assertEquals(60, CaptureRing.capturedLength(records, first));
            assertEquals(60, CaptureRing.originalLength(records, first));
            assertEquals(3, CaptureRing.swIfIndex(records, first));
            assertEquals(ArmedCapture.RX, CaptureRing.point(records, first));
            assertEquals(-1, CaptureRing.node(records, first), "not a drop: no node");
            assertArrayEquals(packet(60, 1).toArray(ValueLayout.JAVA_BYTE), bytesOf(ring, first));
            long second = ring.peek(1);
            assertEquals(64, CaptureRing.capturedLength(records, second));
            assertEquals(100, CaptureRing.originalLength(records, second));
            assertEquals(ArmedCapture.TX, CaptureRing.point(records, second));
            assertArrayEquals(packet(100, 7).asSlice(0, 64).toArray(ValueLayout.JAVA_BYTE), bytesOf(ring, second));
            assertTrue(CaptureRing.timeNanos(records, second) >= CaptureRing.timeNanos(records, first));
        }
    }

    @Test
    void aFullRingRefusesAndCountsUntilTheDrainerReleasesRecords() {
        try (CaptureRing ring = new CaptureRing(2, 64, 100)) {
            assertTrue(ring.offer(packet(60, 1), 0, 60, 1, ArmedCapture.RX, -1));
            assertTrue(ring.offer(packet(60, 2), 0, 60, 1, ArmedCapture.RX, -1));
            assertFalse(ring.offer(packet(60, 3), 0, 60, 1, ArmedCapture.RX, -1));
            assertEquals(1, ring.ringFull());
            ring.release(1);
            assertTrue(ring.offer(packet(60, 4), 0, 60, 1, ArmedCapture.RX, -1));
            // wrapped: the oldest record left is packet 2, then packet 4 in the slot packet 1 had
            assertEquals(2, ring.available());
            assertArrayEquals(packet(60, 2).toArray(ValueLayout.JAVA_BYTE), bytesOf(ring, ring.peek(0)));
            assertArrayEquals(packet(60, 4).toArray(ValueLayout.JAVA_BYTE), bytesOf(ring, ring.peek(1)));
            assertEquals(3, ring.taken());
        }
    }

    @Test
    void theLimitStopsTakingWithoutCountingARingFull() {
        try (CaptureRing ring = new CaptureRing(8, 64, 2)) {
            assertTrue(ring.offer(packet(60, 1), 0, 60, 1, ArmedCapture.DROP, 9));
            assertTrue(ring.offer(packet(60, 1), 0, 60, 1, ArmedCapture.DROP, 9));
            assertFalse(ring.offer(packet(60, 1), 0, 60, 1, ArmedCapture.DROP, 9));
            assertEquals(2, ring.available());
            assertEquals(0, ring.ringFull());
        }
    }

    @Test
    void aCapacityThatIsNoPowerOfTwoIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CaptureRing(3, 64, 1));
    }

    @Test
    void offIsNeverCapturing() {
        assertFalse(ArmedCapture.OFF.captures(ArmedCapture.RX));
        assertFalse(ArmedCapture.OFF.captures(ArmedCapture.TX, 1));
        assertFalse(ArmedCapture.OFF.captures(ArmedCapture.DROP));
    }
}
