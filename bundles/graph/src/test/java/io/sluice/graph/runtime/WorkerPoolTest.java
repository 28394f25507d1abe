package io.sluice.graph.runtime;

import io.sluice.graph.api.GraphRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two ways the control plane reaches running workers, on a live worker forwarding a steady stream: the
 * barrier (every worker held at a frame boundary) and publishing a graph (each worker swaps a pointer at its
 * next pass). These tests check what each does and print the pauses they saw; how long a pause lasts is
 * measured by bench's BarrierBenchmark (the hot-swap issue's goal: under 1 ms), not asserted here, where a
 * loaded machine would make it a coin toss.
 */
class WorkerPoolTest {
    private GraphEngine engine;
    private TestNodes.Source source;
    private TestNodes.Sink sink;

    @BeforeEach
    void startAStream() throws InterruptedException {
        engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(1).withIdle("yield"));
        source = new TestNodes.Source("pg-input", "sink", 32);
        sink = new TestNodes.Sink("sink");
        engine.addNode(source);
        engine.addNode(sink);
        source.remaining.set(Long.MAX_VALUE);
        engine.start();
        while (sink.received.get() < 10_000) {
            Thread.sleep(1);
        }
    }

    @AfterEach
    void stop() {
        engine.stop();
    }

    private static String figures(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%s over %d: median %.1f us, p99 %.1f us, max %.1f us", what, sorted.length,
                sorted[sorted.length / 2] / 1e3, sorted[sorted.length * 99 / 100] / 1e3, sorted[sorted.length - 1] / 1e3);
    }

    @Test
    void anEmptyBarrierPausesARunningWorkerForMicroseconds() {
        int rounds = 2000;
        long[] pauses = new long[rounds];
        long countBefore = engine.barrierStats().count();
        for (int i = 0; i < rounds; i++) {
            long before = sink.received.get();
            engine.withBarrier(() -> null);
            pauses[i] = engine.barrierStats().lastPauseNanos();
            while (sink.received.get() == before) {
                Thread.onSpinWait();
            }
        }
        System.out.println("[barrier] " + figures("empty barrier with a forwarding worker", pauses));
        assertEquals(countBefore + rounds, engine.barrierStats().count());
        assertTrue(Arrays.stream(pauses).allMatch(p -> p > 0), "every barrier recorded the worker's pause");
    }

    /** A node swap pauses nobody: removeNode waits for the worker to take the graph without it, no barrier. */
    @Test
    void aNodeSwapTakesNoBarrierAndTheStreamGoesOn() {
        int rounds = 500;
        long[] waits = new long[rounds];
        long barriersBefore = engine.barrierStats().count();
        TestNodes.Pass spare = new TestNodes.Pass("spare", "sink");
        for (int i = 0; i < rounds; i++) {
            engine.addNode(spare);
            long start = System.nanoTime();
            engine.removeNode(spare);
            waits[i] = System.nanoTime() - start;
            spare = new TestNodes.Pass("spare", "sink");
        }
        System.out.println("[barrier] " + figures("removeNode (publish, then wait for the worker to adopt)", waits));
        assertEquals(barriersBefore, engine.barrierStats().count(), "no barrier was taken");
        long received = sink.received.get();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sink.received.get() == received && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(sink.received.get() > received, "the stream still flows");
    }

    /** Reading counters or the trace copies under the barrier and does the rest after: the pause stays short. */
    @Test
    void readingCountersAndTheTraceHoldsTheWorkerOnlyToCopy() {
        engine.traceAdd("pg-input", 200);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!engine.traceShow(1).contains("Packet 1") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        int rounds = 200;
        long[] stats = new long[rounds];
        long[] errors = new long[rounds];
        long[] trace = new long[rounds];
        long[] traceCall = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            engine.runtimeStats();
            stats[i] = engine.barrierStats().lastPauseNanos();
            engine.errors();
            errors[i] = engine.barrierStats().lastPauseNanos();
            long start = System.nanoTime();
            String shown = engine.traceShow(50);
            traceCall[i] = System.nanoTime() - start;
            trace[i] = engine.barrierStats().lastPauseNanos();
            assertTrue(shown.contains("Packet 1"), shown);
        }
        System.out.println("[barrier] " + figures("runtimeStats", stats));
        System.out.println("[barrier] " + figures("errors", errors));
        System.out.println("[barrier] " + figures("traceShow of 200 packets, pause", trace));
        // Before the split the whole call ran under the barrier: this was its pause.
        System.out.println("[barrier] " + figures("traceShow of 200 packets, whole call", traceCall));
        assertTrue(Arrays.stream(trace).allMatch(p -> p > 0), "every read took the barrier to copy");
    }

    @Test
    void aNestedBarrierKeepsTheWorkersHeldUntilTheOuterOneEnds() {
        engine.withBarrier(() -> {
            long seen = sink.received.get();
            engine.withBarrier(() -> null);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertEquals(seen, sink.received.get(), "nothing ran after the inner barrier ended");
            // A node removed under the barrier: the held worker is bound to the new graph by the caller.
            engine.removeNode(sink);
            return null;
        });
        GraphRuntime.NodeInfo info = engine.nodes().stream().filter(n -> n.name().equals("sink")).findFirst()
                .orElseThrow();
        assertEquals(NodeRegistry.ABSENT, info.state());
    }
}
