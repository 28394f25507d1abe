package io.sluice.nat44.internal;

import io.sluice.common.LongIntMap;

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
 * {@link SessionTable#lock()} only (the slow paths and the control plane), never read by a fast path.
 */
final class EndpointMappings {
    private final LongIntMap byInside = new LongIntMap(1024);
    private final LongIntMap byOutside = new LongIntMap(1024);
    private long[] insideKeys = new long[1024];
    private long[] outsideKeys = new long[1024];
    /** Sessions using each mapping; 0 marks a free slot, chained through {@link #nextFree}. */
    private int[] refs = new int[1024];
    private int[] nextFree = new int[1024];
    private boolean[] statics = new boolean[1024];
    private int freeHead = -1;
    private int used;

    /** The mapping of inside endpoint {@code insideKey}, or -1. */
    int findByInside(long insideKey) {
        return byInside.get(insideKey, -1);
    }

    /** The mapping of outside endpoint {@code outsideKey}, or -1. */
    int findByOutside(long outsideKey) {
        return byOutside.get(outsideKey, -1);
    }

    long insideKey(int m) {
        return insideKeys[m];
    }

    long outsideKey(int m) {
        return outsideKeys[m];
    }

    int sessions(int m) {
        return refs[m];
    }

    /** Whether mapping {@code m} is a static mapping's (its port is the configuration's, not the pool's). */
    boolean isStatic(int m) {
        return statics[m];
    }

    /** A new mapping with one session; the caller checked that neither endpoint has one. */
    int add(long insideKey, long outsideKey, boolean isStatic) {
        int m = freeHead;
        if (m >= 0) {
            freeHead = nextFree[m];
        } else {
            if (used == refs.length) {
                int grown = refs.length * 2;
                insideKeys = Arrays.copyOf(insideKeys, grown);
                outsideKeys = Arrays.copyOf(outsideKeys, grown);
                refs = Arrays.copyOf(refs, grown);
                nextFree = Arrays.copyOf(nextFree, grown);
                statics = Arrays.copyOf(statics, grown);
            }
            m = used++;
        }
        insideKeys[m] = insideKey;
        outsideKeys[m] = outsideKey;
        refs[m] = 1;
        statics[m] = isStatic;
        byInside.put(insideKey, m);
        byOutside.put(outsideKey, m);
        return m;
    }

    /** One more session uses mapping {@code m}. */
    void retain(int m) {
        refs[m]++;
    }

    /** One session of mapping {@code m} ended; true when it was the last and the mapping is gone. */
    boolean release(int m) {
        if (--refs[m] > 0) {
            return false;
        }
        byInside.remove(insideKeys[m]);
        byOutside.remove(outsideKeys[m]);
        refs[m] = 0;
        nextFree[m] = freeHead;
        freeHead = m;
        return true;
    }

    /** Mappings alive. */
    int size() {
        return byInside.size();
    }

    void clear() {
        byInside.clear();
        byOutside.clear();
        Arrays.fill(refs, 0);
        freeHead = -1;
        used = 0;
    }
}
