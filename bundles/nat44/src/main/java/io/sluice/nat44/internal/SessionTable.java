package io.sluice.nat44.internal;

import io.sluice.common.state.StateFile;
import io.sluice.common.state.ZeroPages;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PortBlocks;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The NAT44 session store, one session per flow (NAT44-ED): a fixed array of 64-byte session records in a
 * memory-mapped file (or anonymous off-heap memory when no file is given), and two open-addressing indexes over
 * it, one keyed by the inside 5-tuple (in2out: inside address, port, remote address, port, protocol) and one by
 * the outside 5-tuple (out2in: outside address, port, remote address, port, protocol). The remote endpoint is
 * part of both keys, so two flows of one inside endpoint to two servers are two sessions (with one outside
 * endpoint between them: {@link EndpointMappings}). Nothing here lives on the Java heap but the free list head
 * and counters, so node instances come and go while the table stays, and a restart maps the same file again.
 *
 * <pre>
 *  file: state file header (64 B, {@link StateFile}) | table header (64 B) | session 0 (64 B) | ... | session capacity-1
 *
 *  header                                session record (native byte order)
 *  +0  long magic "SLNAT44\2"            +0  long in key  (inside addr << 32 | port << 16 | proto)
 *  +8  int  byte-order mark 0x01020304   +8  long out key (outside addr << 32 | port << 16 | proto)
 *  +12 int  capacity                     +16 long expires at, wall-clock ms
 *  +16 int  session record size          +24 long last heard, wall-clock ms
 *                                        +32 long packets   +40 long bytes
 *                                        +48 int  remote address  +52 short remote port (both keys')
 *                                        +54 byte TCP state bits  +55 byte flags (IN_USE, STATIC)
 *                                        +56 int  inside sw_if_index  +60 int next free (free list)
 * </pre>
 *
 * <p>Index slots are longs: the upper 32 bits hold the key's hash tag, the lower 32 bits the session index
 * plus one (0: empty); a key's hash mixes its endpoint and the remote endpoint and its upper half is the tag, which
 * also chooses the home slot (Lemire's multiply-shift range reduction, so the slot count need not be a power of
 * two): a probe reads a record only when the tag matches, and a delete's backward shift finds each later entry's
 * home from its slot alone, without reading its record (a cache miss per entry on a large table). Linear probing; there are twice as many slots as
 * sessions, rounded up to a cache line of slots (8), so probes stay short at full load (at most half the slots are
 * used) and each index costs 16 B per session whatever the capacity (a power of two at least twice the capacity
 * cost up to 32: 10M sessions took 2^25 slots). The indexes are rebuilt from the records when a file is opened (a crash mid-update
 * cannot leave an index pointing at a wrong record), and are kept in anonymous memory.
 *
 * <p>Records are taken from the free list, else from the high water up ({@link #highWater}): a table writes only
 * as many records as it has held at once, and its scans (expiry, reuse, listings) stop at the high water, so
 * the file is resident only for what is used (its blocks are reserved whole all the same: {@link StateFile}).
 *
 * <p>Concurrency: one writer at a time (callers hold {@link #lock()}); readers on the workers take no lock.
 * An insert writes the record before it publishes the index slot with a release store. A delete shifts
 * later entries back (no tombstones, so the table never degrades); while it does, {@link #epoch} is odd, and
 * a reader that missed while the epoch moved looks again, so a shift never causes a false miss. Inside a slow path
 * batch ({@link #beginBatch}) an insert's out2in entry is published at the batch's end, before the lock is let go.
 *
 * <p>The indexes grow with what they hold (issue 21: a table sized for a million sessions that holds ten thousand
 * must not keep 32 MB of index resident, which one entry per 4 KB page would). They start with the slots of
 * {@link #INITIAL_SESSIONS} sessions and grow four times over, up to {@link #slotCount} of the capacity, when an
 * insert would take them past half full. Each index has two regions reserved at full size (address space, resident
 * only where written): the bigger index is built in the unused one under the lock, from the entries alone (an
 * entry's tag is its hash, so no record is read), published as one {@link Indexes} (one volatile write) while the
 * epoch is odd, and the old region is then given back. A reader that missed in the old index sees the moved epoch
 * and looks again in the new one; whatever it finds is checked against the record's 5-tuple, as always, so a read
 * of a region being cleared or reused can only miss.

 */
final class SessionTable implements AutoCloseable {

    /** Layout 2, per-flow sessions: the remote endpoint is part of both keys. */
    static final long MAGIC = 0x534c4e4154343402L;
    /** Layout 1, endpoint-independent sessions (the remote only remembered): migrated ({@link SessionFileMigration}). */
    static final long MAGIC_V1 = 0x534c4e4154343401L;
    static final int BYTE_ORDER_MARK = 0x01020304;
    static final int HEADER_SIZE = 64;
    static final int SESSION_SIZE = 64;

    static final int H_MAGIC = 0;
    static final int H_BYTE_ORDER = 8;
    static final int H_CAPACITY = 12;
    static final int H_SESSION_SIZE = 16;
    /**
     * No record at or above this number is in use, so the open-time checks and the rebuild read only the records
     * below it, not the whole file (64 MB for the lab's million sessions, every page mapped in, at every start).
     * Raised before a record above it is first used, in steps of {@link #UNUSED_FROM_STEP}; set from the high
     * water by each rebuild. Valid only beside {@link #UNUSED_FROM_MARK}: a file from before it is read whole once.
     */
    static final int H_UNUSED_FROM = 20;
    static final int H_UNUSED_FROM_TAG = 24;
    static final int UNUSED_FROM_MARK = 0x5546524d;
    static final int UNUSED_FROM_STEP = 1024;

    static final int S_IN_KEY = 0;
    static final int S_OUT_KEY = 8;
    static final int S_EXPIRES = 16;
    static final int S_LAST_HEARD = 24;
    static final int S_PACKETS = 32;
    static final int S_BYTES = 40;
    static final int S_REMOTE_ADDRESS = 48;
    static final int S_REMOTE_PORT = 52;
    static final int S_TCP_STATE = 54;
    static final int S_FLAGS = 55;
    static final int S_INSIDE_SW = 56;
    static final int S_NEXT_FREE = 60;

    static final int FLAG_IN_USE = 1;
    static final int FLAG_STATIC = 2;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final VarHandle SLOT = ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena;
    /** The mapped file the records live in, or null for an anonymous table. */
    private final StateFile file;
    private final MemorySegment records;
    /** The two regions of each index, each reserved for {@link #slotCount} of the capacity. */
    private final MemorySegment[] in2outRegions = new MemorySegment[2];
    private final MemorySegment[] out2inRegions = new MemorySegment[2];
    /** Slots of a full-size index: {@link #slotCount} of the capacity. */
    private final long fullSlots;
    /** The indexes workers read: replaced whole when they grow. */
    private volatile Indexes indexes;
    /** Which of the two regions {@link #indexes} is in. */
    private int region;
    /** Times the indexes grew since the table was opened (the nodes' {@code indexes-grown} counter). */
    private volatile long growths;
    private final int capacity;
    private final Object lock = new Object();
    private volatile long epoch;
    private int freeHead = -1;
    /**
     * Records at and above this index are free and not on the free list: taken in order when the list is empty.
     * So a table writes, and keeps resident, only as many records as it has ever held at once since it was
     * opened; scans stop here.
     */
    private int highWater;
    /** What {@link #H_UNUSED_FROM} says: at least the high water. */
    private int unusedFrom;
    private int count;
    /** Sessions per protocol class ({@link #protocolClass}): TCP, UDP, ICMP, any other. */
    private final int[] countByProtocol = new int[4];
    private int expiryCursor;
    private int reuseCursor;
    /**
     * Out2in entries of the sessions inserted since {@link #beginBatch}, published together ({@link #publishPending})
     * so that their cache misses overlap: their slots depend on the outside port, known only once each session is
     * made, so unlike the in2out slots they cannot be touched ahead.
     */
    private final long[] pendingHashes = new long[PENDING];
    private final int[] pendingSessions = new int[PENDING];
    private int pending;
    private boolean batching;
    /** What the batch's touches read, kept so that the reads are not optimised away; never used otherwise. */
    private long touched;
    static final int PENDING = 256;
    /** Sessions the indexes are first sized for (32768 slots, 256 kB each). */
    static final int INITIAL_SESSIONS = 16384;

    /** One generation of both indexes and their slot count, published together. */
    private record Indexes(MemorySegment in2out, MemorySegment out2in, long slots) {
    }

    /** What each session's inside host last advertised (RFC 5961 checks); anonymous memory, not in the file. */
    private final TcpWindows tcpWindows;

    private SessionTable(Arena arena, StateFile file, MemorySegment records, int capacity) {
        this.arena = arena;
        this.file = file;
        this.records = records;
        this.capacity = capacity;
        this.fullSlots = slotCount(capacity);
        // reserved, not resident: a region's pages are touched only as its index fills
        for (int r = 0; r < 2; r++) {
            in2outRegions[r] = ZeroPages.allocate(arena, fullSlots * 8);
            out2inRegions[r] = ZeroPages.allocate(arena, fullSlots * 8);
        }
        this.indexes = initialIndexes();
        this.tcpWindows = new TcpWindows(capacity);
    }

    TcpWindows tcpWindows() {
        return tcpWindows;
    }

    /** A table in anonymous off-heap memory: lost on close (tests, benchmarks, a box without a data dir). */
    public static SessionTable anonymous(int capacity) {
        checkCapacity(capacity);
        Arena arena = Arena.ofShared();
        MemorySegment records = arena.allocate(HEADER_SIZE + (long) capacity * SESSION_SIZE, 64);
        SessionTable table = new SessionTable(arena, null, records, capacity);
        table.writeHeader();
        table.rebuild(Long.MIN_VALUE);
        return table;
    }

    /**
     * Maps {@code file} ({@link StateFile}: a checked header in front of this table's bytes), creating it when
     * absent. A file written for another capacity, byte order or layout, truncated, with a damaged header or
     * damaged records ({@link #damage}), or not ours at all, is moved aside ({@code <file>.moved-<timestamp>},
     * with a log line saying why) and a fresh table created; a file from before the header (this table's bytes
     * alone) is migrated with its sessions. Every record in use is reattached; the caller then drops what is no
     * longer valid (expired: {@link #rebuild} with its clock). The whole file is reserved (posix_fallocate), so a
     * write through the mapping never meets a full disk; a disk that cannot hold it is an IOException naming the
     * file and the bytes.
     */
    public static SessionTable open(Path file, int capacity) throws IOException {
        return open(file, capacity, StateFile.FreeSpace.FILESYSTEM);
    }

    /** {@link #open(Path, int)}, with the free space probe a test can replace. */
    static SessionTable open(Path file, int capacity, StateFile.FreeSpace freeSpace) throws IOException {
        checkCapacity(capacity);
        StateFile.Spec spec = fileSpec(capacity);
        SessionFileMigration.upgrade(file, spec);
        StateFile state = StateFile.open(file, spec, (head, size) -> legacyMismatch(head, size, capacity),
                payload -> damage(payload, capacity), freeSpace);
        try {
            MemorySegment records = state.payload();
            SessionTable table = new SessionTable(Arena.ofShared(), state, records, capacity);
            long magic = records.get(LONG, H_MAGIC);
            if (magic == MAGIC_V1) {
                // A pre-header file of layout 1 that StateFile copied behind its header: the same bytes.
                SessionFileMigration.upgradePayload(records);
            } else if (magic != MAGIC) {
                table.writeHeader();
            }
            table.rebuild(Long.MIN_VALUE);
            return table;
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
    }

    /** The state file's kind: "NAT44SES". */
    static final long FILE_KIND = 0x4e41_5434_3453_4553L;
    /**
     * This table's layout in the file: 2, the records as the class comment draws them, keyed per flow. Layout 1
     * (the same bytes, keyed by endpoint) is migrated by {@link SessionFileMigration} before the file is opened.
     */
    static final int FILE_LAYOUT = 2;

    static StateFile.Spec fileSpec(int capacity) {
        return new StateFile.Spec(FILE_KIND, FILE_LAYOUT, SESSION_SIZE, capacity,
                HEADER_SIZE + (long) capacity * SESSION_SIZE, "max-sessions " + capacity);
    }

    /** A file from before the state file header: this table's bytes alone, its own header first. */
    private static String legacyMismatch(java.nio.ByteBuffer head, long size, int capacity) {
        long expected = HEADER_SIZE + (long) capacity * SESSION_SIZE;
        long magic = head.getLong(H_MAGIC);
        boolean ours = (magic == MAGIC || magic == MAGIC_V1) && head.getInt(H_BYTE_ORDER) == BYTE_ORDER_MARK
                && head.getInt(H_SESSION_SIZE) == SESSION_SIZE;
        if (!ours) {
            return "a NAT44 session table of an earlier format";
        }
        if (head.getInt(H_CAPACITY) != capacity || size != expected) {
            return "a NAT44 session table of an earlier format for " + head.getInt(H_CAPACITY) + " sessions ("
                    + size + " bytes), configured for " + capacity;
        }
        return null;
    }

    /**
     * Null when the records can be attached to, else the first thing wrong: the table's own header, a record's
     * flags, or two records in use with the same inside or outside 5-tuple (a lookup would find either).
     * Indexes are rebuilt from the records, so nothing else can point out of range.
     */
    static String damage(MemorySegment payload, int capacity) {
        long magic = payload.get(LONG, H_MAGIC);
        if ((magic != MAGIC && magic != MAGIC_V1) || payload.get(INT, H_BYTE_ORDER) != BYTE_ORDER_MARK
                || payload.get(INT, H_CAPACITY) != capacity || payload.get(INT, H_SESSION_SIZE) != SESSION_SIZE) {
            return "the session table's own header does not match its file header";
        }
        int used = recordsInUseBelow(payload, capacity);
        for (int s = 0; s < used; s++) {
            int flags = payload.get(BYTE, base(s) + S_FLAGS) & 0xff;
            if ((flags & ~(FLAG_IN_USE | FLAG_STATIC)) != 0) {
                return "session " + s + " has unknown flags " + Integer.toHexString(flags);
            }
        }
        if (hasDuplicate(payload, used, S_IN_KEY)) {
            return "two sessions share an inside 5-tuple";
        }
        if (hasDuplicate(payload, used, S_OUT_KEY)) {
            return "two sessions share an outside 5-tuple";
        }
        return null;
    }

    /**
     * How many records from the start may be in use: {@link #H_UNUSED_FROM} when the header carries it and it is in
     * range, else the whole table (a file written before the field, or a header that says nonsense).
     */
    static int recordsInUseBelow(MemorySegment payload, int capacity) {
        int unusedFrom = payload.get(INT, H_UNUSED_FROM);
        return payload.get(INT, H_UNUSED_FROM_TAG) == UNUSED_FROM_MARK && unusedFrom >= 0 && unusedFrom <= capacity
                ? unusedFrom : capacity;
    }

    private void writeUnusedFrom(int value) {
        unusedFrom = value;
        records.set(INT, H_UNUSED_FROM, value);
        records.set(INT, H_UNUSED_FROM_TAG, UNUSED_FROM_MARK);
    }

    /**
     * Whether two records in use hold the same key at {@code keyField} with the same remote endpoint: an index like
     * the table's, off-heap (the
     * heap is small; a table may be large), built once and freed.
     */
    private static boolean hasDuplicate(MemorySegment payload, int capacity, int keyField) {
        long slots = Long.highestOneBit(Math.max(2L * capacity, 16L) - 1) << 1;
        long mask = slots - 1;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment seen = scratch.allocate(slots * 8, 8);
            for (int s = 0; s < capacity; s++) {
                long base = base(s);
                if ((payload.get(BYTE, base + S_FLAGS) & FLAG_IN_USE) == 0) {
                    continue;
                }
                long key = payload.get(LONG, base + keyField);
                int remoteAddress = payload.get(INT, base + S_REMOTE_ADDRESS);
                int remotePort = payload.get(SHORT, base + S_REMOTE_PORT) & 0xffff;
                long pos = hash(key, remoteAddress, remotePort) & mask;
                while (true) {
                    int other = (int) seen.get(LONG, pos << 3) - 1;
                    if (other < 0) {
                        seen.set(LONG, pos << 3, s + 1L);
                        break;
                    }
                    long otherBase = base(other);
                    if (payload.get(LONG, otherBase + keyField) == key
                            && payload.get(INT, otherBase + S_REMOTE_ADDRESS) == remoteAddress
                            && (payload.get(SHORT, otherBase + S_REMOTE_PORT) & 0xffff) == remotePort) {
                        return true;
                    }
                    pos = (pos + 1) & mask;
                }
            }
        }
        return false;
    }

    /** Twice the capacity, rounded up to whole cache lines of slots. */
    static long slotCount(int capacity) {
        return (Math.max(2L * capacity, 16L) + 7) & ~7L;
    }

    /** The home slot of hash {@code h}, or of an index entry: its upper 32 bits (the tag) scaled to the slot count. */
    private static long home(long h, long slots) {
        return ((h >>> 32) * slots) >>> 32;
    }

    private static long nextSlot(long pos, long slots) {
        return pos + 1 == slots ? 0 : pos + 1;
    }

    /** The first generation, in region 0, both regions empty: at open and at a rebuild (lock held). */
    private Indexes initialIndexes() {
        for (int r = 0; r < 2; r++) {
            ZeroPages.clear(in2outRegions[r]);
            ZeroPages.clear(out2inRegions[r]);
        }
        region = 0;
        long slots = Math.min(fullSlots, slotCount(INITIAL_SESSIONS));
        return new Indexes(in2outRegions[0].asSlice(0, slots * 8), out2inRegions[0].asSlice(0, slots * 8), slots);
    }

    /**
     * Grows the indexes when {@code sessions} entries would take them past half full (lock held). Pending out2in
     * entries are published first, so that the copy carries every entry.
     */
    private void ensureIndexRoom(long sessions) {
        Indexes current = indexes;
        if (sessions * 2 <= current.slots() || current.slots() == fullSlots) {
            return;
        }
        publishPending();
        long slots = current.slots();
        while (sessions * 2 > slots && slots < fullSlots) {
            slots = Math.min(fullSlots, slots * 4);
        }
        int next = region ^ 1;
        Indexes grown = new Indexes(in2outRegions[next].asSlice(0, slots * 8), out2inRegions[next].asSlice(0, slots * 8),
                slots);
        copyEntries(current.in2out(), current.slots(), grown.in2out(), slots);
        copyEntries(current.out2in(), current.slots(), grown.out2in(), slots);
        epoch++;
        try {
            indexes = grown;
            // A reader still probing the old region may now read zeros: a miss, which the moved epoch retries.
            ZeroPages.clear(in2outRegions[region]);
            ZeroPages.clear(out2inRegions[region]);
        } finally {
            epoch++;
        }
        region = next;
        growths++;
    }

    private static void copyEntries(MemorySegment from, long fromSlots, MemorySegment to, long toSlots) {
        for (long pos = 0; pos < fromSlots; pos++) {
            long entry = from.get(LONG, pos << 3);
            if (entry != 0) {
                long at = home(entry, toSlots);
                while (to.get(LONG, at << 3) != 0) {
                    at = nextSlot(at, toSlots);
                }
                to.set(LONG, at << 3, entry);
            }
        }
    }

    /** Times the indexes grew since the table was opened. */
    public long indexGrowths() {
        return growths;
    }

    private static void checkCapacity(int capacity) {
        if (capacity < 1 || capacity > (1 << 28)) {
            throw new IllegalArgumentException("session capacity must be 1.." + (1 << 28) + ", got " + capacity);
        }
    }

    /** The table's own header on a fresh payload, which is all zeros already (a new file or fresh memory). */
    private void writeHeader() {
        records.asSlice(0, HEADER_SIZE).fill((byte) 0);
        records.set(INT, H_BYTE_ORDER, BYTE_ORDER_MARK);
        records.set(INT, H_CAPACITY, capacity);
        records.set(INT, H_SESSION_SIZE, SESSION_SIZE);
        writeUnusedFrom(0);
        records.set(LONG, H_MAGIC, MAGIC);
    }

    /**
     * Rebuilds the free list, the count and both indexes from the records: records in use whose expiry is
     * after {@code notExpiredAfter} stay, others are freed. Call with the lock held, before workers look up.
     * Returns the sessions kept. Only the records below the last one kept go on the free list (and are written):
     * the rest are above the high water.
     */
    int rebuild(long notExpiredAfter) {
        pending = 0;
        indexes = initialIndexes();
        freeHead = -1;
        count = 0;
        Arrays.fill(countByProtocol, 0);
        highWater = 0;
        for (int s = recordsInUseBelow(records, capacity) - 1; s >= 0; s--) {
            long base = base(s);
            if ((records.get(BYTE, base + S_FLAGS) & FLAG_IN_USE) != 0) {
                if (records.get(LONG, base + S_EXPIRES) > notExpiredAfter) {
                    highWater = s + 1;
                    break;
                }
                // expired: freed, so that no later check sees it beside a new session of the same flow
                records.set(BYTE, base + S_FLAGS, (byte) 0);
            }
        }
        for (int s = highWater - 1; s >= 0; s--) {
            long base = base(s);
            boolean keep = (records.get(BYTE, base + S_FLAGS) & FLAG_IN_USE) != 0
                    && records.get(LONG, base + S_EXPIRES) > notExpiredAfter;
            if (keep) {
                ensureIndexRoom(count + 1L);
                Indexes ix = indexes;
                int remoteAddress = records.get(INT, base + S_REMOTE_ADDRESS);
                int remotePort = records.get(SHORT, base + S_REMOTE_PORT) & 0xffff;
                insertIndex(ix.in2out(), ix.slots(), hash(records.get(LONG, base + S_IN_KEY), remoteAddress, remotePort), s);
                insertIndex(ix.out2in(), ix.slots(), hash(records.get(LONG, base + S_OUT_KEY), remoteAddress, remotePort), s);
                count++;
                countByProtocol[protocolClass(keyProtocol(records.get(LONG, base + S_IN_KEY)))]++;
            } else {
                records.set(BYTE, base + S_FLAGS, (byte) 0);
                records.set(INT, base + S_NEXT_FREE, freeHead);
                freeHead = s;
            }
        }
        // Nothing at or above the high water is in use now: the next open reads only what is below it.
        writeUnusedFrom(highWater);
        if (file != null) {
            // The checks and this pass read the records in; only those below the high water are used again.
            file.releaseResidentPages();
        }
        return count;
    }

    // ---- keys and hashing ----

    /** The key of an endpoint: address in the upper half, port and protocol in the lower. */
    public static long key(int address, int port, int protocol) {
        return ((long) address << 32) | ((long) (port & 0xffff) << 16) | (protocol & 0xff);
    }

    static int keyAddress(long key) {
        return (int) (key >>> 32);
    }

    static int keyPort(long key) {
        return (int) (key >>> 16) & 0xffff;
    }

    static int keyProtocol(long key) {
        return (int) key & 0xff;
    }

    /** MurmurHash3's 64-bit finaliser ({@link PortBlocks#mix}): every key bit reaches both the slot position and the tag. */
    static long mix(long key) {
        return PortBlocks.mix(key);
    }

    /** The index hash of a 5-tuple: an endpoint's key and the remote endpoint, mixed so every bit counts. */
    static long hash(long endpointKey, int remoteAddress, int remotePort) {
        return mix(endpointKey ^ mix(((long) remoteAddress << 16) | (remotePort & 0xffff)));
    }

    // ---- lookups (lock-free, any thread) ----

    /**
     * The session of the flow between inside endpoint {@code key} and {@code remoteAddress}:{@code remotePort}
     * (for ICMP echo the remote port is 0), or -1.
     */
    public int lookupIn2Out(long key, int remoteAddress, int remotePort) {
        return lookup(true, S_IN_KEY, key, remoteAddress, remotePort & 0xffff);
    }

    /** The session of the flow between outside endpoint {@code key} and the remote endpoint, or -1. */
    public int lookupOut2In(long key, int remoteAddress, int remotePort) {
        return lookup(false, S_OUT_KEY, key, remoteAddress, remotePort & 0xffff);
    }

    private int lookup(boolean in2outSide, int keyField, long key, int remoteAddress, int remotePort) {
        while (true) {
            long before = epoch;
            Indexes ix = indexes;
            int found = probe(in2outSide ? ix.in2out() : ix.out2in(), ix.slots(), keyField, key, remoteAddress, remotePort);
            if (found >= 0 || ((before & 1) == 0 && before == epoch)) {
                return found;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Reads the home slot of the flow's in2out index entry, so that a lookup or insert for it soon after finds the
     * line in the cache: a slow path that does this for a whole frame first lets the frame's cache misses overlap
     * instead of meeting them one after the other. Returns the slot (callers fold it into something they keep, so
     * the read is not optimised away).
     */
    long prefetchIn2Out(long key, int remoteAddress, int remotePort) {
        Indexes ix = indexes;
        return ix.in2out().get(LONG, home(hash(key, remoteAddress, remotePort & 0xffff), ix.slots()) << 3);
    }

    private int probe(MemorySegment index, long slots, int keyField, long key, int remoteAddress, int remotePort) {
        long h = hash(key, remoteAddress, remotePort);
        int tag = (int) (h >>> 32);
        long pos = home(h, slots);
        // Bounded: a reader that took the indexes just before a growth may be probing a region since reused for a
        // bigger index, with no empty slot in the range it wraps over; it gives up and the moved epoch retries.
        for (long probes = 0; probes < slots; probes++) {
            long entry = (long) SLOT.getAcquire(index, pos << 3);
            if (entry == 0) {
                return -1;
            }
            if ((int) (entry >>> 32) == tag) {
                int s = (int) entry - 1;
                long base = base(s);
                if (records.get(LONG, base + keyField) == key && records.get(INT, base + S_REMOTE_ADDRESS) == remoteAddress
                        && (records.get(SHORT, base + S_REMOTE_PORT) & 0xffff) == remotePort) {
                    return s;
                }
            }
            pos = nextSlot(pos, slots);
        }
        return -1;
    }

    // ---- writes (lock held) ----

    public Object lock() {
        return lock;
    }

    /**
     * Opens a batch of inserts (lock held, until {@link #endBatch} before the lock is let go): each insert publishes
     * its in2out entry at once and its out2in entry at the batch's end, all together. Until then a session of the
     * batch is not found from outside, as if it were made a moment later: no packet of it has left the box yet, so
     * nothing can answer it. A remove, and {@link #publishPending}, publish what is pending first; a caller that
     * looks up out2in under the lock during a batch calls {@link #publishPending} before.
     */
    void beginBatch() {
        batching = true;
    }

    /** Publishes the batch's pending out2in entries and closes it. */
    void endBatch() {
        publishPending();
        batching = false;
    }

    /** Publishes the pending out2in entries: every home slot touched first, so the misses overlap, then inserted. */
    void publishPending() {
        int n = pending;
        if (n == 0) {
            return;
        }
        Indexes ix = indexes;
        long read = 0;
        for (int i = 0; i < n; i++) {
            read ^= ix.out2in().get(LONG, home(pendingHashes[i], ix.slots()) << 3);
        }
        touched ^= read;
        for (int i = 0; i < n; i++) {
            insertIndex(ix.out2in(), ix.slots(), pendingHashes[i], pendingSessions[i]);
        }
        pending = 0;
    }

    /**
     * Takes a free record, fills it and publishes it in both indexes; -1 when the table is full. The caller
     * has checked that neither 5-tuple is present.
     */
    public int insert(long inKey, long outKey, int remoteAddress, int remotePort, int insideSw, boolean isStatic,
               long now, long expiresAt) {
        if (count == capacity) {
            return -1;
        }
        ensureIndexRoom(count + 1L);
        int s = freeHead;
        long base;
        if (s >= 0) {
            base = base(s);
            freeHead = records.get(INT, base + S_NEXT_FREE);
        } else if (highWater < capacity) {
            s = highWater++;
            base = base(s);
            if (highWater > unusedFrom) {
                // before the record is marked in use: a restart after this reads up to it
                long roundedUp = (highWater + (long) UNUSED_FROM_STEP - 1) / UNUSED_FROM_STEP * UNUSED_FROM_STEP;
                writeUnusedFrom((int) Math.min(capacity, roundedUp));
            }
        } else {
            return -1;
        }
        records.set(LONG, base + S_IN_KEY, inKey);
        records.set(LONG, base + S_OUT_KEY, outKey);
        records.set(LONG, base + S_EXPIRES, expiresAt);
        records.set(LONG, base + S_LAST_HEARD, now);
        records.set(LONG, base + S_PACKETS, 0);
        records.set(LONG, base + S_BYTES, 0);
        records.set(INT, base + S_REMOTE_ADDRESS, remoteAddress);
        records.set(SHORT, base + S_REMOTE_PORT, (short) remotePort);
        records.set(BYTE, base + S_TCP_STATE, (byte) 0);
        tcpWindows.forget(s);
        records.set(INT, base + S_INSIDE_SW, insideSw);
        records.set(INT, base + S_NEXT_FREE, -1);
        records.set(BYTE, base + S_FLAGS, (byte) (FLAG_IN_USE | (isStatic ? FLAG_STATIC : 0)));
        VarHandle.releaseFence();
        Indexes ix = indexes;
        insertIndex(ix.in2out(), ix.slots(), hash(inKey, remoteAddress, remotePort), s);
        long outHash = hash(outKey, remoteAddress, remotePort);
        if (batching) {
            if (pending == PENDING) {
                publishPending();
            }
            pendingHashes[pending] = outHash;
            pendingSessions[pending++] = s;
        } else {
            insertIndex(ix.out2in(), ix.slots(), outHash, s);
        }
        count++;
        countByProtocol[protocolClass(keyProtocol(inKey))]++;
        return s;
    }

    private static void insertIndex(MemorySegment index, long slots, long h, int s) {
        long pos = home(h, slots);
        while ((long) SLOT.getAcquire(index, pos << 3) != 0) {
            pos = nextSlot(pos, slots);
        }
        SLOT.setRelease(index, pos << 3, (h & 0xffffffff00000000L) | ((s + 1) & 0xffffffffL));
    }

    /** Unpublishes session {@code s} from both indexes and frees its record. */
    public void remove(int s) {
        long base = base(s);
        if ((records.get(BYTE, base + S_FLAGS) & FLAG_IN_USE) == 0) {
            return;
        }
        publishPending();
        epoch++;
        try {
            int remoteAddress = records.get(INT, base + S_REMOTE_ADDRESS);
            int remotePort = records.get(SHORT, base + S_REMOTE_PORT) & 0xffff;
            Indexes ix = indexes;
            removeIndex(ix.in2out(), ix.slots(), hash(records.get(LONG, base + S_IN_KEY), remoteAddress, remotePort), s);
            removeIndex(ix.out2in(), ix.slots(), hash(records.get(LONG, base + S_OUT_KEY), remoteAddress, remotePort), s);
        } finally {
            epoch++;
        }
        records.set(BYTE, base + S_FLAGS, (byte) 0);
        records.set(INT, base + S_NEXT_FREE, freeHead);
        freeHead = s;
        count--;
        countByProtocol[protocolClass(keyProtocol(records.get(LONG, base + S_IN_KEY)))]--;
    }

    /** Backward-shift deletion for linear probing (Knuth 6.4, algorithm R): no tombstones are left. */
    private static void removeIndex(MemorySegment index, long slots, long h, int s) {
        long hole = home(h, slots);
        while (true) {
            long entry = (long) SLOT.getAcquire(index, hole << 3);
            if (entry == 0) {
                return;
            }
            if ((int) entry == s + 1) {
                break;
            }
            hole = nextSlot(hole, slots);
        }
        long next = hole;
        while (true) {
            next = nextSlot(next, slots);
            long entry = (long) SLOT.getAcquire(index, next << 3);
            if (entry == 0) {
                break;
            }
            long home = home(entry, slots);
            boolean staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!staysPut) {
                SLOT.setRelease(index, hole << 3, entry);
                hole = next;
            }
        }
        SLOT.setRelease(index, hole << 3, 0L);
    }

    /**
     * Visits up to {@code budget} records from where the last call stopped and returns, through
     * {@code expired}, those in use whose expiry is at or before {@code now} (the caller frees them with
     * its own bookkeeping). Returns how many it put in {@code expired}. A budget above the capacity visits each
     * record once: a record returned twice would be counted expired twice.
     */
    int collectExpired(long now, int budget, int[] expired) {
        int found = 0;
        int cursor = expiryCursor < highWater ? expiryCursor : 0;
        int visits = Math.min(budget, highWater);
        for (int i = 0; i < visits && found < expired.length; i++) {
            long base = base(cursor);
            if ((records.get(BYTE, base + S_FLAGS) & FLAG_IN_USE) != 0 && records.get(LONG, base + S_EXPIRES) <= now) {
                expired[found++] = cursor;
            }
            cursor = cursor + 1 == highWater ? 0 : cursor + 1;
        }
        expiryCursor = cursor;
        return found;
    }

    /**
     * The least recently heard of the expired sessions among up to {@code budget} records from where the last call
     * stopped, or -1: what a full table (or a full inside address, {@code insideAddress} other than 0) recycles
     * before it refuses, as VPP's NAT44-ED does with the head of its LRU list. VPP keeps that list per worker thread;
     * here the record has no room for its links and its writers are several, so the oldest in a window of the table
     * stands in for it (the whole table when it is no larger than the window). Static sessions are not recycled.
     */
    int leastRecentlyHeardExpired(long now, int insideAddress, int budget) {
        int best = -1;
        long bestHeard = Long.MAX_VALUE;
        int cursor = reuseCursor < highWater ? reuseCursor : 0;
        int visits = Math.min(budget, highWater);
        for (int i = 0; i < visits; i++) {
            long base = base(cursor);
            int flags = records.get(BYTE, base + S_FLAGS);
            if ((flags & (FLAG_IN_USE | FLAG_STATIC)) == FLAG_IN_USE && records.get(LONG, base + S_EXPIRES) <= now
                    && (insideAddress == 0 || keyAddress(records.get(LONG, base + S_IN_KEY)) == insideAddress)) {
                long heard = records.get(LONG, base + S_LAST_HEARD);
                if (heard < bestHeard) {
                    bestHeard = heard;
                    best = cursor;
                }
            }
            cursor = cursor + 1 == highWater ? 0 : cursor + 1;
        }
        reuseCursor = cursor;
        return best;
    }

    // ---- record fields ----

    static long base(int s) {
        return HEADER_SIZE + (long) s * SESSION_SIZE;
    }

    MemorySegment records() {
        return records;
    }

    boolean inUse(int s) {
        return (records.get(BYTE, base(s) + S_FLAGS) & FLAG_IN_USE) != 0;
    }

    boolean isStatic(int s) {
        return (records.get(BYTE, base(s) + S_FLAGS) & FLAG_STATIC) != 0;
    }

    long inKey(int s) {
        return records.get(LONG, base(s) + S_IN_KEY);
    }

    long outKey(int s) {
        return records.get(LONG, base(s) + S_OUT_KEY);
    }

    long expiresAt(int s) {
        return records.get(LONG, base(s) + S_EXPIRES);
    }

    long lastHeard(int s) {
        return records.get(LONG, base(s) + S_LAST_HEARD);
    }

    long packets(int s) {
        return records.get(LONG, base(s) + S_PACKETS);
    }

    long bytes(int s) {
        return records.get(LONG, base(s) + S_BYTES);
    }

    int remoteAddress(int s) {
        return records.get(INT, base(s) + S_REMOTE_ADDRESS);
    }

    int remotePort(int s) {
        return records.get(SHORT, base(s) + S_REMOTE_PORT) & 0xffff;
    }

    int tcpState(int s) {
        return records.get(BYTE, base(s) + S_TCP_STATE) & 0xff;
    }

    int insideSwIfIndex(int s) {
        return records.get(INT, base(s) + S_INSIDE_SW);
    }

    /** A packet passed: counts it and moves the expiry (the worker's plain writes; readers tolerate tearing). */
    void touch(int s, long now, long expiresAt, int bytes, int tcpState) {
        long base = base(s);
        records.set(LONG, base + S_EXPIRES, expiresAt);
        records.set(LONG, base + S_LAST_HEARD, now);
        records.set(LONG, base + S_PACKETS, records.get(LONG, base + S_PACKETS) + 1);
        records.set(LONG, base + S_BYTES, records.get(LONG, base + S_BYTES) + bytes);
        records.set(BYTE, base + S_TCP_STATE, (byte) tcpState);
    }

    /**
     * One past the highest record in use since the table was opened (every record from here on is free): where
     * a pass over the records may stop, so that it reads in no page the table has not used.
     */
    int highWater() {
        return highWater;
    }

    public int capacity() {
        return capacity;
    }

    public int count() {
        return count;
    }

    /** Sessions of IP protocol {@code protocol} (TCP, UDP, ICMP; any other number: all the others together). */
    public int count(int protocol) {
        return countByProtocol[protocolClass(protocol)];
    }

    private static int protocolClass(int protocol) {
        return switch (protocol) {
            case Ipv4.PROTOCOL_TCP -> 0;
            case Ipv4.PROTOCOL_UDP -> 1;
            case Ipv4.PROTOCOL_ICMP -> 2;
            default -> 3;
        };
    }

    /** Entries in the in2out and the out2in index together (a scan, for tests): twice the sessions when consistent. */
    long indexEntries() {
        Indexes ix = indexes;
        long entries = 0;
        for (long pos = 0; pos < ix.slots(); pos++) {
            entries += (ix.in2out().get(LONG, pos << 3) != 0 ? 1 : 0) + (ix.out2in().get(LONG, pos << 3) != 0 ? 1 : 0);
        }
        return entries;
    }

    /** Bytes of the records: the mapped file's payload, or anonymous memory. */
    long recordBytes() {
        return records.byteSize();
    }

    /** Bytes of each index as it is now (it grows: {@link #ensureIndexRoom}). */
    long indexBytes() {
        return indexes.slots() * 8;
    }

    /** Bytes of memory the table holds: the records (mapped) and both indexes as they are now (anonymous). */
    public long memoryBytes() {
        return records.byteSize() + 2 * indexBytes();
    }

    Path file() {
        return file == null ? null : file.path();
    }

    /** How the file was found when it was opened (created, reopened, migrated, replaced), or null for anonymous. */
    StateFile.Outcome fileOutcome() {
        return file == null ? null : file.outcome();
    }

    /**
     * Writes dirty pages of the mapped file to the device (msync), for power loss; a crash loses nothing anyway.
     * Takes no lock (msync is safe while workers write the mapping): call it from the control plane only.
     */
    void force() {
        if (file != null) {
            file.force();
        }
    }

    @Override
    public void close() {
        arena.close();
        tcpWindows.close();
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // the mapping is released; nothing is left to write
            }
        }
    }
}
