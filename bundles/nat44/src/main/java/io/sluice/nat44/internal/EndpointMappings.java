package io.sluice.nat44.internal;

import java.util.Arrays;

/**
 * The dynamic endpoint-independent mappings (RFC 4787 REQ-1, section 4.1): one inside endpoint keeps one outside
 * endpoint, whatever remote it talks to, while any of its sessions lives. A mapping is found by its inside
 * endpoint (a new flow of a known endpoint reuses its outside port) and by its outside endpoint (filtering and
 * port ownership, {@link Nat44Dataplane}), and counts the sessions that use it: the last one to go gives the port
 * back to the pool. The sessions of a static mapping ({@link StaticMappings}) have theirs here too, marked static:
 * a flow an out2in-only mapping's inside endpoint opens while a session of that mapping lives leaves from the
 * mapping's endpoint, and the port stays reserved when the last of them goes.
 *
 * <p>Sized by the ports, not the sessions: there are at most as many mappings as outside ports of the pool in
 * use, whatever number of flows they carry. Heap arrays that grow by doubling, written under
 * {@link SessionTable#lock()} only (the slow paths and the control plane), never read by a fast path:
 *
 * <pre>
 *  mapping m:   insideKeys[m] (8 B)  outsideKeys[m] (8 B)  refs[m] (4 B: sessions, bit 31 static; 0 free)
 *  byInside, byOutside: long slots, (hash tag << 32) | (m + 1), 0 empty; linear probing, at most 2/3 full
 * </pre>
 *
 * 20 B per mapping in the arrays and 12 to 24 B in each index, where two {@code LongIntMap}s and five arrays cost
 * 73 to 146 B. A slot's tag (the key hash's upper half, whose low bits are also the home slot) settles a probe
 * without reading the mapping's key but for the one that matches, and gives a delete's backward shift each entry's
 * home. A free mapping's {@code insideKeys} entry chains the free list. {@link #prefetchInside} lets the slow path
 * touch a frame's home slots before it walks them, and {@link #beginBatch} lets it insert a frame's outside entries
 * together, so their cache misses overlap.
 */
final class EndpointMappings {
    private static final int STATIC = 1 << 31;
    private static final int INITIAL = 1024;

    private long[] insideKeys = new long[INITIAL];
    private long[] outsideKeys = new long[INITIAL];
    private int[] refs = new int[INITIAL];
    private long[] byInside = new long[2 * INITIAL];
    private long[] byOutside = new long[2 * INITIAL];
    private int mask = 2 * INITIAL - 1;
    private int freeHead = -1;
    private int used;
    private int size;
    /**
     * The byOutside entries of mappings added since {@link #beginBatch}, inserted together when anything next reads
     * or changes byOutside (or the batch ends), so that the slow path's frame of new mappings meets their cache misses
     * together instead of one by one. Every method that reads or changes byOutside publishes them first.
     */
    private final int[] pending = new int[SessionTable.PENDING];
    private int pendingCount;
    private boolean batching;
    private long touched;

    /** The mapping of inside endpoint {@code insideKey}, or -1. */
    int findByInside(long insideKey) {
        return find(byInside, insideKeys, insideKey);
    }

    /** The mapping of outside endpoint {@code outsideKey}, or -1. */
    int findByOutside(long outsideKey) {
        publishPending();
        return find(byOutside, outsideKeys, outsideKey);
    }

    /** Opens a batch: new mappings' byOutside entries wait for the next reader of byOutside or {@link #endBatch}. */
    void beginBatch() {
        batching = true;
    }

    void endBatch() {
        publishPending();
        batching = false;
    }

    private void publishPending() {
        int n = pendingCount;
        if (n == 0) {
            return;
        }
        long read = 0;
        for (int i = 0; i < n; i++) {
            read ^= prefetchOutside(outsideKeys[pending[i]]);
        }
        touched ^= read;
        pendingCount = 0;
        for (int i = 0; i < n; i++) {
            insert(byOutside, outsideKeys[pending[i]], pending[i]);
        }
    }

    /** Reads the home slot of {@code insideKey}, so that a later {@link #findByInside} finds it in the cache. */
    long prefetchInside(long insideKey) {
        return byInside[(int) (SessionTable.mix(insideKey) >>> 32) & mask];
    }

    /** Reads the home slot of {@code outsideKey}, so that a later {@link #add} finds it in the cache. */
    long prefetchOutside(long outsideKey) {
        return byOutside[(int) (SessionTable.mix(outsideKey) >>> 32) & mask];
    }

    private int find(long[] slots, long[] keys, long key) {
        long h = SessionTable.mix(key);
        int tag = (int) (h >>> 32);
        int pos = tag & mask;
        long entry;
        while ((entry = slots[pos]) != 0) {
            if ((int) (entry >>> 32) == tag && keys[(int) entry - 1] == key) {
                return (int) entry - 1;
            }
            pos = (pos + 1) & mask;
        }
        return -1;
    }

    long insideKey(int m) {
        return insideKeys[m];
    }

    long outsideKey(int m) {
        return outsideKeys[m];
    }

    int sessions(int m) {
        return refs[m] & ~STATIC;
    }

    /** Whether mapping {@code m} is a static mapping's (its port is the configuration's, not the pool's). */
    boolean isStatic(int m) {
        return (refs[m] & STATIC) != 0;
    }

    /** A new mapping with one session; the caller checked that neither endpoint has one. */
    int add(long insideKey, long outsideKey, boolean isStatic) {
        int m = freeHead;
        if (m >= 0) {
            freeHead = (int) insideKeys[m];
        } else {
            if (used == refs.length) {
                int grown = refs.length * 2;
                insideKeys = Arrays.copyOf(insideKeys, grown);
                outsideKeys = Arrays.copyOf(outsideKeys, grown);
                refs = Arrays.copyOf(refs, grown);
            }
            m = used++;
        }
        if (3L * (size + 1) > 2L * byInside.length) {
            growIndexes();
        }
        insideKeys[m] = insideKey;
        outsideKeys[m] = outsideKey;
        refs[m] = 1 | (isStatic ? STATIC : 0);
        insert(byInside, insideKey, m);
        if (batching) {
            if (pendingCount == pending.length) {
                publishPending();
            }
            pending[pendingCount++] = m;
        } else {
            insert(byOutside, outsideKey, m);
        }
        size++;
        return m;
    }

    private void insert(long[] slots, long key, int m) {
        long h = SessionTable.mix(key);
        int pos = (int) (h >>> 32) & mask;
        while (slots[pos] != 0) {
            pos = (pos + 1) & mask;
        }
        slots[pos] = (h & 0xffffffff00000000L) | (m + 1L);
    }

    /** One more session uses mapping {@code m}. */
    void retain(int m) {
        refs[m]++;
    }

    /** One session of mapping {@code m} ended; true when it was the last and the mapping is gone. */
    boolean release(int m) {
        if ((--refs[m] & ~STATIC) > 0) {
            return false;
        }
        publishPending();
        remove(byInside, insideKeys, m);
        remove(byOutside, outsideKeys, m);
        refs[m] = 0;
        insideKeys[m] = freeHead;
        freeHead = m;
        size--;
        return true;
    }

    /** Backward-shift deletion (Knuth 6.4, algorithm R), as {@link SessionTable} does: no tombstones. */
    private void remove(long[] slots, long[] keys, int m) {
        int hole = (int) (SessionTable.mix(keys[m]) >>> 32) & mask;
        while (slots[hole] != 0 && (int) slots[hole] != m + 1) {
            hole = (hole + 1) & mask;
        }
        if (slots[hole] == 0) {
            return;
        }
        int next = hole;
        while (true) {
            next = (next + 1) & mask;
            long entry = slots[next];
            if (entry == 0) {
                break;
            }
            int home = (int) (entry >>> 32) & mask;
            boolean staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!staysPut) {
                slots[hole] = entry;
                hole = next;
            }
        }
        slots[hole] = 0;
    }

    private void growIndexes() {
        publishPending();
        int slots = byInside.length * 2;
        byInside = new long[slots];
        byOutside = new long[slots];
        mask = slots - 1;
        for (int m = 0; m < used; m++) {
            if (refs[m] != 0) {
                insert(byInside, insideKeys[m], m);
                insert(byOutside, outsideKeys[m], m);
            }
        }
    }

    /** Mappings alive. */
    int size() {
        return size;
    }

    /** Bytes of heap the mappings hold: the three arrays and both indexes. */
    long memoryBytes() {
        return 20L * refs.length + 16L * byInside.length;
    }

    void clear() {
        pendingCount = 0;
        Arrays.fill(byInside, 0);
        Arrays.fill(byOutside, 0);
        Arrays.fill(refs, 0);
        freeHead = -1;
        used = 0;
        size = 0;
    }
}
