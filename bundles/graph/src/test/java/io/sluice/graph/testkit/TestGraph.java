package io.sluice.graph.testkit;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphOptions;
import io.sluice.packet.api.BufferPool;

/**
 * A graph engine without OSGi, for benchmarks and other bundles' tests: nodes are added through
 * {@link #runtime()} and frames run by {@link #runOnce} on the caller's thread, or, for a graph made by
 * {@link #withRunningWorker}, by one live worker thread after {@link #start()}. The engine itself stays private
 * to the graph bundle.
 */
public final class TestGraph implements AutoCloseable {

    private final GraphEngine engine;

    private TestGraph(GraphEngine engine) {
        this.engine = engine;
    }

    /** An engine with the default options and {@code buffers} buffers in each worker's pool. */
    public static TestGraph withBuffersPerWorker(int buffers) {
        return new TestGraph(new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(buffers)));
    }

    /**
     * An engine whose one worker thread runs its loop once {@link #start()}ed, yielding when idle: for measuring
     * what the control plane costs a forwarding worker (barriers, trace reads).
     */
    public static TestGraph withRunningWorker(int buffers) {
        return new TestGraph(new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(buffers).withWorkers(1)
                .withIdle("yield")));
    }

    /**
     * An engine of {@code workers} workers with frame queues of {@code handoffQueue} between them and
     * {@code flow-input-<w>} placed on worker w ({@link HandoffNodes}): run on the caller with {@link #runOnce},
     * or by live threads (polling, yielding when idle) once {@link #start()}ed.
     */
    public static TestGraph withWorkers(int workers, int buffers, int handoffQueue) {
        java.util.Map<String, Integer> placement = new java.util.HashMap<>();
        for (int w = 0; w < workers; w++) {
            placement.put(HandoffNodes.inputName(w), w);
        }
        return new TestGraph(new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(buffers).withWorkers(workers)
                .withIdle("yield").withRxMode("polling").withHandoffQueue(handoffQueue).withPlacement(placement)));
    }

    /**
     * As {@link #withWorkers(int, int, int)}, with the input nodes of {@code inputs} placed on the workers it names
     * (the configuration's {@code placement}): a benchmark's own inputs, one set per worker.
     */
    public static TestGraph withWorkers(int workers, int buffers, int handoffQueue, java.util.Map<String, Integer> inputs) {
        java.util.Map<String, Integer> placement = new java.util.HashMap<>(inputs);
        for (int w = 0; w < workers; w++) {
            placement.putIfAbsent(HandoffNodes.inputName(w), w);
        }
        return new TestGraph(new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(buffers).withWorkers(workers)
                .withIdle("yield").withRxMode("polling").withHandoffQueue(handoffQueue).withPlacement(placement)));
    }

    /** Starts the worker threads (only for {@link #withRunningWorker}; the others run on the caller). */
    public void start() {
        engine.start();
    }

    public GraphRuntime runtime() {
        return engine;
    }

    public void addNode(Node node) {
        engine.addNode(node);
    }

    /** Runs worker {@code worker}'s loop once: its input nodes, then every pending frame. */
    public int runOnce(int worker) {
        return engine.runOnce(worker);
    }

    /** Runs worker 0's loop until a pass finds nothing to do; returns the buffers handled. */
    public int runUntilIdle() {
        return engine.runUntilIdle();
    }

    /** Worker {@code worker}'s buffer pool: a test allocates from worker 0's and {@link #inject}s. */
    public BufferPool pool(int worker) {
        return engine.pool(worker);
    }

    /** Queues buffer {@code bi} (from worker 0's pool) for node {@code node}, traced when {@code traced}. */
    public void inject(String node, int bi, boolean traced) {
        engine.inject(node, bi, traced);
    }

    @Override
    public void close() {
        engine.stop();
    }
}
