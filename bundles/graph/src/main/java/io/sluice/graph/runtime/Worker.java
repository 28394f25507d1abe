package io.sluice.graph.runtime;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeKind;
import io.sluice.graph.api.TraceRing;
import io.sluice.nativeio.api.Libc;
import io.sluice.packet.api.BufferPool;

import java.util.Arrays;

/**
 * A duty-cycle agent: each pass polls this worker's input nodes, then runs pending frames until none is
 * left. Buffers waiting for a node sit in that node's ring of indices; a ring whose node is absent (being
 * replaced) is the parking lot, bounded by its capacity, and what overflows is freed and counted. Only the
 * worker's own thread touches this state, except under the barrier.
 */
final class Worker implements Runnable {
    final int index;
    final BufferPool pool;
    final TraceRing traceRing;
    private final WorkerPool workerPool;
    private final int ringCapacity;
    private final int ringMask;
    private final IdleStrategy idleStrategy;
    private final Frame frame = new Frame();

    private GraphSnapshot snapshot;
    private NodeContext[] contexts = new NodeContext[0];
    private int[][] rings = new int[0][];
    private int[] ringHead = new int[0];
    private int[] ringCount = new int[0];
    private boolean[] ringTraced = new boolean[0];
    private int[] inputSlots = new int[0];

    long[] calls = new long[0];
    long[] vectors = new long[0];
    long[] clockNanos = new long[0];
    long[] parkedOverflow = new long[0];
    long[] badNextArc = new long[0];
    long[] nodeExceptions = new long[0];
    private long[] lastExceptionLogged = new long[0];
    private static final System.Logger LOG = System.getLogger(Worker.class.getName());

    volatile boolean running;
    volatile boolean atBarrier;
    /** The version of the graph this worker runs: written after it took the graph, before any node of it runs. */
    volatile long adoptedVersion = -1;

    Worker(WorkerPool workerPool, int index, BufferPool pool, TraceRing traceRing, int ringCapacity, IdleStrategy idle) {
        if (Integer.bitCount(ringCapacity) != 1) {
            throw new IllegalArgumentException("park capacity must be a power of two, got " + ringCapacity);
        }
        this.workerPool = workerPool;
        this.index = index;
        this.pool = pool;
        this.traceRing = traceRing;
        this.ringCapacity = ringCapacity;
        this.ringMask = ringCapacity - 1;
        this.idleStrategy = idle;
    }

    /** The core to pin this worker's thread to, or -1. */
    int cpu = -1;

    /**
     * The worker's loop. A fault outside any node (adopting a graph, distributing a frame) is logged at a limited
     * rate and the loop goes on; and whatever ends the thread, it is no longer counted as running, so no barrier
     * ever waits for a worker that is gone.
     */
    @Override
    public void run() {
        try {
            if (cpu >= 0) {
                // sched_setaffinity(2) with tid 0 pins the calling thread: a worker owns its core, as VPP's do.
                Libc.schedSetAffinity(0, cpu);
            }
            while (running) {
                try {
                    if (workerPool.barrierRequested) {
                        waitAtBarrier();
                        continue;
                    }
                    idleStrategy.idle(runOnce());
                } catch (Throwable e) {
                    atBarrier = false;
                    loopFaults++;
                    long now = System.nanoTime();
                    if (now - lastLoopFaultLogged > 10_000_000_000L || lastLoopFaultLogged == 0) {
                        lastLoopFaultLogged = now;
                        LOG.log(System.Logger.Level.ERROR, "worker " + index + " hit a fault outside its nodes ("
                                + loopFaults + " so far); it goes on with the next pass", e);
                    }
                }
            }
        } finally {
            running = false;
        }
    }

    /** Faults the loop survived outside the nodes (a node's own fault is counted as its exception error). */
    long loopFaults;
    private long lastLoopFaultLogged;

    private void waitAtBarrier() {
        atBarrier = true;
        while (workerPool.barrierRequested && running) {
            Thread.onSpinWait();
        }
        atBarrier = false;
    }

    /** One pass: adopt a newer graph, poll inputs, drain. Returns the number of buffers handled. */
    int runOnce() {
        GraphSnapshot current = workerPool.snapshot();
        if (current != snapshot) {
            adopt(current);
        }
        int work = 0;
        SlotPlan[] plans = snapshot.plans;
        for (int slot : inputSlots) {
            SlotPlan plan = plans[slot];
            if (plan.node != null) {
                work += runInput(plan);
            }
        }
        return work + drain(plans);
    }

    private int runInput(SlotPlan plan) {
        int slot = plan.slot;
        NodeContext context = contexts[slot];
        frame.clear();
        long start = System.nanoTime();
        int n;
        try {
            n = plan.node.process(context, frame);
        } catch (Throwable e) {
            n = frame.count();
            failed(plan, e);
        }
        clockNanos[slot] += System.nanoTime() - start;
        calls[slot]++;
        vectors[slot] += n;
        distribute(plan, context);
        return n;
    }

    private int drain(SlotPlan[] plans) {
        int total = 0;
        boolean progress;
        do {
            progress = false;
            for (int slot = 0; slot < plans.length; slot++) {
                if (ringCount[slot] == 0) {
                    continue;
                }
                if (workerPool.barrierRequested) {
                    // Stop at this frame boundary: the barrier waits for one frame, not for a whole drained pass.
                    // What is queued stays in the rings for the next pass.
                    return total;
                }
                SlotPlan plan = plans[slot];
                if (plan.node == null) {
                    continue;
                }
                total += dispatch(plan);
                progress = true;
            }
        } while (progress);
        return total;
    }

    private int dispatch(SlotPlan plan) {
        int slot = plan.slot;
        int[] ring = rings[slot];
        int head = ringHead[slot];
        int n = Math.min(ringCount[slot], Frame.CAPACITY);
        int[] buffers = frame.buffers();
        for (int i = 0; i < n; i++) {
            buffers[i] = ring[(head + i) & ringMask];
        }
        ringHead[slot] = (head + n) & ringMask;
        ringCount[slot] -= n;
        frame.setCount(n);
        frame.setTraced(ringTraced[slot]);
        if (ringCount[slot] == 0) {
            ringTraced[slot] = false;
        }
        NodeContext context = contexts[slot];
        long start = System.nanoTime();
        try {
            plan.node.process(context, frame);
        } catch (Throwable e) {
            failed(plan, e);
        }
        clockNanos[slot] += System.nanoTime() - start;
        calls[slot]++;
        vectors[slot] += n;
        distribute(plan, context);
        return n;
    }

    /**
     * A node threw, a RuntimeException or an Error alike (a mapped file whose backing was truncated throws
     * InternalError): its frame's buffers are dropped and counted, the worker goes on with the next frame, so
     * a fault in one node never stops forwarding through the others. Logged at most once per node every 10 s.
     * A node that had already freed buffers and set the frame's count to 0 before throwing loses nothing more.
     */
    private void failed(SlotPlan plan, Throwable e) {
        int slot = plan.slot;
        int n = frame.count();
        pool.free(frame.buffers(), 0, n);
        frame.setCount(0);
        nodeExceptions[slot]++;
        long now = System.nanoTime();
        if (now - lastExceptionLogged[slot] > 10_000_000_000L || lastExceptionLogged[slot] == 0) {
            lastExceptionLogged[slot] = now;
            LOG.log(System.Logger.Level.ERROR, "node '" + plan.name + "' threw on worker " + index + "; its frame of "
                    + n + " buffers was dropped (counted as /err/" + plan.name + "/exception)", e);
        }
    }

    private void distribute(SlotPlan plan, NodeContext context) {
        int[] nextSlots = plan.nextSlots;
        int arcs = nextSlots.length;
        boolean traced = frame.traced();
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        for (int i = 0; i < n; i++) {
            int arc = nexts[i];
            if (arc < 0 || arc >= arcs) {
                pool.free(buffers[i]);
                badNextArc[plan.slot]++;
            } else {
                enqueue(nextSlots[arc], buffers[i], traced);
            }
        }
        int emitted = context.emittedCount();
        if (emitted > 0) {
            int[] emittedBuffers = context.emittedBuffers();
            int[] emittedNexts = context.emittedNexts();
            for (int i = 0; i < emitted; i++) {
                int arc = emittedNexts[i];
                if (arc < 0 || arc >= arcs) {
                    pool.free(emittedBuffers[i]);
                    badNextArc[plan.slot]++;
                } else {
                    enqueue(nextSlots[arc], emittedBuffers[i], traced);
                }
            }
            context.clearEmitted();
        }
    }

    private void enqueue(int slot, int bi, boolean traced) {
        int count = ringCount[slot];
        if (count == ringCapacity) {
            pool.free(bi);
            parkedOverflow[slot]++;
            return;
        }
        rings[slot][(ringHead[slot] + count) & ringMask] = bi;
        ringCount[slot] = count + 1;
        ringTraced[slot] |= traced;
    }

    /** Test harness: queues {@code bi} for {@code slot} as if a node had sent it there. */
    void inject(int slot, int bi, boolean traced) {
        GraphSnapshot current = workerPool.snapshot();
        if (current != snapshot) {
            adopt(current);
        }
        if (traced) {
            pool.setTraceHandle(bi, traceRing.newPacket());
        }
        enqueue(slot, bi, traced);
    }

    /** Binds this worker's contexts to a newly published graph. Runs on the worker, or under the barrier. */
    void adopt(GraphSnapshot next) {
        SlotPlan[] plans = next.plans;
        int slots = plans.length;
        if (slots > contexts.length) {
            int old = contexts.length;
            contexts = Arrays.copyOf(contexts, slots);
            rings = Arrays.copyOf(rings, slots);
            for (int s = old; s < slots; s++) {
                rings[s] = new int[ringCapacity];
            }
            ringHead = Arrays.copyOf(ringHead, slots);
            ringCount = Arrays.copyOf(ringCount, slots);
            ringTraced = Arrays.copyOf(ringTraced, slots);
            calls = Arrays.copyOf(calls, slots);
            vectors = Arrays.copyOf(vectors, slots);
            clockNanos = Arrays.copyOf(clockNanos, slots);
            parkedOverflow = Arrays.copyOf(parkedOverflow, slots);
            badNextArc = Arrays.copyOf(badNextArc, slots);
            nodeExceptions = Arrays.copyOf(nodeExceptions, slots);
            lastExceptionLogged = Arrays.copyOf(lastExceptionLogged, slots);
        }
        int[] inputs = new int[slots];
        int inputCount = 0;
        for (SlotPlan plan : plans) {
            int s = plan.slot;
            if (contexts[s] == null) {
                contexts[s] = new NodeContext(pool, traceRing, workerPool.capture, s, index, plan.errorCount());
            }
            NodeContext context = contexts[s];
            context.bindErrorCount(plan.errorCount());
            context.bindFeatureNext(plan.featureNextBySw, plan.featureNextDefault);
            context.bindFeatureStart(plan.featureStartBySw, plan.featureStartDefault);
            if (plan.registration != null && plan.registration.kind() == NodeKind.INPUT
                    && workerPool.pollsInput(index, s)) {
                inputs[inputCount++] = s;
            }
        }
        inputSlots = Arrays.copyOf(inputs, inputCount);
        snapshot = next;
        adoptedVersion = next.version;
    }

    /** Binds this worker to the published graph if it runs an older one. On the worker, or under the barrier. */
    void adoptCurrent() {
        GraphSnapshot current = workerPool.snapshot();
        if (current != null && current != snapshot) {
            adopt(current);
        }
    }

    NodeContext context(int slot) {
        GraphSnapshot current = workerPool.snapshot();
        if (current != snapshot) {
            adopt(current);
        }
        return slot < contexts.length ? contexts[slot] : null;
    }

    /** Buffers waiting at {@code slot}: parked ones while its node is absent. */
    int pending(int slot) {
        return slot < ringCount.length ? ringCount[slot] : 0;
    }

    /** Frees everything still queued: used when the engine stops. */
    void releaseAll() {
        for (int s = 0; s < ringCount.length; s++) {
            while (ringCount[s] > 0) {
                pool.free(rings[s][ringHead[s]]);
                ringHead[s] = (ringHead[s] + 1) & ringMask;
                ringCount[s]--;
            }
        }
    }
}
