package io.sluice.graph.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node is replaced again and again while a steady stream runs through it on a live worker: every buffer
 * generated arrives, none is dropped, none leaks. The parking bound is larger than the pool, so while the node
 * is away the source runs out of buffers (back-pressure) before parking could overflow.
 */
class HotSwapTest {

    @Test
    void repeatedSwapsUnderASteadyStreamLoseAndLeakNothing() throws Exception {
        GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(1).withIdle("yield")
                .withBuffersPerWorker(16384).withParkCapacity(32768));
        try {
            TestNodes.Source source = new TestNodes.Source("pg-input", "middle", 16);
            TestNodes.Sink sink = new TestNodes.Sink("sink");
            engine.addNode(source);
            engine.addNode(sink);
            TestNodes.Pass middle = new TestNodes.Pass("middle", "sink");
            engine.addNode(middle);
            engine.start();

            long total = 200_000;
            source.remaining.set(total);
            int swaps = 0;
            while (source.remaining.get() > 0) {
                // The bundle update: the old service goes away, then the new one registers a moment later.
                engine.removeNode(middle);
                Thread.sleep(1);
                middle = new TestNodes.Pass("middle", "sink");
                engine.addNode(middle);
                swaps++;
                Thread.sleep(2);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (sink.received.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }

            assertTrue(swaps >= 5, "swapped " + swaps + " times");
            assertEquals(0, engine.errors().stream().filter(e -> e.error().equals("parked-overflow"))
                    .mapToLong(e -> e.count()).sum());
            assertEquals(total, source.made.get());
            assertEquals(total, sink.received.get(), "every generated buffer arrived");
            assertEquals(0, engine.pool(0).outstanding(), "no buffer leaked");
        } finally {
            engine.stop();
        }
    }
}
