package io.sluice.graph.api;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;

/**
 * The control plane's view of the graph: nodes come and go (hot swap), feature arcs are configured, counters
 * and traces are read. Nothing here writes a worker's state directly: changes are published as a new
 * immutable graph snapshot that workers pick up at a frame boundary, or done under the barrier.
 */
public interface GraphRuntime {

    /** The built-in node that frees what it receives; every node may name it as a next arc. */
    String ERROR_DROP = "error-drop";

    /** Adds a node, or replaces the node of the same name (a hot swap: its parked frames go to the new one). */
    void addNode(Node node);

    /** Removes this instance; frames bound for its name are parked until a replacement registers. */
    void removeNode(Node node);

    /** Enables or disables feature {@code node} of arc {@code arc} on interface {@code swIfIndex}. */
    void enableFeature(String arc, String node, int swIfIndex, boolean enable);

    /** The node a buffer reaches at the end of arc {@code arc} on interface {@code swIfIndex}. */
    void setFeatureArcEnd(String arc, int swIfIndex, String endNode);

    /** Feature nodes enabled on an interface, in the order packets pass them. */
    List<String> enabledFeatures(String arc, int swIfIndex);

    /** Where trace formatting finds interface names (the interface table registers itself). */
    void setTraceContext(TraceContext context);

    TraceContext traceContext();

    List<NodeInfo> nodes();

    /** Problems of the current graph in words: next arcs that name no node, feature ordering cycles. */
    List<String> problems();

    List<NodeStats> runtimeStats();

    void clearRuntimeStats();

    /**
     * {@code runtime:show} per thread, as VPP's {@code show runtime} ("Thread 0 sluice_main (lcore 0)"): each
     * worker's own node counters, the input nodes it polls, its handoffs. {@link #runtimeStats} is their sum.
     */
    default List<ThreadRuntime> runtimeByThread() {
        return List.of(new ThreadRuntime(0, "sluice_main", -1, List.of(), 0, 0, 0, 0, runtimeStats()));
    }

    List<ErrorCount> errors();

    void clearErrors();

    /** Marks the next {@code count} packets entering input node {@code inputNode} for tracing. */
    default void traceAdd(String inputNode, int count) {
        traceAdd(inputNode, count, TraceFilter.ANY);
    }

    /**
     * Marks the next {@code count} packets entering {@code inputNode} that match {@code filter} for tracing; the
     * filter replaces the one an earlier add set there, the counts add up.
     */
    void traceAdd(String inputNode, int count, TraceFilter filter);

    /**
     * As {@link #traceAdd(String, int, TraceFilter)}; with {@code keepLast} the trace never stops: every matching
     * packet is traced, the trace buffer wraps, and {@link #traceShow} shows the last {@code count} of them.
     */
    void traceAdd(String inputNode, int count, TraceFilter filter, boolean keepLast);

    /** The captured trace in VPP's layout, at most {@code maxPackets} packets (per worker). */
    String traceShow(int maxPackets);

    /** Sets the node filter {@link #traceShow} applies (null: none), as VPP's {@code trace filter}. */
    void traceNodeFilter(TraceNodeFilter filter);

    /** The node filter in force, or null. */
    TraceNodeFilter traceNodeFilter();

    void traceClear();

    /** Runs {@code action} with every worker paused at a frame boundary. */
    <T> T withBarrier(Supplier<T> action);

    BarrierStats barrierStats();

    /**
     * Wakes every worker sleeping in rx-mode interrupt, so that it polls its inputs at once: for a change an
     * input node sees without a graph being published (a packet-generator stream enabled). Publishing a graph and
     * the barrier wake the workers themselves.
     */
    void wakeWorkers();

    /** Each worker's rx-mode: what is configured, what it does now, how often it slept. */
    List<WorkerRxMode> rxModes();

    /**
     * The worker that polls input node {@code node} (VPP's rx-placement), or -1 when no node has that name; for a
     * {@link QueuePlacedInput}, the worker its queues start from when their port's file places none.
     */
    int inputWorker(String node);

    /** The graph's configuration names the worker of input node {@code node} (its {@code placement} key). */
    default boolean inputPlacedByConfiguration(String node) {
        return false;
    }

    /**
     * Has input node {@code node}, when it is a {@link QueuePlacedInput}, place its queues again under the barrier, so
     * that no worker polls a queue while it moves (a queue moved by the operator; the node joining the graph). Nothing
     * for any other node, or a name with no node.
     */
    default void placeQueues(String node) {
    }

    /**
     * The worker that polls input node {@code node} now, or -1: the node has an instance in the published graph and
     * the worker it is placed on runs and has picked that graph up, so its next pass calls the node. Unlike
     * {@link #inputWorker} (where the node is placed), this says the node is being polled: what "forwarding" needs.
     * Read without the barrier.
     */
    default int pollingWorker(String node) {
        return -1;
    }

    /**
     * The worker that polls queue {@code queue} of interface {@code swIfIndex} on input node {@code node} now, or -1:
     * {@link #pollingWorker(String)}, where a {@link QueuePlacedInput} names the worker that queue is placed on.
     */
    default int pollingWorker(String node, int swIfIndex, int queue) {
        return pollingWorker(node);
    }

    /** Each worker's health (running, stuck in a node), read without the barrier: it answers when workers do not. */
    List<WorkerHealth> workerHealth();

    List<BufferStats> buffers();

    int workerCount();

    /**
     * Native memory that outlives the bundle that asked for it, so that state such as ACL sessions survives
     * a bundle update: the new instance asks by the same name and size and gets the same segment, contents
     * and all. Zeroed when first made. A different size under a known name is refused with a message naming
     * both. The memory lives until {@link #releaseRetainedSegment} or the graph stops.
     */
    MemorySegment retainedSegment(String name, long bytes);

    /** Frees a retained segment (its owner is being removed for good, not updated). */
    void releaseRetainedSegment(String name);

    record NodeInfo(String name, NodeKind kind, String state, List<String> nextNodes, String featureArc) {
    }

    record NodeStats(String name, NodeKind kind, String state, long calls, long vectors, long suspends,
                     long clockNanos) {
        public double vectorsPerCall() {
            return calls == 0 ? 0 : (double) vectors / calls;
        }

        public double nanosPerVector() {
            return vectors == 0 ? 0 : (double) clockNanos / vectors;
        }
    }

    record ErrorCount(String node, String error, String description, long count) {
    }

    /**
     * One worker's part of {@code show runtime}.
     *
     * @param cpu             the core its thread is pinned to, or -1 (placement left to the kernel)
     * @param inputs          the input nodes it polls (each input node, and so each of its queues, by one worker)
     * @param handoffSent     buffers its nodes handed to other workers
     * @param handoffRefused  handoffs refused (queue full: the handing node's congestion-drop)
     * @param handoffReceived buffers other workers handed to it
     * @param handoffInFlight buffers of its pool other workers hold now
     */
    record ThreadRuntime(int worker, String thread, int cpu, List<String> inputs, long handoffSent,
                         long handoffRefused, long handoffReceived, int handoffInFlight, List<NodeStats> nodes) {
        public ThreadRuntime {
            inputs = List.copyOf(inputs);
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * @param mode   polling | interrupt | adaptive, as configured (graph key {@code rx-mode})
     * @param state  "polling", "sleeping", or "polling (an input has no fd: node)"
     * @param sleeps times the worker slept in poll(2)
     * @param wokenByControlPlane of those, the sleeps the control plane ended (barrier, graph publish, wake)
     * @param adaptiveWindowMicros in mode adaptive, how long the worker polls after its inputs' last frame (graph
     *                             key {@code rx-mode.adaptive-window-us}); 0 in the other modes
     * @param sliceMicros          the EEVDF slice the worker's thread runs with (graph key {@code worker-slice-us}),
     *                             0 for the kernel's default (not asked, or refused by the kernel)
     */
    record WorkerRxMode(int worker, String mode, String state, long sleeps, long wokenByControlPlane,
                        int adaptiveWindowMicros, int sliceMicros) {
    }

    /**
     * A worker as the watchdog sees it.
     *
     * @param running      its thread runs its loop
     * @param stuckInNode  the node it has been inside for longer than the watchdog allows, or null
     * @param stuckForNanos how long it has been inside that node (0 when not stuck)
     * @param stalls       times it was seen stuck since start
     * @param restarts     times the watchdog gave the worker a new thread (its thread had ended, or hung in a node)
     * @param lostBuffers  buffers that were inside a node call on a thread left behind hung: never freed
     * @param failedNodes  nodes left behind hung on this worker, whose buffers it drops ({@code node-failed})
     */
    record WorkerHealth(int worker, String thread, boolean running, String stuckInNode, long stuckForNanos,
                        long stalls, long restarts, long lostBuffers, List<String> failedNodes) {
        /** A worker the watchdog never restarted. */
        public WorkerHealth(int worker, String thread, boolean running, String stuckInNode, long stuckForNanos,
                            long stalls) {
            this(worker, thread, running, stuckInNode, stuckForNanos, stalls, 0, 0, List.of());
        }
    }

    record BarrierStats(long count, long lastPauseNanos, long maxPauseNanos, long totalPauseNanos) {
    }

    record BufferStats(int worker, int capacity, int free, int outstanding, long allocFailures) {
    }
}
