package io.sluice.graph.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime.WorkerHealth;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker stuck inside a node (here: an input node that spins until released, as a device call that blocks
 * would): the watchdog reports it, barriers and graph changes give up with an error naming the worker and the
 * node instead of hanging the control plane, and once the node returns everything works again.
 */
class WatchdogTest {
    private final GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(1).withIdle("yield"));
    private final AtomicBoolean hang = new AtomicBoolean();
    private final AtomicBoolean inside = new AtomicBoolean();

    /** An input that, while {@link #hang} is set, does not return. */
    private final class Spinner implements Node {
        private final NodeRegistration registration = NodeRegistration.input("spinner-input", List.of(), List.of(),
                null);

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            while (hang.get()) {
                inside.set(true);
                Thread.onSpinWait();
            }
            return 0;
        }
    }

    @AfterEach
    void stop() {
        hang.set(false);
        engine.stop();
    }

    private WorkerHealth awaitHealth(Predicate<WorkerHealth> condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            WorkerHealth health = engine.workerHealth().get(0);
            if (condition.test(health)) {
                return health;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("worker health never matched: " + engine.workerHealth());
    }

    @Test
    void aStuckWorkerIsReportedAndTheBarrierGivesUpInsteadOfHanging() throws InterruptedException {
        engine.setStallLimits(200_000_000L, 1_000_000_000L, Long.MAX_VALUE); // no restart here: WorkerRestartTest
        engine.addNode(new Spinner());
        engine.start();
        engine.withBarrier(() -> null);
        assertNull(engine.workerHealth().get(0).stuckInNode(), "a healthy worker");

        hang.set(true);
        WorkerHealth stuck = awaitHealth(h -> h.stuckInNode() != null);
        assertEquals("spinner-input", stuck.stuckInNode());
        assertTrue(stuck.running());
        assertTrue(stuck.stuckForNanos() > 200_000_000L, stuck.toString());

        IllegalStateException barrier = assertThrows(IllegalStateException.class, () -> engine.withBarrier(() -> {
            throw new AssertionError("the action ran while a worker was not held");
        }));
        assertTrue(barrier.getMessage().contains("worker 0 (sluice_main) did not answer in 1000 ms, it is inside node "
                + "'spinner-input'"), barrier.getMessage());
        awaitHealth(h -> h.stalls() == 1);

        hang.set(false);
        awaitHealth(h -> h.stuckInNode() == null);
        assertEquals("done", engine.withBarrier(() -> "done"), "the barrier works again once the node returned");
        assertFalse(engine.workerHealth().isEmpty());
        assertEquals(1, engine.workerHealth().get(0).stalls(), "one stall seen");
    }
}
