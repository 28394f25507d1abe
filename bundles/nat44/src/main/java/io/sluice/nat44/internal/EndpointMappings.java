package io.sluice.nat44.internal;

import io.sluice.common.state.ZeroPages;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The dynamic endpoint-independent mappings (RFC 4787 REQ-1, section 4.1): one inside endpoint keeps one outside
 * endpoint, whatever remote it talks to, while any of its sessions lives. A mapping is found by its inside
 * endpoint (a new flow of a known endpoint reuses its outside port) and by its outside endpoint (filtering and
 * port ownership, {@link Nat44Dataplane}); the last of its sessions to go gives the port back to the pool. The
 * sessions of a static mapping ({@link StaticMappings}) have theirs here too, static as their records are: a flow an
 * out2in-only mapping's inside endpoint opens while a session of that mapping lives leaves from the mapping's
 * endpoint, and the port stays reserved when the last of them goes.
 *
 * <p>No mapping is stored: a mapping is its sessions, whose records ({@link SessionTable}) hold both its endpoints.
 * One of them, the mapping's representative, is what both indexes point at; the sessions of a mapping are a ring
 * linked through a side array, so that when the representative goes another takes its place and when the last goes
 * the mapping goes. Everything is off-heap, sized by the session capacity (a mapping has at least one session) and
 * resident only as it is used ({@link ZeroPages}); written under {@link SessionTable#lock()} only (the slow paths
 * and the control plane), never read by a fast path:
 *
 * <pre>
 *  session s:  links[s] = next (4 B: ring successor + 1, bit 31 REPRESENTATIVE; 0 not in a mapping)
 *                         prev (4 B: ring predecessor + 1)
 *  byInside, byOutside: int slots, 1.5 per session of capacity (6 B each), 0 empty; linear probing, at most 2/3 full
 *
 *   31       indexBits+DISP_BITS   indexBits                0
 *  +---------+-------------------+-------------------------+
 *  |   tag   | displacement      | representative + 1      |
 *  +---------+-------------------+-------------------------+
 * </pre>
 *
 * 20 B per session of capacity whatever the mappings, where a stored mapping cost 60 B per mapping (keys, count
 * and two long-slot indexes on the heap). An entry's displacement (how far it sits from its home slot, saturated at
 * the field of all ones) gives a delete's backward shift each entry's home without reading its record, and with the
 * tag (the bits the session index leaves over, from the key hash's lower half) settles a probe without reading the
 * record but for entries of the same home; a saturated entry's home is read from its record's key. {@link
 * #prefetchInside} lets the slow path touch a frame's home slots before it walks them, and {@link #beginBatch} lets it
 * insert a frame's outside entries together, so their cache misses overlap.
 *
 * <p>The indexes grow with the mappings, as the session indexes do ({@link SessionTable}): they start with the slots
 * of {@link SessionTable#INITIAL_SESSIONS} mappings and grow four times over, up to the capacity's size, when a new
 * mapping would take them past two-thirds full. Only the writer reads them, so a growth re-inserts every entry (its
 * key read from its representative's record) into the second reserved region and gives the old one back at once.
 */
final class EndpointMappings implements AutoCloseable {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final int REPRESENTATIVE = 1 << 31;
    private static final int DISP_BITS_MAX = 5;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment records;
    /** The two regions of each index, reserved for {@link #fullSlots}: the index is in one of them. */
    private final MemorySegment[] byInsideRegions = new MemorySegment[2];
    private final MemorySegment[] byOutsideRegions = new MemorySegment[2];
    private int region;
    private MemorySegment byInside;
    private MemorySegment byOutside;
    private final MemorySegment links;
    private final long fullSlots;
    private long slots;
    /** Times the indexes grew. */
    private long growths;
    /** Bits for a session index plus one; the rest of a slot is displacement and tag. */
    private final int indexBits;
    private final int indexMask;
    /** A displacement at or above this is stored as this: the entry's home is read from its record. */
    private final int dispSaturated;
    private final int tagShift;
    private final int tagMask;
    private int size;
    /**
     * The sessions whose new mapping's byOutside entry waits since {@link #beginBatch}, inserted together when
     * anything next reads or changes byOutside (or the batch ends), so that the slow path's frame of new mappings
     * meets their cache misses together instead of one by one. Every method that reads or changes byOutside
     * publishes them first.
     */
    private final int[] pending = new int[SessionTable.PENDING];
    private int pendingCount;
    private boolean batching;
    private long touched;

    EndpointMappings(SessionTable table) {
        this.records = table.records();
        int capacity = table.capacity();
        this.fullSlots = slotCount(capacity);
        this.indexBits = 32 - Integer.numberOfLeadingZeros(capacity);
        this.indexMask = (int) ((1L << indexBits) - 1);
        int free = 32 - indexBits;
        int dispBits = Math.min(free, DISP_BITS_MAX);
        this.dispSaturated = (1 << dispBits) - 1;
        this.tagShift = indexBits + dispBits;
        this.tagMask = free - dispBits == 0 ? 0 : (int) ((1L << (free - dispBits)) - 1);
        for (int r = 0; r < 2; r++) {
            byInsideRegions[r] = ZeroPages.allocate(arena, fullSlots * Integer.BYTES);
            byOutsideRegions[r] = ZeroPages.allocate(arena, fullSlots * Integer.BYTES);
        }
        this.links = ZeroPages.allocate(arena, (long) capacity * 2 * Integer.BYTES);
        useRegion(0, Math.min(fullSlots, slotCount(SessionTable.INITIAL_SESSIONS)));
    }

    private void useRegion(int r, long slotCount) {
        region = r;
        slots = slotCount;
        byInside = byInsideRegions[r].asSlice(0, slotCount * Integer.BYTES);
        byOutside = byOutsideRegions[r].asSlice(0, slotCount * Integer.BYTES);
    }

    /** Grows both indexes when one more mapping would take them past two-thirds full. */
    private void ensureRoom(int mappings) {
        if (3L * mappings <= 2L * slots || slots == fullSlots) {
            return;
        }
        publishPending();
        long grown = slots;
        while (3L * mappings > 2L * grown && grown < fullSlots) {
            grown = Math.min(fullSlots, (grown * 4 + 15) & ~15L);
        }
        MemorySegment oldInside = byInside;
        MemorySegment oldOutside = byOutside;
        long oldSlots = slots;
        int old = region;
        useRegion(old ^ 1, grown);
        for (long pos = 0; pos < oldSlots; pos++) {
            int inside = oldInside.get(INT, pos << 2);
            if (inside != 0) {
                int m = (inside & indexMask) - 1;
                insert(byInside, insideKey(m), m);
            }
            int outside = oldOutside.get(INT, pos << 2);
            if (outside != 0) {
                int m = (outside & indexMask) - 1;
                insert(byOutside, outsideKey(m), m);
            }
        }
        ZeroPages.clear(byInsideRegions[old]);
        ZeroPages.clear(byOutsideRegions[old]);
        growths++;
    }

    /** Times the indexes grew since the mappings were made. */
    long growths() {
        return growths;
    }

    /** Slots in each index now. */
    long slots() {
        return slots;
    }

    /** One and a half slots per session, rounded up to a cache line of slots (16). */
    static long slotCount(int capacity) {
        return (Math.max(3L * capacity / 2 + 1, 16L) + 15) & ~15L;
    }

    /** The representative session of the mapping of inside endpoint {@code insideKey}, or -1. */
    int findByInside(long insideKey) {
        return find(byInside, SessionTable.S_IN_KEY, insideKey);
    }

    /** The representative session of the mapping of outside endpoint {@code outsideKey}, or -1. */
    int findByOutside(long outsideKey) {
        publishPending();
        return find(byOutside, SessionTable.S_OUT_KEY, outsideKey);
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
            read ^= prefetchOutside(outsideKey(pending[i]));
        }
        touched ^= read;
        pendingCount = 0;
        for (int i = 0; i < n; i++) {
            insert(byOutside, outsideKey(pending[i]), pending[i]);
        }
    }

    /** Reads the home slot of {@code insideKey}, so that a later {@link #findByInside} finds it in the cache. */
    long prefetchInside(long insideKey) {
        return byInside.get(INT, home(SessionTable.mix(insideKey)) << 2);
    }

    /** Reads the home slot of {@code outsideKey}, so that a later insert finds it in the cache. */
    long prefetchOutside(long outsideKey) {
        return byOutside.get(INT, home(SessionTable.mix(outsideKey)) << 2);
    }

    private int find(MemorySegment index, int keyField, long key) {
        long h = SessionTable.mix(key);
        int tag = tag(h);
        long pos = home(h);
        int d = 0;
        int entry;
        while ((entry = index.get(INT, pos << 2)) != 0) {
            int disp = (entry >>> indexBits) & dispSaturated;
            if ((disp == d || (disp == dispSaturated && d > disp)) && (entry >>> tagShift & tagMask) == tag) {
                int s = (entry & indexMask) - 1;
                if (records.get(LONG, SessionTable.base(s) + keyField) == key) {
                    return s;
                }
            }
            pos = nextSlot(pos);
            d++;
        }
        return -1;
    }

    long insideKey(int m) {
        return records.get(LONG, SessionTable.base(m) + SessionTable.S_IN_KEY);
    }

    long outsideKey(int m) {
        return records.get(LONG, SessionTable.base(m) + SessionTable.S_OUT_KEY);
    }

    /** Whether mapping {@code m} is a static mapping's (its port is the configuration's, not the pool's). */
    boolean isStatic(int m) {
        return (records.get(ValueLayout.JAVA_BYTE, SessionTable.base(m) + SessionTable.S_FLAGS)
                & SessionTable.FLAG_STATIC) != 0;
    }

    /** Sessions of mapping {@code m}: a walk round its ring (tests and listings, not a packet path). */
    int sessions(int m) {
        int n = 1;
        for (int s = next(m); s != m; s = next(s)) {
            n++;
        }
        return n;
    }

    /**
     * A new mapping whose first session is {@code s} (in the table, its record holding both endpoints); the caller
     * checked that neither endpoint has one.
     */
    void add(int s) {
        ensureRoom(size + 1);
        setLinks(s, s, s, true);
        insert(byInside, insideKey(s), s);
        if (batching) {
            if (pendingCount == pending.length) {
                publishPending();
            }
            pending[pendingCount++] = s;
        } else {
            insert(byOutside, outsideKey(s), s);
        }
        size++;
    }

    /** Session {@code s} (in the table, with mapping {@code m}'s endpoints) joins mapping {@code m}. */
    void join(int m, int s) {
        int after = next(m);
        setLinks(s, after, m, false);
        setNext(m, s);
        setPrev(after, s);
    }

    /**
     * Session {@code s} leaves its mapping: true when no session of the mapping is left (it was the last, and the
     * mapping is gone; or it was in none), so its outside port is free.
     */
    boolean leave(int s) {
        int word = links.get(INT, (long) s << 3);
        if (word == 0) {
            return true;
        }
        int next = (word & ~REPRESENTATIVE) - 1;
        boolean representative = (word & REPRESENTATIVE) != 0;
        if (next == s) {
            publishPending();
            remove(byInside, SessionTable.S_IN_KEY, insideKey(s), s);
            remove(byOutside, SessionTable.S_OUT_KEY, outsideKey(s), s);
            clearLinks(s);
            size--;
            return true;
        }
        int prev = links.get(INT, ((long) s << 3) + 4) - 1;
        setNext(prev, next);
        setPrev(next, prev);
        if (representative) {
            publishPending();
            repoint(byInside, insideKey(s), s, next);
            repoint(byOutside, outsideKey(s), s, next);
            links.set(INT, (long) next << 3, links.get(INT, (long) next << 3) | REPRESENTATIVE);
        }
        clearLinks(s);
        return false;
    }

    private int next(int s) {
        return (links.get(INT, (long) s << 3) & ~REPRESENTATIVE) - 1;
    }

    private void setNext(int s, int next) {
        long at = (long) s << 3;
        links.set(INT, at, (links.get(INT, at) & REPRESENTATIVE) | (next + 1));
    }

    private void setPrev(int s, int prev) {
        links.set(INT, ((long) s << 3) + 4, prev + 1);
    }

    private void setLinks(int s, int next, int prev, boolean representative) {
        long at = (long) s << 3;
        links.set(INT, at, (next + 1) | (representative ? REPRESENTATIVE : 0));
        links.set(INT, at + 4, prev + 1);
    }

    private void clearLinks(int s) {
        links.set(LONG, (long) s << 3, 0L);
    }

    private void insert(MemorySegment index, long key, int s) {
        long h = SessionTable.mix(key);
        long pos = home(h);
        int d = 0;
        while (index.get(INT, pos << 2) != 0) {
            pos = nextSlot(pos);
            d++;
        }
        index.set(INT, pos << 2, entry(tag(h), d, s));
    }

    private int entry(int tag, long displacement, int s) {
        return (tag << tagShift) | ((int) Math.min(displacement, dispSaturated) << indexBits) | (s + 1);
    }

    /** The slot of session {@code s}'s entry for {@code key}, or -1. */
    private long slotOf(MemorySegment index, long key, int s) {
        long pos = home(SessionTable.mix(key));
        int entry;
        while ((entry = index.get(INT, pos << 2)) != 0) {
            if ((entry & indexMask) == s + 1) {
                return pos;
            }
            pos = nextSlot(pos);
        }
        return -1;
    }

    /** The entry for {@code key} that names {@code from} names {@code to}, a session of the same mapping, instead. */
    private void repoint(MemorySegment index, long key, int from, int to) {
        long pos = slotOf(index, key, from);
        if (pos >= 0) {
            int entry = index.get(INT, pos << 2);
            index.set(INT, pos << 2, (entry & ~indexMask) | (to + 1));
        }
    }

    /** Backward-shift deletion (Knuth 6.4, algorithm R), as {@link SessionTable} does: no tombstones. */
    private void remove(MemorySegment index, int keyField, long key, int s) {
        long hole = slotOf(index, key, s);
        if (hole < 0) {
            return;
        }
        long next = hole;
        while (true) {
            next = nextSlot(next);
            int entry = index.get(INT, next << 2);
            if (entry == 0) {
                break;
            }
            long home = homeOf(entry, next, keyField);
            boolean staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!staysPut) {
                long displacement = hole >= home ? hole - home : hole + slots - home;
                index.set(INT, hole << 2, (entry & ~(dispSaturated << indexBits))
                        | ((int) Math.min(displacement, dispSaturated) << indexBits));
                hole = next;
            }
        }
        index.set(INT, hole << 2, 0);
    }

    /** The home slot of the entry at {@code pos}: from its displacement, or from its record's key when saturated. */
    private long homeOf(int entry, long pos, int keyField) {
        int disp = (entry >>> indexBits) & dispSaturated;
        if (disp == dispSaturated) {
            int s = (entry & indexMask) - 1;
            return home(SessionTable.mix(records.get(LONG, SessionTable.base(s) + keyField)));
        }
        return pos >= disp ? pos - disp : pos + slots - disp;
    }

    /** Lemire's multiply-shift range reduction of the hash's upper half, as {@link SessionTable} chooses homes. */
    private long home(long h) {
        return ((h >>> 32) * slots) >>> 32;
    }

    private int tag(long h) {
        return (int) h & tagMask;
    }

    private long nextSlot(long pos) {
        return pos + 1 == slots ? 0 : pos + 1;
    }

    /** Mappings alive. */
    int size() {
        return size;
    }

    /** Bytes of memory the mappings hold (off-heap, resident as used): both indexes and the session links. */
    long memoryBytes() {
        return byInside.byteSize() + byOutside.byteSize() + links.byteSize();
    }

    /** Forgets every mapping (their sessions stay in the table, in none). */
    void clear() {
        pendingCount = 0;
        for (int r = 0; r < 2; r++) {
            ZeroPages.clear(byInsideRegions[r]);
            ZeroPages.clear(byOutsideRegions[r]);
        }
        useRegion(0, Math.min(fullSlots, slotCount(SessionTable.INITIAL_SESSIONS)));
        ZeroPages.clear(links);
        size = 0;
    }

    @Override
    public void close() {
        arena.close();
    }
}
