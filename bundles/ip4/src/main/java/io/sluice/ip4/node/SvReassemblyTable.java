package io.sluice.ip4.node;

import io.sluice.packet.api.BufferPool;

import java.util.Arrays;

/**
 * One worker's shallow-reassembly contexts (VPP's per-thread {@code ip4_sv_reass_per_thread_t}): per datagram, keyed
 * by (source, destination, protocol, identification) as RFC 791 section 3.2 names a datagram, the L4 facts its first
 * fragment carried and the fragments held until that first fragment comes. Primitive arrays only; owned by its
 * worker, like the buffer pool.
 *
 * <pre>
 *  index[]  open addressing, linear probing, backward-shift deletion: hash of the key -> context slot (-1 empty)
 *  slot s:  key0[s] = src &lt;&lt; 32 | dst      key1[s] = id &lt;&lt; 8 | protocol     deadline[s] (System.nanoTime)
 *           ports[s], extra[s] (BufferPool.setReassembledL4's words, once known: KNOWN in state[s])
 *           bytesSeen[s], end[s] (end of the datagram once its last fragment came, else -1)
 *           held[s * maxFragments + k], heldOffset[...]: up to maxFragments buffers sorted by fragment offset
 * </pre>
 */
final class SvReassemblyTable {

    static final int IN_USE = 1;
    static final int KNOWN = 1 << 1;

    final int maxReassemblies;
    final int maxFragments;
    final int maxHeldBuffers;
    final long timeoutNanos;

    private final int[] index;
    private final int mask;
    private final long[] key0;
    private final int[] key1;
    private final long[] deadline;
    private final int[] ports;
    private final int[] extra;
    private final int[] state;
    private final int[] bytesSeen;
    private final int[] end;
    private final int[] heldCount;
    private final int[] held;
    private final int[] heldOffset;
    private final int[] freeSlots;
    private int freeCount;
    private int active;
    private int heldBuffers;
    private int sweepCursor;

    /** The worker's pool, remembered at first use so that the node's removal can free what is held. */
    BufferPool pool;

    /** Per-frame scratch of the node on this worker: the trace pass reads what the loop did to each buffer. */
    final int[] traceBuffers = new int[io.sluice.graph.api.Frame.CAPACITY];
    final int[] traceOps = new int[io.sluice.graph.api.Frame.CAPACITY];
    final int[] traceSlots = new int[io.sluice.graph.api.Frame.CAPACITY];

    SvReassemblyTable(SvReassemblySettings settings) {
        this.maxReassemblies = settings.maxReassemblies();
        this.maxFragments = settings.maxFragments();
        this.maxHeldBuffers = settings.maxHeldBuffers();
        this.timeoutNanos = settings.timeoutMillis() * 1_000_000L;
        int capacity = Integer.highestOneBit(Math.max(2, maxReassemblies) * 2 - 1) << 1;
        this.index = new int[capacity];
        Arrays.fill(index, -1);
        this.mask = capacity - 1;
        this.key0 = new long[maxReassemblies];
        this.key1 = new int[maxReassemblies];
        this.deadline = new long[maxReassemblies];
        this.ports = new int[maxReassemblies];
        this.extra = new int[maxReassemblies];
        this.state = new int[maxReassemblies];
        this.bytesSeen = new int[maxReassemblies];
        this.end = new int[maxReassemblies];
        this.heldCount = new int[maxReassemblies];
        this.held = new int[maxReassemblies * maxFragments];
        this.heldOffset = new int[maxReassemblies * maxFragments];
        this.freeSlots = new int[maxReassemblies];
        for (int i = 0; i < maxReassemblies; i++) {
            freeSlots[i] = maxReassemblies - 1 - i;
        }
        this.freeCount = maxReassemblies;
    }

    static long key0(int src, int dst) {
        return (long) src << 32 | (dst & 0xffffffffL);
    }

    static int key1(int id, int protocol) {
        return id << 8 | protocol;
    }

    private int home(long k0, int k1) {
        long h = (k0 ^ (k1 * 0x9E3779B97F4A7C15L)) * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ (h >>> 31)) & mask;
    }

    /** The context of this datagram, or -1. */
    int find(long k0, int k1) {
        int i = home(k0, k1);
        while (true) {
            int s = index[i];
            if (s < 0) {
                return -1;
            }
            if (key0[s] == k0 && key1[s] == k1) {
                return s;
            }
            i = (i + 1) & mask;
        }
    }

    /** A fresh context for a datagram {@link #find} did not know, or -1 when {@code maxReassemblies} are in use. */
    int create(long k0, int k1, long now) {
        if (freeCount == 0) {
            return -1;
        }
        int s = freeSlots[--freeCount];
        key0[s] = k0;
        key1[s] = k1;
        state[s] = IN_USE;
        deadline[s] = now + timeoutNanos;
        bytesSeen[s] = 0;
        end[s] = -1;
        heldCount[s] = 0;
        int i = home(k0, k1);
        while (index[i] >= 0) {
            i = (i + 1) & mask;
        }
        index[i] = s;
        active++;
        return s;
    }

    /** Forgets context {@code s}; its held buffers must have been taken or freed. */
    void remove(int s) {
        int i = home(key0[s], key1[s]);
        while (index[i] != s) {
            i = (i + 1) & mask;
        }
        index[i] = -1;
        // Backward-shift deletion (Knuth 6.4, algorithm R): entries after the hole move up if their home allows.
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int moved = index[j];
            if (moved < 0) {
                break;
            }
            int k = home(key0[moved], key1[moved]);
            boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays) {
                index[i] = moved;
                index[j] = -1;
                i = j;
            }
        }
        state[s] = 0;
        heldBuffers -= heldCount[s];
        heldCount[s] = 0;
        freeSlots[freeCount++] = s;
        active--;
    }

    boolean known(int s) {
        return (state[s] & KNOWN) != 0;
    }

    int ports(int s) {
        return ports[s];
    }

    int extra(int s) {
        return extra[s];
    }

    void learn(int s, int portsWord, int extraWord) {
        ports[s] = portsWord;
        extra[s] = extraWord;
        state[s] |= KNOWN;
    }

    void refresh(int s, long now) {
        deadline[s] = now + timeoutNanos;
    }

    /**
     * Counts {@code length} payload bytes of a fragment (its end at {@code fragmentEnd}, the last one when
     * {@code last}); true when the datagram is then complete, so its context can go.
     */
    boolean account(int s, int length, int fragmentEnd, boolean last) {
        bytesSeen[s] += length;
        if (last) {
            end[s] = fragmentEnd;
        }
        return end[s] >= 0 && bytesSeen[s] == end[s];
    }

    int heldCount(int s) {
        return heldCount[s];
    }

    int heldBuffers() {
        return heldBuffers;
    }

    int active() {
        return active;
    }

    /** Holds {@code bi} (fragment offset {@code offset} in bytes) in offset order; the caller checked the limits. */
    void hold(int s, int bi, int offset) {
        int base = s * maxFragments;
        int k = heldCount[s];
        while (k > 0 && heldOffset[base + k - 1] > offset) {
            held[base + k] = held[base + k - 1];
            heldOffset[base + k] = heldOffset[base + k - 1];
            k--;
        }
        held[base + k] = bi;
        heldOffset[base + k] = offset;
        heldCount[s]++;
        heldBuffers++;
    }

    /** The {@code k}th held buffer of {@code s}, in offset order. */
    int held(int s, int k) {
        return held[s * maxFragments + k];
    }

    /** Lets go of the held buffers of {@code s} (taken by the caller: released or freed). */
    void clearHeld(int s) {
        heldBuffers -= heldCount[s];
        heldCount[s] = 0;
    }

    /**
     * Frees into {@code pool} the held buffers of up to {@code budget} contexts past their deadline, examined
     * round-robin from where the last call stopped, and forgets those contexts. Returns the buffers freed.
     */
    int expire(long now, int budget, BufferPool pool) {
        if (active == 0) {
            return 0;
        }
        int freed = 0;
        int n = Math.min(budget, maxReassemblies);
        int cursor = sweepCursor;
        for (int i = 0; i < n; i++) {
            int s = cursor;
            cursor = cursor + 1 == maxReassemblies ? 0 : cursor + 1;
            if ((state[s] & IN_USE) != 0 && now - deadline[s] > 0) {
                freed += freeHeld(s, pool);
                remove(s);
            }
        }
        sweepCursor = cursor;
        return freed;
    }

    /** Frees the held buffers of {@code s} into {@code pool}; returns how many. */
    int freeHeld(int s, BufferPool pool) {
        int count = heldCount[s];
        int base = s * maxFragments;
        for (int k = 0; k < count; k++) {
            pool.free(held[base + k]);
        }
        clearHeld(s);
        return count;
    }

    /** Frees everything held and forgets every context: the node is going away (its worker is at the barrier). */
    int clear(BufferPool pool) {
        int freed = 0;
        for (int s = 0; s < maxReassemblies; s++) {
            if ((state[s] & IN_USE) != 0) {
                if (pool != null) {
                    freed += freeHeld(s, pool);
                }
                remove(s);
            }
        }
        return freed;
    }
}
