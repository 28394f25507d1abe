package io.sluice.graph.runtime;

import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.api.GraphRuntime.NodeStats;
import io.sluice.graph.api.GraphRuntime.ThreadRuntime;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeKind;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.WorkerHandoff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code runtime:show} and {@code errors}: the per-worker counters summed. Workers count in their own arrays
 * (node calls, vectors, clocks; each node's error counters in its context) and nobody else writes them; the
 * barrier is held only while those arrays are copied (or zeroed), the sums and the records are made after.
 */
final class Statistics {

    private final NodeRegistry registry;
    private final WorkerPool workers;

    Statistics(NodeRegistry registry, WorkerPool workers) {
        this.registry = registry;
        this.workers = workers;
    }

    /** One worker's counters by slot, copied under the barrier. */
    private record Copied(long[] calls, long[] vectors, long[] clockNanos, long[][] errorCounts,
                          long[] parkedOverflow, long[] badNextArc, long[] nodeExceptions, long[] nodeFailed,
                          long[] handoffNoBuffer,
                          long handoffSent, long handoffRefused, long handoffReceived, int handoffInFlight) {
    }

    /** The graph of the moment and every worker's counters for it, copied with the workers held. */
    private record Reading(GraphSnapshot graph, List<Copied> byWorker) {
    }

    private Reading read(boolean withErrors) {
        return workers.withBarrier(() -> {
            GraphSnapshot graph = workers.snapshot();
            List<Copied> byWorker = new ArrayList<>(workers.count());
            for (int w = 0; w < workers.count(); w++) {
                Worker worker = workers.worker(w);
                long[][] errorCounts = null;
                if (withErrors) {
                    errorCounts = new long[graph.plans.length][];
                    for (SlotPlan plan : graph.plans) {
                        NodeContext context = worker.context(plan.slot);
                        errorCounts[plan.slot] = context == null ? new long[0] : context.errorCounts().clone();
                    }
                }
                WorkerHandoff handoff = worker.handoff;
                byWorker.add(new Copied(worker.calls.clone(), worker.vectors.clone(), worker.clockNanos.clone(),
                        errorCounts, worker.parkedOverflow.clone(), worker.badNextArc.clone(),
                        worker.nodeExceptions.clone(), worker.nodeFailed.clone(), worker.handoffNoBuffer.clone(),
                        handoff == null ? 0 : handoff.sent(), handoff == null ? 0 : handoff.refused(),
                        worker.handoffReceived, handoff == null ? 0 : handoff.inFlight()));
            }
            return new Reading(graph, byWorker);
        });
    }

    List<NodeStats> runtimeStats() {
        Reading reading = read(false);
        return nodeStats(reading, reading.byWorker());
    }

    /** {@code show runtime} per thread: each worker's own counters, and the handoffs it made and took. */
    List<ThreadRuntime> runtimeByThread() {
        Reading reading = read(false);
        Map<String, Integer> placement = workers.inputPlacement();
        List<ThreadRuntime> result = new ArrayList<>();
        for (int w = 0; w < reading.byWorker().size(); w++) {
            Copied worker = reading.byWorker().get(w);
            List<String> inputs = new ArrayList<>();
            for (Map.Entry<String, Integer> input : placement.entrySet()) {
                if (input.getValue() == w || input.getValue() == WorkerPool.EVERY_WORKER) {
                    inputs.add(input.getKey());
                }
            }
            result.add(new ThreadRuntime(w, WorkerPool.threadName(w), workers.worker(w).cpu, inputs,
                    worker.handoffSent(), worker.handoffRefused(), worker.handoffReceived(), worker.handoffInFlight(),
                    nodeStats(reading, List.of(worker))));
        }
        return result;
    }

    private List<NodeStats> nodeStats(Reading reading, List<Copied> summed) {
        List<NodeStats> result = new ArrayList<>();
        for (SlotPlan plan : reading.graph().plans) {
            int slot = plan.slot;
            long calls = 0;
            long vectors = 0;
            long clocks = 0;
            for (Copied worker : summed) {
                if (slot < worker.calls().length) {
                    calls += worker.calls()[slot];
                    vectors += worker.vectors()[slot];
                    clocks += worker.clockNanos()[slot];
                }
            }
            NodeRegistration registration = registrationOf(plan);
            NodeKind kind = registration == null ? NodeKind.INTERNAL : registration.kind();
            result.add(new NodeStats(plan.name, kind, registry.state(plan.name, plan.node), calls, vectors, 0,
                    clocks));
        }
        return result;
    }

    void clearRuntimeStats() {
        workers.withBarrier(() -> {
            for (int w = 0; w < workers.count(); w++) {
                Worker worker = workers.worker(w);
                Arrays.fill(worker.calls, 0);
                Arrays.fill(worker.vectors, 0);
                Arrays.fill(worker.clockNanos, 0);
            }
            return null;
        });
    }

    List<ErrorCount> errors() {
        Reading reading = read(true);
        List<ErrorCount> result = new ArrayList<>();
        for (SlotPlan plan : reading.graph().plans) {
            int slot = plan.slot;
            NodeRegistration registration = registrationOf(plan);
            if (registration != null) {
                List<? extends NodeError> errors = registration.errors();
                for (int e = 0; e < errors.size(); e++) {
                    long count = 0;
                    for (Copied worker : reading.byWorker()) {
                        long[] counts = worker.errorCounts()[slot];
                        if (e < counts.length) {
                            count += counts[e];
                        }
                    }
                    NodeError error = errors.get(e);
                    result.add(new ErrorCount(plan.name, error.counterName(), error.description(), count));
                }
            }
            long overflow = 0;
            long badArc = 0;
            long exceptions = 0;
            long nodeFailed = 0;
            long noBuffer = 0;
            for (Copied worker : reading.byWorker()) {
                if (slot < worker.parkedOverflow().length) {
                    overflow += worker.parkedOverflow()[slot];
                    badArc += worker.badNextArc()[slot];
                    exceptions += worker.nodeExceptions()[slot];
                }
                if (slot < worker.nodeFailed().length) {
                    nodeFailed += worker.nodeFailed()[slot];
                }
                if (slot < worker.handoffNoBuffer().length) {
                    noBuffer += worker.handoffNoBuffer()[slot];
                }
            }
            if (noBuffer > 0) {
                result.add(new ErrorCount(plan.name, "handoff-no-buffer",
                        "buffers handed to this node by another worker dropped: the node is not in a graph this worker can take", noBuffer));
            }
            if (exceptions > 0) {
                result.add(new ErrorCount(plan.name, "exception",
                        "frames dropped: the node threw while processing them (see the log)", exceptions));
            }
            if (nodeFailed > 0) {
                result.add(new ErrorCount(plan.name, "node-failed", "buffers dropped: this node hung on a worker, "
                        + "which the watchdog restarted without it (runtime:show; a new instance of the node runs "
                        + "again)", nodeFailed));
            }
            if (overflow > 0) {
                result.add(new ErrorCount(plan.name, "parked-overflow",
                        "buffers dropped: too many waiting for this node", overflow));
            }
            if (badArc > 0) {
                result.add(new ErrorCount(plan.name, "bad-next-arc",
                        "buffers dropped: the node chose a next arc it does not have", badArc));
            }
        }
        return result;
    }

    void clearErrors() {
        workers.withBarrier(() -> {
            GraphSnapshot graph = workers.snapshot();
            for (int w = 0; w < workers.count(); w++) {
                Worker worker = workers.worker(w);
                for (SlotPlan plan : graph.plans) {
                    NodeContext context = worker.context(plan.slot);
                    if (context != null) {
                        Arrays.fill(context.errorCounts(), 0);
                    }
                }
                Arrays.fill(worker.parkedOverflow, 0);
                Arrays.fill(worker.badNextArc, 0);
                Arrays.fill(worker.nodeExceptions, 0);
                Arrays.fill(worker.nodeFailed, 0);
                Arrays.fill(worker.handoffNoBuffer, 0);
            }
            return null;
        });
    }

    /** The plan's registration, or the one its name had last while its node is away. */
    private NodeRegistration registrationOf(SlotPlan plan) {
        return plan.registration != null ? plan.registration : registry.registration(plan.name);
    }
}
