package io.sluice.graph.api;

import io.sluice.packet.api.BufferPool;

import java.lang.foreign.MemorySegment;

/**
 * What a node may use while it processes a frame on one worker: the worker's buffer pool, its error
 * counters, trace records, the packet capture in force and the feature-arc tables of the current graph. One
 * instance per node per worker; the runtime fills it (the {@code bind*} methods), the node only reads it. Final,
 * so that every call from a node's inner loop is direct.
 */
public final class NodeContext {
    private final BufferPool pool;
    private final TraceRing traceRing;
    private final CaptureSwitch capture;
    private final int slot;
    private final int workerIndex;
    private long[] errorCounts;
    private int errorBase;
    private int[] featureNextBySw = new int[0];
    private int featureNextDefault = -1;
    private int[][] featureStartBySw = new int[0][];
    private int[] featureStartDefault = new int[0];
    private int traceRemaining;
    private TraceFilter traceFilter;
    private final int[] emittedBuffers = new int[Frame.CAPACITY];
    private final int[] emittedNexts = new int[Frame.CAPACITY];
    private int emittedCount;
    private WorkerHandoff handoff;
    private int[] nextSlots = new int[0];

    /** A context whose packet capture is always off: node tests and benchmarks. */
    public NodeContext(BufferPool pool, TraceRing traceRing, int slot, int workerIndex, int errorCount) {
        this(pool, traceRing, new CaptureSwitch(), slot, workerIndex, errorCount);
    }

    public NodeContext(BufferPool pool, TraceRing traceRing, CaptureSwitch capture, int slot, int workerIndex,
                       int errorCount) {
        this.pool = pool;
        this.traceRing = traceRing;
        this.capture = capture;
        this.slot = slot;
        this.workerIndex = workerIndex;
        this.errorCounts = new long[errorCount];
    }

    public BufferPool pool() {
        return pool;
    }

    public int workerIndex() {
        return workerIndex;
    }

    /** Adds {@code n} to error counter {@code error} (the ordinal of the node's error enum): once per frame. */
    public void countError(int error, long n) {
        errorCounts[error] += n;
    }

    /**
     * Stamps buffer {@code bi} with this node's error counter {@code error} (the ordinal of the node's error enum),
     * VPP's {@code b->error = node->errors[error]}: one store, on the line that sends the buffer to the drop arc,
     * so that a capture of drops names the counter that counts it ({@code errors:show}'s node and counter). The
     * counting itself stays in {@link #countError}, once per frame.
     */
    public void stampError(int bi, int error) {
        pool.setError(bi, errorBase + error);
    }

    /**
     * A trace record for buffer {@code bi} at this node: the payload offset in {@link #traceSegment()}, or
     * -1 when the buffer is not traced or the trace ring is full. Call only when the frame is traced.
     */
    public long trace(int bi) {
        int packet = pool.traceHandle(bi);
        if (packet < 0) {
            return -1;
        }
        return traceRing.append(packet, slot);
    }

    /** For input nodes: how many more packets to mark for tracing here (test once per frame). */
    public int traceArmed() {
        return traceRemaining;
    }

    /**
     * For input nodes, when {@link #traceArmed()} is positive: marks {@code bi} as traced and returns its
     * first record's payload offset, or -1 when it is not traced (the count is used up, or the trace's filter
     * does not match it: callers go on with the frame's next buffer).
     */
    public long traceInput(int bi) {
        if (traceRemaining <= 0) {
            return -1;
        }
        TraceFilter filter = traceFilter;
        if (filter != null) {
            int l2 = pool.l2Offset(bi);
            if (!filter.matches(pool.segment(), BufferPool.dataStart(bi) + l2, pool.length(bi) + pool.currentData(bi) - l2)) {
                return -1;
            }
        }
        long record = traceRing.append(traceRing.packets(), slot);
        if (record < 0) {
            traceRemaining = 0;
            return -1;
        }
        if (!traceRing.keepLast()) {
            traceRemaining--;
        }
        pool.setTraceHandle(bi, traceRing.newPacket());
        return record;
    }

    /**
     * The packet capture in force ({@link ArmedCapture#OFF} when none): read once per frame and keep it for the
     * frame, so that an untraced, uncaptured frame pays one load and one test.
     */
    public ArmedCapture capture() {
        return capture.armed();
    }

    public java.lang.foreign.MemorySegment traceSegment() {
        return traceRing.segment();
    }

    /** For a feature node: the arc to the next feature enabled on {@code swIfIndex}, or to the arc's end. */
    public int featureNext(int swIfIndex) {
        int[] table = featureNextBySw;
        return swIfIndex >= 0 && swIfIndex < table.length ? table[swIfIndex] : featureNextDefault;
    }

    /** For a node that starts feature arcs: the arc to the first feature of arc {@code arc} on {@code swIfIndex}. */
    public int featureStart(int arc, int swIfIndex) {
        int[] table = featureStartBySw[arc];
        return swIfIndex >= 0 && swIfIndex < table.length ? table[swIfIndex] : featureStartDefault[arc];
    }

    /**
     * Sends a buffer the node made itself (an ARP request, an ICMP error) along arc {@code next}, besides
     * the frame's own buffers. Returns false, and the caller frees the buffer, when this frame has already
     * emitted {@link Frame#CAPACITY} such buffers.
     */
    public boolean emit(int bi, int next) {
        if (emittedCount == Frame.CAPACITY) {
            return false;
        }
        emittedBuffers[emittedCount] = bi;
        emittedNexts[emittedCount] = next;
        emittedCount++;
        return true;
    }

    /**
     * Hands buffer {@code bi} to the node at the end of this node's arc {@code next} on worker {@code worker}
     * (VPP's {@code vlib_buffer_enqueue_to_thread}): from then on the buffer is not this node's, so it must leave
     * the frame (the node compacts its frame to the buffers it keeps). Returns false, and the buffer is still the
     * node's to drop and count as its {@code congestion-drop}, when that worker's frame queue is full, when
     * {@code worker} is this worker (its buffers go along the frame's arcs) or no worker, or when there is only
     * one worker. The destination worker takes the buffer at its next pass.
     *
     * <p>A buffer that another worker handed to this one is not this worker's to send on (the in-flight bound is
     * counted per pair by the buffer's owner): it goes as a copy in a buffer of this worker's pool, and the original
     * goes home. False also when this pool has no buffer for the copy.
     */
    public boolean handoff(int bi, int worker, int next) {
        WorkerHandoff queues = handoff;
        int[] slots = nextSlots;
        if (queues == null || next < 0 || next >= slots.length) {
            return false;
        }
        if (pool.owns(bi)) {
            return queues.send(worker, slots[next], bi);
        }
        if (!queues.canSend(worker)) {
            queues.send(worker, slots[next], bi); // counts the refusal
            return false;
        }
        int copy = pool.alloc();
        if (copy < 0) {
            return false;
        }
        MemorySegment memory = pool.segment();
        WorkerHandoff.copy(memory, bi, memory, copy);
        pool.setTraceHandle(copy, pool.traceHandle(bi));
        queues.send(worker, slots[next], copy);
        pool.free(bi);
        return true;
    }

    /** The number of workers the graph runs on: a handoff node spreads flows over them. */
    public int workerCount() {
        WorkerHandoff queues = handoff;
        return queues == null ? 1 : queues.workers();
    }

    // ---- runtime side: called by the worker that owns this context, at a frame boundary ----

    /** The worker's frame queues (null with one worker) and this node's next arcs resolved to slots. */
    public void bindHandoff(WorkerHandoff queues, int[] resolvedNextSlots) {
        this.handoff = queues;
        this.nextSlots = resolvedNextSlots;
    }

    public int slot() {
        return slot;
    }

    public long[] errorCounts() {
        return errorCounts;
    }

    /** The global index of this node's first error counter in the graph it runs in now (0 in a node test). */
    public int errorBase() {
        return errorBase;
    }

    public void bindErrorBase(int base) {
        this.errorBase = base;
    }

    public void bindErrorCount(int errorCount) {
        if (errorCounts.length < errorCount) {
            errorCounts = java.util.Arrays.copyOf(errorCounts, errorCount);
        }
    }

    public void bindFeatureNext(int[] bySw, int defaultArc) {
        this.featureNextBySw = bySw;
        this.featureNextDefault = defaultArc;
    }

    public void bindFeatureStart(int[][] bySw, int[] defaults) {
        this.featureStartBySw = bySw;
        this.featureStartDefault = defaults;
    }

    public int emittedCount() {
        return emittedCount;
    }

    public int[] emittedBuffers() {
        return emittedBuffers;
    }

    public int[] emittedNexts() {
        return emittedNexts;
    }

    public void clearEmitted() {
        emittedCount = 0;
    }

    public int traceRemaining() {
        return traceRemaining;
    }

    public void bindTraceRemaining(int count) {
        this.traceRemaining = count;
    }

    /** The filter of the armed trace ({@link TraceFilter#ANY} or null: every packet). Set under the barrier. */
    public void bindTraceFilter(TraceFilter filter) {
        this.traceFilter = filter == null || filter.any() ? null : filter;
    }
}
