package io.sluice.graph.api;

import io.sluice.packet.api.BufferPool;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One worker's end of the frame queues between workers (VPP's {@code vlib_buffer_enqueue_to_thread}): a node on
 * this worker sends a buffer to a node on another worker through {@link NodeContext#handoff}. The workers' pools
 * are views of one buffer memory ({@code BufferPool.shared}), so a buffer index names the same buffer on every
 * worker: per (source, destination) pair one {@link HandoffRing} carries (node slot, buffer index), and the
 * destination queues the buffer for its node where it lies, with no copy and nothing sent back. Whoever frees the
 * buffer frees it into its own worker's cache, and the caches even out through the memory's depot
 * (docs/decisions/0002-worker-handoff-buffers.md).
 *
 * <p>A ring holds at most {@link #capacity()} entries ({@code handoff-queue}): a handoff to a destination whose
 * ring is full is refused, and the node that asked counts the refusal (its {@code congestion-drop}). The entries
 * of one frame are written with plain stores and published with one release store at the frame's end
 * ({@link #publish}); the destination takes all it finds with one acquire load and one release store. A forward
 * entry is one {@code long}: the destination node's slot in the high 32 bits, the buffer index in the low 32.
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
    private long sent;
    private long refused;
    private boolean unpublished;

    /** This worker's view of the rings {@code forward[src][dst]} (the runtime makes one per ordered pair). */
    public WorkerHandoff(int self, HandoffRing[][] forward) {
        int workers = forward.length;
        this.self = self;
        this.out = new HandoffRing[workers];
        this.in = new HandoffRing[workers];
        int ringCapacity = Integer.MAX_VALUE;
        for (int w = 0; w < workers; w++) {
            if (w == self) {
                continue;
            }
            out[w] = forward[self][w];
            in[w] = forward[w][self];
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

    /** Buffers that may wait in the queue to one destination before a handoff is refused. */
    public int capacity() {
        return capacity;
    }

    /**
     * Queues buffer {@code bi} for node slot {@code slot} on worker {@code worker}; from then on the buffer is
     * that worker's. False, and the buffer is still the caller's, when that worker's queue is full or
     * {@code worker} is this worker or no worker.
     */
    public boolean send(int worker, int slot, int bi) {
        if (worker == self || worker < 0 || worker >= out.length
                || !out[worker].offer(((long) slot << 32) | (bi & 0xffff_ffffL))) {
            refused++;
            return false;
        }
        sent++;
        unpublished = true;
        return true;
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
     * True when another worker has published buffers for this one: read with volatile loads by a worker about to
     * sleep, after it said so (see the runtime's rx-mode sleep).
     */
    public boolean anyPendingVolatile() {
        for (HandoffRing ring : in) {
            if (ring != null && ring.availableVolatile() > 0) {
                return true;
            }
        }
        return false;
    }

    /** The forward ring from worker {@code source} to this one (null for this worker itself). */
    public HandoffRing incoming(int source) {
        return in[source];
    }

    /** Entries handed to other workers and handoffs refused, for views. */
    public long sent() {
        return sent;
    }

    public long refused() {
        return refused;
    }

    /** Buffers this worker handed off that their destinations have not taken yet (a racy but bounded reading). */
    public int inFlight() {
        int total = 0;
        for (HandoffRing ring : out) {
            if (ring != null) {
                total += ring.depth();
            }
        }
        return total;
    }

    /** The node slot of a forward entry. */
    public static int entrySlot(long entry) {
        return (int) (entry >>> 32);
    }

    /** The buffer index of a forward entry. */
    public static int entryBuffer(long entry) {
        return (int) entry;
    }
}
