package io.sluice.graph.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.api.GraphRuntime.WorkerHealth;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watchdog restarts a worker (docs/decisions/0003-worker-restart.md): a worker whose thread ended gets a new
 * thread that forwards the next frames; a worker hung inside a node is handed to a new thread that forwards the
 * other nodes' traffic while the hung node's buffers are dropped and counted {@code node-failed}, and barriers and
 * the control plane answer. Nothing here is timed: each step waits, with a deadline of tens of seconds, for a
 * counter.
 */
class WorkerRestartTest {
    private static final long DEADLINE_NANOS = 60_000_000_000L;

    private final GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(1).withIdle("yield"));
    private final CountDownLatch release = new CountDownLatch(1);

    /**
     * An Error nothing can log: its message is itself an Error of the same kind. The per-node catch drops the frame
     * and logs, the log throws again, the loop's catch logs that, and the thread ends.
     */
    private static final class Unprintable extends Error {
        Unprintable() {
            super(null, null, false, false);
        }

        @Override
        public String getMessage() {
            throw new Unprintable();
        }
    }

    /** Passes buffers to its next node, or throws {@link Unprintable} once when told. */
    private static final class Poisoned implements Node {
        private final NodeRegistration registration = NodeRegistration.internal("poisoned", List.of("sink"),
                List.of(), null);
        final AtomicBoolean throwOnce = new AtomicBoolean();

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            if (throwOnce.getAndSet(false)) {
                throw new Unprintable();
            }
            java.util.Arrays.fill(frame.nexts(), 0, frame.count(), 0);
            return frame.count();
        }
    }

    /** Passes buffers on until told to hang: then it does not return, whatever interrupts it, until released. */
    private final class Hanging implements Node {
        private final NodeRegistration registration = NodeRegistration.internal("hanging", List.of("hung-sink"),
                List.of(), null);
        final AtomicBoolean hang = new AtomicBoolean();
        final AtomicBoolean inside = new AtomicBoolean();
        final AtomicLong interrupts = new AtomicLong();
        final AtomicBoolean returnedAfterRelease = new AtomicBoolean();

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            if (hang.get()) {
                inside.set(true);
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupts.incrementAndGet();
                    }
                }
                returnedAfterRelease.set(true);
            }
            java.util.Arrays.fill(frame.nexts(), 0, frame.count(), 0);
            return frame.count();
        }
    }

    @AfterEach
    void stop() {
        release.countDown();
        engine.stop();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    private WorkerHealth health() {
        return engine.workerHealth().get(0);
    }

    private long error(String node, String error) {
        return engine.errors().stream().filter(e -> e.node().equals(node) && e.error().equals(error))
                .mapToLong(ErrorCount::count).sum();
    }

    @Test
    void aWorkerWhoseThreadEndedGetsANewThreadThatForwardsTheNextFrames() throws InterruptedException {
        TestNodes.Source source = new TestNodes.Source("pg-input", "poisoned", 8);
        Poisoned poisoned = new Poisoned();
        TestNodes.Sink sink = new TestNodes.Sink("sink");
        engine.addNode(source);
        engine.addNode(poisoned);
        engine.addNode(sink);
        source.remaining.set(Long.MAX_VALUE);
        engine.start();
        await(() -> sink.received.get() > 1_000, "the stream flows");

        poisoned.throwOnce.set(true);
        await(() -> health().restarts() == 1, "the worker restarted once: " + engine.workerHealth());
        long after = sink.received.get();
        await(() -> sink.received.get() > after + 1_000, "the new thread forwards");
        WorkerHealth health = health();
        assertTrue(health.running(), health.toString());
        assertEquals(List.of(), health.failedNodes(), "no node is left behind: the old thread ended");
        assertEquals("done", engine.withBarrier(() -> "done"), "the barrier holds the new thread");
        assertEquals(1, error("poisoned", "exception"), "the poisoned frame was dropped and counted");
    }

    @Test
    void aWorkerHungInANodeIsReplacedAndTheOtherNodesTrafficFlowsWhileTheHungNodesIsDroppedAndCounted()
            throws InterruptedException {
        engine.setStallLimits(100_000_000L, 2_000_000_000L, 500_000_000L);
        TestNodes.Source source = new TestNodes.Source("pg-input", "sink", 8);
        TestNodes.Sink sink = new TestNodes.Sink("sink");
        TestNodes.Source toHang = new TestNodes.Source("pg-hung-input", "hanging", 8);
        Hanging hanging = new Hanging();
        TestNodes.Sink hungSink = new TestNodes.Sink("hung-sink");
        for (Node node : List.of(source, sink, toHang, hanging, hungSink)) {
            engine.addNode(node);
        }
        source.remaining.set(Long.MAX_VALUE);
        toHang.remaining.set(Long.MAX_VALUE);
        engine.start();
        await(() -> sink.received.get() > 1_000 && hungSink.received.get() > 1_000, "both streams flow");

        hanging.hang.set(true);
        await(() -> health().restarts() == 1, "the hung worker handed to a new thread: " + engine.workerHealth());
        assertTrue(hanging.inside.get());
        await(() -> hanging.interrupts.get() >= 1, "the watchdog interrupted the hung thread first");
        WorkerHealth health = health();
        assertEquals(List.of("hanging"), health.failedNodes(), health.toString());
        assertTrue(health.lostBuffers() > 0, "the hung frame's buffers are counted lost: " + health);

        long forwarded = sink.received.get();
        await(() -> sink.received.get() > forwarded + 1_000, "the other node's traffic flows on the new thread");
        assertEquals("done", engine.withBarrier(() -> "done"), "a barrier completes");
        await(() -> error("hanging", "node-failed") > 1_000, "the hung node's buffers dropped and counted");
        long hungReceived = hungSink.received.get();
        assertTrue(engine.nodes().stream().anyMatch(n -> n.name().equals("hanging")), "the control plane answers");

        release.countDown();
        await(hanging.returnedAfterRelease::get, "the old thread came out of the node");
        long moreForwarded = sink.received.get();
        await(() -> sink.received.get() > moreForwarded + 1_000, "still forwarding after the old thread returned");
        assertEquals(hungReceived, hungSink.received.get(), "the old thread, back, passed nothing on");
        assertEquals(1, health().restarts(), "the old thread coming back is not a restart");
    }
}
