package io.sluice.packet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

/**
 * One buffer memory, a view per worker (decisions/0002): an index names the same buffer on every view, a buffer
 * allocated on one and freed on the other is back, the caches even out through the depot, and the counts are the
 * memory's (free = caches + depot). Single-threaded: the views are driven one after the other.
 */
class SharedBufferPoolTest {

    @Test
    void aBufferWrittenOnOneViewIsReadAndFreedOnTheOther() {
        BufferPool[] views = BufferPool.shared(1024, 2);
        try {
            assertSame(views[0].segment(), views[1].segment(), "one memory");
            int bi = views[0].alloc();
            views[0].write(bi, new byte[] {1, 2, 3}, 3);
            views[0].setOpaque(bi, 5, 0x1234);
            assertEquals(3, views[1].length(bi));
            assertEquals(0x1234, views[1].opaque(bi, 5));
            assertEquals(1, views[0].outstanding());
            assertEquals(1, views[1].outstanding(), "both views count the one memory");
            views[1].free(bi);
            assertEquals(0, views[0].outstanding());
            assertEquals(0, views[1].outstanding());
            assertEquals(1024, views[0].freeCount());
            assertEquals(1, views[1].cached(), "the freed buffer is in worker 1's cache now");
        } finally {
            views[0].close();
            views[1].close();
        }
    }

    /** Buffers made on view 0 and freed on view 1, many times the memory over: they come back through the depot. */
    @Test
    void buffersThatMigrateOneWayComeBackThroughTheDepot() {
        int capacity = 4 * BufferPool.CACHE_SIZE;
        BufferPool[] views = BufferPool.shared(capacity, 2);
        int[] frame = new int[256];
        try {
            for (int round = 0; round < 200; round++) {
                assertEquals(256, views[0].alloc(frame, 0, 256), "round " + round);
                views[1].free(frame, 0, 256);
                assertTrue(views[1].cached() <= BufferPool.CACHE_SIZE);
            }
            assertEquals(0, views[0].allocFailures());
            assertEquals(0, views[0].outstanding());
            assertEquals(capacity, views[1].freeCount());
        } finally {
            views[0].close();
            views[1].close();
        }
    }

    /** Every buffer can be allocated by one view, each once; then the next alloc is a counted failure. */
    @Test
    void oneViewCanTakeTheWholeMemoryEachBufferOnce() {
        int capacity = 3 * BufferPool.CACHE_SIZE + 17;
        BufferPool[] views = BufferPool.shared(capacity, 2);
        try {
            views[1].free(views[1].alloc()); // some indices sit in view 1's cache
            BitSet seen = new BitSet(capacity);
            int[] batch = new int[700];
            int total = 0;
            int got;
            while ((got = views[0].alloc(batch, 0, batch.length)) > 0) {
                for (int i = 0; i < got; i++) {
                    assertTrue(!seen.get(batch[i]) && batch[i] >= 0 && batch[i] < capacity, "index " + batch[i]);
                    seen.set(batch[i]);
                }
                total += got;
            }
            assertEquals(capacity - views[1].cached(), total, "all but what view 1 holds in its cache");
            assertEquals(-1, views[0].alloc());
            assertTrue(views[0].allocFailures() >= 2);
            assertEquals(total, views[1].outstanding());
            int[] all = seen.stream().toArray();
            views[1].free(all, 0, all.length);
            assertEquals(0, views[0].outstanding());
            assertEquals(capacity, views[0].freeCount());
        } finally {
            views[0].close();
            views[1].close();
        }
    }
}
