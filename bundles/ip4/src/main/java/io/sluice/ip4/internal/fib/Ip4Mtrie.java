package io.sluice.ip4.internal.fib;

import java.util.Arrays;

/**
 * One FIB table's longest-prefix-match structure: a 16-8-8 multibit trie, the shape of VPP's ip4_mtrie_16
 * (src/vnet/ip/ip4_mtrie.c). The root has 65536 entries (the first 16 bits of the address); an entry is a
 * leaf (an adjacency index, {@code >= 0}) or a ply ({@code ~plyIndex}, {@code < 0}) of 256 entries for the
 * next 8 bits; a second-level ply covers the last 8. A lookup is at most three dependent array reads.
 *
 * <p>Updates are copy-on-write: between {@link #beginBatch} and {@link #publish} the root is copied once and
 * every ply touched is copied once (to a slot no published view reaches), so a published {@link View} is never
 * written again. Plies are stored in one {@code int[]}; slots past the last published ply are free to write
 * because no view reaches them. Replaced plies are garbage until {@link #compact} rebuilds from the routes.
 *
 * <p>Beside each leaf the trie keeps the prefix length that put it there (control-plane only) so that an
 * insert replaces exactly the entries of shorter prefixes, and a delete restores the covering route.
 */
final class Ip4Mtrie {

    static final int ROOT_SIZE = 1 << 16;
    static final int PLY_SIZE = 256;

    /** What a worker reads: a root and the ply store, never written after publication. */
    record View(int[] root, int[] plies) {
        int lookup(int address) {
            int e = root[address >>> 16];
            if (e < 0) {
                e = plies[(~e << 8) | ((address >>> 8) & 0xff)];
                if (e < 0) {
                    e = plies[(~e << 8) | (address & 0xff)];
                }
            }
            return e;
        }
    }

    private int[] root;
    private final byte[] rootLengths = new byte[ROOT_SIZE];
    private int[] plies;
    private byte[] plyLengths;
    private int plyCount;
    private int garbagePlies;
    private boolean rootFresh;
    /** Plies at or above this index were made in the current batch and may be written in place. */
    private int freshFrom;
    private View published;

    Ip4Mtrie(int missAdjacency) {
        root = new int[ROOT_SIZE];
        Arrays.fill(root, missAdjacency);
        plies = new int[64 * PLY_SIZE];
        plyLengths = new byte[64 * PLY_SIZE];
        published = new View(root, plies);
        rootFresh = false;
    }

    View view() {
        return published;
    }

    int livePlies() {
        return plyCount - garbagePlies;
    }

    int garbagePlies() {
        return garbagePlies;
    }

    /** Bytes of the published arrays (root and ply store) plus the control-plane prefix lengths. */
    long memoryBytes() {
        return 4L * root.length + rootLengths.length + 4L * plies.length + plyLengths.length;
    }

    void beginBatch() {
        rootFresh = false;
        freshFrom = plyCount;
    }

    View publish() {
        published = new View(root, plies);
        rootFresh = false;
        freshFrom = plyCount;
        return published;
    }

    /** Makes {@code address/length} resolve to {@code adjacency}, wherever no longer prefix says otherwise. */
    void insert(int address, int length, int adjacency) {
        apply(address, length, 0, length, adjacency, length);
    }

    /** Removes {@code address/length}: its entries fall back to the covering route {@code coverAdjacency/coverLength}. */
    void remove(int address, int length, int coverAdjacency, int coverLength) {
        apply(address, length, length, length, coverAdjacency, coverLength);
    }

    /**
     * Over the range of {@code address/length}, sets every leaf whose prefix length is within
     * [{@code fromLength}, {@code toLength}] to {@code adjacency} with length {@code newLength}, descending into plies.
     */
    private void apply(int address, int length, int fromLength, int toLength, int adjacency, int newLength) {
        writableRoot();
        if (length <= 16) {
            int start = address >>> 16;
            int count = 1 << (16 - length);
            for (int s = start; s < start + count; s++) {
                int e = root[s];
                if (e < 0) {
                    int p = writablePly(~e);
                    root[s] = ~p;
                    fillPly(p, 0, PLY_SIZE, 1, fromLength, toLength, adjacency, newLength);
                } else if (inRange(rootLengths[s], fromLength, toLength)) {
                    root[s] = adjacency;
                    rootLengths[s] = (byte) newLength;
                }
            }
            return;
        }
        int s = address >>> 16;
        int p = rootPly(s, fromLength, toLength);
        if (p < 0) {
            return;
        }
        int second = (address >>> 8) & 0xff;
        if (length <= 24) {
            fillPly(p, second, 1 << (24 - length), 1, fromLength, toLength, adjacency, newLength);
            return;
        }
        int base = p * PLY_SIZE + second;
        int e = plies[base];
        int q;
        if (e < 0) {
            q = writablePly(~e);
        } else {
            if (toLength == fromLength && plyLengths[base] != length) {
                return; // removing a route that never reached here
            }
            q = newPly(e, plyLengths[base]);
        }
        plies[base] = ~q;
        fillPly(q, address & 0xff, 1 << (32 - length), 2, fromLength, toLength, adjacency, newLength);
    }

    /** The writable ply under root slot {@code s}, made from the slot's leaf when there is none (or -1 on removal). */
    private int rootPly(int s, int fromLength, int toLength) {
        int e = root[s];
        int p;
        if (e < 0) {
            p = writablePly(~e);
        } else {
            if (fromLength == toLength) {
                return -1; // removing a longer prefix that never reached here
            }
            p = newPly(e, rootLengths[s]);
        }
        root[s] = ~p;
        return p;
    }

    private void fillPly(int p, int from, int count, int level, int fromLength, int toLength, int adjacency,
                         int newLength) {
        int base = p * PLY_SIZE;
        for (int i = base + from; i < base + from + count; i++) {
            int e = plies[i];
            if (e < 0) {
                int q = writablePly(~e);
                plies[i] = ~q;
                fillPly(q, 0, PLY_SIZE, level + 1, fromLength, toLength, adjacency, newLength);
            } else if (inRange(plyLengths[i], fromLength, toLength)) {
                plies[i] = adjacency;
                plyLengths[i] = (byte) newLength;
            }
        }
    }

    private static boolean inRange(byte length, int from, int to) {
        return length >= from && length <= to;
    }

    private void writableRoot() {
        if (!rootFresh) {
            root = root.clone();
            rootFresh = true;
        }
    }

    private int writablePly(int p) {
        if (p >= freshFrom) {
            return p;
        }
        int q = allocatePly();
        System.arraycopy(plies, p * PLY_SIZE, plies, q * PLY_SIZE, PLY_SIZE);
        System.arraycopy(plyLengths, p * PLY_SIZE, plyLengths, q * PLY_SIZE, PLY_SIZE);
        garbagePlies++;
        return q;
    }

    private int newPly(int leaf, byte length) {
        int q = allocatePly();
        int base = q * PLY_SIZE;
        Arrays.fill(plies, base, base + PLY_SIZE, leaf);
        Arrays.fill(plyLengths, base, base + PLY_SIZE, length);
        return q;
    }

    private int allocatePly() {
        if ((plyCount + 1) * PLY_SIZE > plies.length) {
            // A new array: no published view reaches it, so every ply in it may be written in place.
            int grown = Math.max(plies.length * 2, (plyCount + 1) * PLY_SIZE);
            plies = Arrays.copyOf(plies, grown);
            plyLengths = Arrays.copyOf(plyLengths, grown);
            freshFrom = 0;
        }
        return plyCount++;
    }

    /** A fresh trie with no garbage, built from {@code count} routes (address, length, adjacency). */
    static Ip4Mtrie build(int missAdjacency, int[] addresses, int[] lengths, int[] adjacencies, int count) {
        // Shorter prefixes first (a counting sort by length), so each insert only refines what is there.
        int[] next = new int[34];
        for (int i = 0; i < count; i++) {
            next[lengths[i] + 1]++;
        }
        for (int l = 1; l < next.length; l++) {
            next[l] += next[l - 1];
        }
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[next[lengths[i]]++] = i;
        }
        Ip4Mtrie trie = new Ip4Mtrie(missAdjacency);
        trie.beginBatch();
        for (int i : order) {
            trie.insert(addresses[i], lengths[i], adjacencies[i]);
        }
        trie.publish();
        return trie;
    }
}
