package io.sluice.graph.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.packet.api.BufferPool;

import org.junit.jupiter.api.Test;

/** A frame bigger than the free ring: every packet is either taken or counted as refused, none vanishes. */
class ArmedCaptureTest {

    private static int[] frame(BufferPool pool, int n) {
        int[] buffers = new int[n];
        for (int i = 0; i < n; i++) {
            buffers[i] = pool.alloc();
            pool.write(buffers[i], new byte[60], 60);
            pool.setRxSwIfIndex(buffers[i], 1);
        }
        return buffers;
    }

    @Test
    void aDropFrameLargerThanTheRingCountsEveryPacketItCouldNotTake() {
        BufferPool pool = new BufferPool(64);
        try (CaptureRing ring = new CaptureRing(4, 64, 1_000)) {
            ArmedCapture capture = new ArmedCapture(ArmedCapture.DROP, ArmedCapture.ANY_INTERFACE,
                    new CaptureRing[] {ring});
            int[] buffers = frame(pool, 10);
            capture.takeDropped(0, pool, buffers, buffers.length);
            assertEquals(4, ring.taken());
            assertEquals(6, ring.ringFull());
        }
    }

    @Test
    void anRxFrameLargerThanTheRingCountsEveryPacketItCouldNotTake() {
        BufferPool pool = new BufferPool(64);
        try (CaptureRing ring = new CaptureRing(8, 64, 1_000)) {
            ArmedCapture capture = new ArmedCapture(ArmedCapture.RX, ArmedCapture.ANY_INTERFACE,
                    new CaptureRing[] {ring});
            int[] buffers = frame(pool, 20);
            capture.take(0, pool, buffers, 0, buffers.length, 1, ArmedCapture.RX);
            assertEquals(8, ring.taken());
            assertEquals(12, ring.ringFull());
        }
    }

    @Test
    void theLimitStopsTakingWithoutCountingTheRestAsRefused() {
        BufferPool pool = new BufferPool(64);
        try (CaptureRing ring = new CaptureRing(16, 64, 3)) {
            ArmedCapture capture = new ArmedCapture(ArmedCapture.DROP, ArmedCapture.ANY_INTERFACE,
                    new CaptureRing[] {ring});
            int[] buffers = frame(pool, 10);
            capture.takeDropped(0, pool, buffers, buffers.length);
            assertEquals(3, ring.taken());
            assertEquals(0, ring.ringFull());
        }
    }
}
