package io.sluice.graph.runtime;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.ThreadRuntime;
import io.sluice.graph.testkit.HandoffNodes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frame queues between workers (VPP's worker handoff): buffers handed to the node on another worker arrive
 * there once, are processed by it only, and every buffer goes back to the pool it came from; a full queue is a
 * counted congestion-drop at the handing node. The stress test runs two live worker threads; the others drive the
 * workers one pass at a time on the test's thread, so that they are exact.
 */
class WorkerHandoffTest {

    private static long errorCount(GraphEngine engine, String node, String error) {
        return engine.errors().stream().filter(e -> e.node().equals(node) && e.error().equals(error))
                .mapToLong(GraphRuntime.ErrorCount::count).sum();
    }

    private static GraphEngine twoWorkers(int handoffQueue) {
        return new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(8192).withWorkers(2).withIdle("yield")
                .withRxMode("polling").withHandoffQueue(handoffQueue)
                .withPlacement(Map.of(HandoffNodes.inputName(0), 0, HandoffNodes.inputName(1), 1)));
    }

    /**
     * Two workers, 1M flows (500k made on each) whose owners interleave at random, so about half of each worker's
     * buffers cross to the other, both ways at once: none lost, none duplicated, none processed by a worker that
     * does not own it, no congestion (each source keeps fewer buffers out than a queue holds), and both pools back
     * to their baseline. It waits on counters with a generous deadline; nothing is timed.
     */
    @Test
    void aMillionBuffersHandedBothWaysArriveOnceAtTheirOwnerAndEveryBufferGoesHome() throws InterruptedException {
        int flows = 1_000_000;
        int half = flows / 2;
        int queue = 1024;
        GraphEngine engine = twoWorkers(queue);
        HandoffNodes.FlowOwner owner = new HandoffNodes.FlowOwner(2, flows);
        engine.addNode(new HandoffNodes.FlowSource(HandoffNodes.inputName(0), 0, half, 64, queue / 2, 64));
        engine.addNode(new HandoffNodes.FlowSource(HandoffNodes.inputName(1), half, half, 64, queue / 2, 64));
        engine.addNode(new HandoffNodes.WorkerHandoffNode());
        engine.addNode(owner);
        int baseline0 = engine.pool(0).outstanding();
        int baseline1 = engine.pool(1).outstanding();
        engine.start();
        try {
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (owner.processed() < flows && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(flows, owner.processed(), "every flow reached flow-owner (deadline 300 s)");
            while ((engine.pool(0).outstanding() != baseline0 || engine.pool(1).outstanding() != baseline1)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(baseline0, engine.pool(0).outstanding(), "worker 0's pool back to its baseline");
            assertEquals(baseline1, engine.pool(1).outstanding(), "worker 1's pool back to its baseline");
            assertEquals(0, owner.wrongOwner(), "no buffer processed by a worker that does not own its flow");
            assertEquals(0, owner.duplicates(), "no flow seen twice");
            assertEquals(0, owner.missingOrMisplaced(flows), "each flow seen once, on its owner");
            assertEquals(0, errorCount(engine, "worker-handoff", "congestion-drop"));
            List<ThreadRuntime> threads = engine.runtimeByThread();
            long sent = threads.get(0).handoffSent() + threads.get(1).handoffSent();
            long received = threads.get(0).handoffReceived() + threads.get(1).handoffReceived();
            long local = errorCount(engine, "worker-handoff", "same-worker");
            assertEquals(flows, sent + local, "each flow either stayed on its worker or was handed off");
            assertEquals(sent, received);
            assertTrue(threads.get(0).handoffSent() > flows / 8 && threads.get(1).handoffSent() > flows / 8,
                    "both workers handed off: " + threads.get(0).handoffSent() + ", " + threads.get(1).handoffSent());
            assertEquals(0, threads.get(0).handoffInFlight() + threads.get(1).handoffInFlight());
            System.out.println("[handoff] 1M flows on 2 workers: handed off 0->1 " + threads.get(0).handoffSent()
                    + ", 1->0 " + threads.get(1).handoffSent() + ", kept " + local);
        } finally {
            engine.stop();
        }
    }

    /** A queue of 64: the 65th buffer in flight to one worker is refused and counted where it was handed off. */
    @Test
    void aFullQueueIsACountedCongestionDropAndTheOwnerGetsWhatFitted() {
        GraphEngine engine = twoWorkers(64);
        // flows owned by worker 1 only, made on worker 0
        long[] ownedBy1 = new long[100];
        int found = 0;
        for (long id = 0; found < ownedBy1.length; id++) {
            if (HandoffNodes.ownerOf(id, 2) == 1) {
                ownedBy1[found++] = id;
            }
        }
        HandoffNodes.FlowOwner owner = new HandoffNodes.FlowOwner(2, 0);
        engine.addNode(new OneWaySource(HandoffNodes.inputName(0), ownedBy1));
        engine.addNode(new HandoffNodes.WorkerHandoffNode());
        engine.addNode(owner);
        try {
            engine.runOnce(0);
            assertEquals(36, errorCount(engine, "worker-handoff", "congestion-drop"));
            assertEquals(64, engine.pool(0).outstanding(), "the 64 in flight are still worker 0's");
            assertEquals(0, owner.processed());
            engine.runOnce(1);
            assertEquals(64, owner.processed(1), "worker 1 processed what fitted");
            assertEquals(0, engine.pool(1).outstanding());
            engine.runOnce(0);
            assertEquals(0, engine.pool(0).outstanding(), "worker 0 freed what came back");
        } finally {
            engine.stop();
        }
    }

    /** The trace shows the handoff as VPP does: "next-worker 1 trace index 0" here, "HANDED-OFF" there. */
    @Test
    void aTracedBufferShowsTheHandoffOnBothThreads() {
        GraphEngine engine = twoWorkers(64);
        long id = 0;
        while (HandoffNodes.ownerOf(id, 2) != 1) {
            id++;
        }
        engine.addNode(new OneWaySource(HandoffNodes.inputName(0), new long[] {id}));
        engine.addNode(new HandoffNodes.WorkerHandoffNode());
        engine.addNode(new HandoffNodes.FlowOwner(2, 0));
        try {
            engine.traceAdd(HandoffNodes.inputName(0), 1);
            engine.runOnce(0);
            engine.runOnce(1);
            engine.runOnce(0);
            String trace = engine.traceShow(10);
            int thread1 = trace.indexOf("Start of thread 1 sluice_wk_0");
            assertTrue(thread1 > 0, trace);
            String first = trace.substring(0, thread1);
            String second = trace.substring(thread1);
            assertTrue(first.contains(": worker-handoff\n  worker-handoff: next-worker 1 trace index 0\n"), trace);
            assertTrue(second.contains(": handoff_trace\n  HANDED-OFF: from thread 0 trace index 0\n"), trace);
            assertTrue(second.indexOf(": flow-owner") > second.indexOf(": handoff_trace"), trace);
            assertEquals(0, engine.pool(0).outstanding());
            assertEquals(0, engine.pool(1).outstanding());
        } finally {
            engine.stop();
        }
    }

    /**
     * The workers' pools are one memory, so a handed-off buffer is processed where it lies and goes home when it is
     * freed. One that the receiving worker hands on again (here straight back) travels as a copy in that worker's
     * pool, the original going home at once: every buffer ends in the pool it came from and nothing stays in flight.
     */
    @Test
    void aBufferHandedOnAgainTravelsAsACopyAndBothGoHome() {
        GraphEngine engine = twoWorkers(64);
        long[] ownedBy1 = new long[10];
        int found = 0;
        for (long id = 0; found < ownedBy1.length; id++) {
            if (HandoffNodes.ownerOf(id, 2) == 1) {
                ownedBy1[found++] = id;
            }
        }
        HandoffNodes.FlowOwner owner = new HandoffNodes.FlowOwner(2, 0);
        engine.addNode(new OneWaySource(HandoffNodes.inputName(0), ownedBy1));
        engine.addNode(new HandoffNodes.WorkerHandoffNode("worker-handoff", "re-own"));
        engine.addNode(new ReOwn(0, "bounce"));
        engine.addNode(new HandoffNodes.WorkerHandoffNode("bounce", "flow-owner"));
        engine.addNode(owner);
        try {
            engine.runOnce(0);
            assertEquals(10, engine.pool(0).outstanding(), "handed to worker 1 as they are");
            assertEquals(0, engine.pool(1).outstanding());
            engine.runOnce(1);
            assertEquals(10, engine.pool(1).outstanding(), "handed back as copies of worker 1's");
            assertEquals(0, engine.pool(1).foreignCount(), "the originals were sent home at the end of the pass");
            engine.runOnce(0);
            assertEquals(10, owner.processed(0), "worker 0 got every packet back");
            assertEquals(0, owner.wrongOwner());
            assertEquals(0, engine.pool(0).outstanding(), "worker 0 freed its originals when they came home");
            engine.runOnce(1);
            assertEquals(0, engine.pool(1).outstanding(), "worker 1 freed its copies when they came home");
            List<ThreadRuntime> threads = engine.runtimeByThread();
            assertEquals(0, threads.get(0).handoffInFlight() + threads.get(1).handoffInFlight());
            assertEquals(0, errorCount(engine, "worker-handoff", "congestion-drop")
                    + errorCount(engine, "bounce", "congestion-drop"));
        } finally {
            engine.stop();
        }
    }

    /** With one worker there is no queue: a handoff is refused and the node drops and counts it. */
    @Test
    void oneWorkerHasNoHandoffAndNoHandoffTraceNode() {
        GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(1024).withWorkers(1));
        try {
            assertTrue(engine.nodes().stream().noneMatch(n -> n.name().equals("handoff_trace")));
            assertEquals(1, engine.runtimeByThread().size());
            assertEquals("sluice_main", engine.runtimeByThread().get(0).thread());
        } finally {
            engine.stop();
        }
    }

    /** Gives every buffer a new owner and sends it on: the buffers of one flow now belong to another worker. */
    private static final class ReOwn implements io.sluice.graph.api.Node {
        private final io.sluice.graph.api.NodeRegistration registration;
        private final int newOwner;

        ReOwn(int newOwner, String next) {
            this.registration = io.sluice.graph.api.NodeRegistration.internal("re-own", List.of(next), List.of(),
                    (record, offset, context, out) -> out.append("re-own"));
            this.newOwner = newOwner;
        }

        @Override
        public io.sluice.graph.api.NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(io.sluice.graph.api.NodeContext context, io.sluice.graph.api.Frame frame) {
            io.sluice.packet.api.BufferPool pool = context.pool();
            int n = frame.count();
            for (int i = 0; i < n; i++) {
                pool.setOpaque(frame.buffers()[i], HandoffNodes.OPAQUE_OWNER, newOwner);
                frame.nexts()[i] = 0;
            }
            return n;
        }
    }

    /** Makes the given flows once, all at one poll. */
    private static final class OneWaySource implements io.sluice.graph.api.Node {
        private final io.sluice.graph.api.NodeRegistration registration;
        private final long[] ids;
        private boolean done;

        OneWaySource(String name, long[] ids) {
            this.registration = io.sluice.graph.api.NodeRegistration.input(name, List.of("worker-handoff"),
                    List.of(), (record, offset, context, out) -> out.append("one-way source"));
            this.ids = ids;
        }

        @Override
        public io.sluice.graph.api.NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(io.sluice.graph.api.NodeContext context, io.sluice.graph.api.Frame frame) {
            if (done) {
                return 0;
            }
            done = true;
            io.sluice.packet.api.BufferPool pool = context.pool();
            boolean tracing = context.traceArmed() > 0;
            for (long id : ids) {
                int bi = pool.alloc();
                pool.setLength(bi, 60);
                pool.setOpaque(bi, HandoffNodes.OPAQUE_FLOW, (int) id);
                pool.setOpaque(bi, HandoffNodes.OPAQUE_OWNER, HandoffNodes.ownerOf(id, context.workerCount()));
                if (tracing && context.traceInput(bi) >= 0) {
                    frame.setTraced(true);
                }
                frame.add(bi, 0);
            }
            return ids.length;
        }
    }
}
