package io.sluice.graph.api;

import io.sluice.packet.api.BufferPool;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One worker's end of the frame queues between workers (VPP's {@code vlib_buffer_enqueue_to_thread}): a node on
 * this worker sends a buffer to a node on another worker through {@link NodeContext#handoff}. Per (source,
 * destination) pair there are two {@link HandoffRing}s: the forward ring carries (node slot, buffer index) to
 * the destination, which processes the buffer where it lies (the workers' pools are ranges of one memory,
 * {@link BufferPool#shared}) and, once it has freed it, sends the index back on the return ring; the source frees
 * what comes back into its own pool at its next pass. So a pool is only ever touched by its own worker, and the
 * forwarding path has no lock.
 *
 * <p>A buffer is in flight from its handoff until its index comes back; the source refuses a handoff once
 * {@link #capacity()} buffers are in flight to one destination, so neither ring of a pair can overflow, and the
 * node that asked counts the refusal (its {@code congestion-drop}). A forward entry is one {@code long}: the
 * destination node's slot in the high 32 bits, the buffer index in the low 32.
 *
 * <p>A worker's handoff is used only by its own thread (the runtime side methods, at a frame boundary, on the
 * worker or with the workers stopped).
 */
public final class WorkerHandoff {

    private final int self;
    private final int capacity;
    /** out[w]: this worker to w (producer); in[w]: w to this worker (consumer). */
    private final HandoffRing[] out;
    private final HandoffRing[] in;
    /** back[w]: indices w returns to this worker (consumer); ret[w]: indices this worker returns to w (producer). */
    private final HandoffRing[] back;
    private final HandoffRing[] ret;
    /**
     * Buffers in flight to worker w at {@code inFlight[IN_FLIGHT_PAD + w]}, written on every handoff: 64 bytes of
     * padding on both sides keep them off the lines of the objects allocated next to the array (the runtime makes
     * the workers' handoffs one after the other, so the next worker's handoff, with its own per-packet fields, would
     * otherwise share a line with these counters).
     */
    private final int[] inFlight;
    private static final int IN_FLIGHT_PAD = 16;
    /** The indices of one reclaim batch, freed in one call. */
    private final int[] scratch = new int[1024];
    private long sent;
    private long refused;
    private boolean unpublished;

    /**
     * This worker's view of the rings {@code forward[src][dst]} and {@code returns[dst][src]} (the
     * runtime makes them, one pair per ordered pair of workers).
     */
    public WorkerHandoff(int self, HandoffRing[][] forward, HandoffRing[][] returns) {
        int workers = forward.length;
        this.self = self;
        this.out = new HandoffRing[workers];
        this.in = new HandoffRing[workers];
        this.back = new HandoffRing[workers];
        this.ret = new HandoffRing[workers];
        this.inFlight = new int[IN_FLIGHT_PAD + workers + IN_FLIGHT_PAD];
        int ringCapacity = Integer.MAX_VALUE;
        for (int w = 0; w < workers; w++) {
            if (w == self) {
                continue;
            }
            out[w] = forward[self][w];
            in[w] = forward[w][self];
            back[w] = returns[w][self];
            ret[w] = returns[self][w];
            ringCapacity = Math.min(ringCapacity, out[w].capacity());
        }
        this.capacity = workers > 1 ? ringCapacity : 0;
    }

    public int workerIndex() {
        return self;
    }

    public int workers() {
        return out.length;
    }

    /** Buffers that may be in flight to one destination before a handoff is refused. */
    public int capacity() {
        return capacity;
    }

    /**
     * Queues buffer {@code bi} of this worker's pool for node slot {@code slot} on worker {@code worker}.
     * False, and the buffer is still the caller's, when that worker's queue is full or {@code worker} is
     * this worker or no worker.
     */
    public boolean send(int worker, int slot, int bi) {
        if (worker == self || worker < 0 || worker >= out.length || inFlight[IN_FLIGHT_PAD + worker] >= capacity) {
            refused++;
            return false;
        }
        out[worker].offer(((long) slot << 32) | (bi & 0xffff_ffffL));
        inFlight[IN_FLIGHT_PAD + worker]++;
        sent++;
        unpublished = true;
        return true;
    }

    /** True when {@link #send} to {@code worker} would take a buffer now. */
    public boolean canSend(int worker) {
        return worker != self && worker >= 0 && worker < out.length && inFlight[IN_FLIGHT_PAD + worker] < capacity;
    }

    // ---- runtime side ----

    /**
     * Publishes what this worker's nodes handed off since the last call (once per frame); returns the set of
     * workers it published to, one bit per worker (0: none).
     */
    public long publish() {
        if (!unpublished) {
            return 0;
        }
        unpublished = false;
        long published = 0;
        for (int w = 0; w < out.length; w++) {
            HandoffRing ring = out[w];
            if (ring != null && ring.hasUnpublished()) {
                ring.publish();
                published |= 1L << w;
            }
        }
        return published;
    }

    /**
     * True when another worker has published buffers for this one or given some back: read with volatile loads
     * by a worker about to sleep, after it said so (see the runtime's rx-mode sleep).
     */
    public boolean anyPendingVolatile() {
        for (int w = 0; w < in.length; w++) {
            if (in[w] != null && (in[w].availableVolatile() > 0 || back[w].availableVolatile() > 0)) {
                return true;
            }
        }
        return false;
    }

    /** Frees into {@code pool} the buffers the other workers are done with; returns how many. */
    public int reclaim(BufferPool pool) {
        int total = 0;
        for (int w = 0; w < back.length; w++) {
            HandoffRing ring = back[w];
            if (ring == null) {
                continue;
            }
            int n = ring.available();
            if (n == 0) {
                continue;
            }
            int[] freed = scratch;
            for (int done = 0; done < n; ) {
                int batch = Math.min(n - done, freed.length);
                for (int i = 0; i < batch; i++) {
                    freed[i] = (int) ring.entry(done + i);
                }
                pool.free(freed, 0, batch);
                done += batch;
            }
            ring.take(n);
            inFlight[IN_FLIGHT_PAD + w] -= n;
            total += n;
        }
        return total;
    }

    /** The forward ring from worker {@code source} to this one (null for this worker itself). */
    public HandoffRing incoming(int source) {
        return in[source];
    }

    /** Returns {@code sourceBi} to worker {@code source}: never full, the in-flight bound keeps room for it. */
    public void giveBack(int source, int sourceBi) {
        ret[source].offer(sourceBi & 0xffff_ffffL);
    }

    public void publishReturns(int source) {
        ret[source].publish();
    }

    /** Entries handed to other workers and handoffs refused, for views. */
    public long sent() {
        return sent;
    }

    public long refused() {
        return refused;
    }

    /** Buffers of this worker's pool that other workers still hold. */
    public int inFlight() {
        int total = 0;
        for (int w = 0; w < out.length; w++) {
            total += inFlight[IN_FLIGHT_PAD + w];
        }
        return total;
    }

    /** The node slot of a forward entry. */
    public static int entrySlot(long entry) {
        return (int) (entry >>> 32);
    }

    /** The source buffer index of a forward entry. */
    public static int entryBuffer(long entry) {
        return (int) entry;
    }

    /**
     * Copies buffer {@code fromBi} of another worker's pool (a buffer handed on a second time, {@link NodeContext#handoff}) ({@code source}, its segment, read once per batch by the
     * caller; read-only: its owner does not touch a buffer in flight) into {@code toBi} of this worker's pool
     * ({@code destination}): the metadata line, then only the bytes the packet uses, from the lowest of data start,
     * current data and the L2 header (a node may have pushed a header into the headroom, or the L2 header may sit
     * before the current data) to the end of the packet. The unused headroom (128 bytes, two lines on each side) is not copied.
     * The trace handle is the caller's to set.
     */
    public static void copy(MemorySegment source, int fromBi, MemorySegment destination, int toBi) {
        long fromBase = BufferPool.base(fromBi);
        long toBase = BufferPool.base(toBi);
        int current = source.get(ValueLayout.JAVA_INT, fromBase + BufferPool.META_CURRENT_DATA);
        int length = source.get(ValueLayout.JAVA_INT, fromBase + BufferPool.META_LENGTH);
        int l2 = source.get(ValueLayout.JAVA_SHORT_UNALIGNED, fromBase + BufferPool.META_L2_OFFSET);
        int start = Math.max(-BufferPool.HEADROOM, Math.min(0, Math.min(current, l2)));
        int end = Math.max(start, Math.min(BufferPool.DATA_SIZE, current + length));
        MemorySegment.copy(source, fromBase, destination, toBase, BufferPool.METADATA_SIZE);
        long dataStart = BufferPool.METADATA_SIZE + BufferPool.HEADROOM + start;
        MemorySegment.copy(source, fromBase + dataStart, destination, toBase + dataStart, end - start);
    }
}
