package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionInfo;
import io.sluice.acl.api.AclSessions.SessionTimeouts;
import io.sluice.common.state.ZeroPages;
import io.sluice.packet.api.Ipv4;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reflect sessions, off-heap, in two parts: dense session records in one native region (a mapped file or a
 * segment the graph retains), so that the table outlives the node instances that use it and costs the garbage
 * collector nothing; and a lookup index of int entries, in anonymous memory of the table's own, rebuilt from the
 * records whenever a table attaches to a region (the index is never persisted).
 *
 * <pre>
 *  record (64 bytes, one cache line):
 *  +0  int  state: version (31-2) | LIVE (bit 1) | WRITING (bit 0), a seqlock for the lock-free readers
 *  +4  int  TCP flags seen: bits 0-7 from the creating side, 8-15 from the reply side
 *  +8  long key0: initiator address (high 32) | responder address (low 32)
 *  +16 long key1: initiator port (63-48) | responder port (47-32) | protocol (31-24) | sw_if_index (23-0)
 *  +24 long last active, nanoseconds of the table's time source
 *  +32 long created
 *  +40 long packets
 *  +48 long bytes (IPv4 total length)
 *  +56 int  sw_if_index
 *  +60 int  1 when created on the input side
 * </pre>
 *
 * <p>Residency follows the live sessions: a new session takes the lowest free record (a bitmap of the records in
 * use, on the heap: 64 kB for half a million), below a high water mark that freeing the top record lowers past
 * the free records beneath it. Ten thousand sessions are then 640 kB at the front of the file, whatever its size,
 * and {@link #releasePagesAboveHighWater} hands the rest to the owner to give back (madvise). A hash table over
 * the file itself spreads the same sessions over nearly every page of it, so all of it becomes resident.
 *
 * <p>The index is open addressing with linear probing over {@code 2 x records} int entries: 0 for none, else the
 * record number plus one in the low bits and bits of the key's hash above them (a tag, so that a probe reads a
 * record only for a likely match). Deletion shifts the entries after it back (no tombstones, so chains never
 * grow past what the live sessions need). Its memory is {@link ZeroPages}: resident where entries were written.
 *
 * <p>Concurrency: inserts and deletions take {@link #writer} (the per-frame sweep only tries it, so a worker
 * never waits on another's sweep, and the control plane's clear takes it in chunks). Lookups take no lock: a
 * record's key is trusted only between two equal reads of its state (a seqlock: a record freed and taken again
 * meanwhile has another version), and a lookup that misses while {@link #epoch} moved (a backward shift may
 * have carried its entry past the probe) probes again, so a shift never hides a live session from a worker.
 * Per-session counters and flags are updated without atomics by whichever worker sees the packet: under races
 * between workers they are approximate, the session itself is not.
 *
 * <p>Keys are in initiator order: a packet on the side that created the session looks itself up as it is
 * (source first), a packet on the other side of the same interface with source and destination swapped.
 * For ICMP echo both "ports" are the echo identifier (RFC 792: the reply carries the request's
 * identifier), so an echo reply finds its request's session. Session times are wall-clock nanoseconds
 * ({@link TimeSource#SYSTEM}) so that the file carries them across a restart of the box.
 */
final class SessionTable implements AutoCloseable {
    static final int SLOT_SIZE = 64;
    /** A record's state bits: being written (readers skip it), holding a live session. */
    static final int WRITING = 1;
    static final int LIVE = 2;
    private static final int STATE_BITS = 3;
    private static final int VERSION_STEP = 4;
    /** Records swept for expired sessions, at most, before an insert into a full table is refused. */
    static final int FULL_SWEEP = 1024;
    /** Sessions the control plane's clear deletes per hold of the writer lock. */
    static final int CLEAR_CHUNK = 1024;
    /**
     * Probes of a lookup that raced with deletions, and waits for a deletion's shift to end (a writer preempted in
     * one), before the lookup reports a miss: fail closed (the rules then decide, as after a timeout), never a
     * worker stalled without end behind a descheduled writer.
     */
    private static final int LOOKUP_RETRIES = 1 << 12;
    private static final int SHIFT_WAITS = 1 << 22;
    private static final long FULL_SWEEP_INTERVAL_NANOS = 1_000_000L;

    private static final long STATE = 0;
    private static final long TCP_FLAGS = 4;
    private static final long KEY0 = 8;
    private static final long KEY1 = 16;
    private static final long LAST_ACTIVE = 24;
    private static final long CREATED = 32;
    private static final long PACKETS = 40;
    private static final long BYTES = 48;
    private static final long SW_IF_INDEX = 56;
    private static final long CREATED_ON_INPUT = 60;

    private static final VarHandle INT_HANDLE = ValueLayout.JAVA_INT.varHandle();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    /** TCP flag bits (RFC 9293 section 3.1). */
    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;
    private static final int TCP_ACK = 0x10;
    private static final int SYN_ACK_BOTH_WAYS = (TCP_SYN | TCP_ACK) << 8 | (TCP_SYN | TCP_ACK);
    private static final int STATE_FLAGS_BOTH_WAYS = (TCP_RST | TCP_FIN | TCP_ACK | TCP_SYN) << 8
            | (TCP_RST | TCP_FIN | TCP_ACK | TCP_SYN);

    static final String TIMEOUT_TCP_IDLE = "tcp-idle";
    static final String TIMEOUT_TCP_TRANSIENT = "tcp-transient";
    static final String TIMEOUT_UDP_IDLE = "udp-idle";

    /** Region header: what a table attaching to a retained region checks and keeps. */
    static final int HEADER_SIZE = 64;
    private static final long MAGIC = 0x534c_4143_4c53_0002L; // "SLACLS" v2: dense records
    private static final long HEADER_MAGIC = 0;
    private static final long HEADER_CAPACITY = 8;
    private static final long HEADER_HIGH_WATER = 12;
    private static final long HEADER_LIVE = 16;
    private static final long HEADER_ADDED = 24;
    private static final long HEADER_DELETED = 32;
    private static final long HEADER_EXPIRED = 40;
    private static final long HEADER_REFUSED = 48;
    private static final long HEADER_SWEEP_CURSOR = 56;

    private final Arena arena;
    private final Arena indexArena = Arena.ofShared();
    private final MemorySegment header;
    private final MemorySegment records;
    private final int capacity;
    private final MemorySegment index;
    private final int indexMask;
    /** Bits of an index entry that hold the record number plus one; the tag is above them. */
    private final int tagShift;
    private final int recordMask;
    /** Records in use, a bit each; written under {@link #writer} only. */
    private final long[] inUse;
    /** Records below it may be in use; none from it on. Under {@link #writer}, mirrored in the header. */
    private volatile int highWater;
    /** No record below it is free: where the next allocation starts looking. */
    private int lowestFree;
    private final ReentrantLock writer = new ReentrantLock();
    /** Odd while a deletion shifts index entries; moves on with each. */
    private volatile int epoch;
    private volatile long maxSessions;
    /**
     * Sessions one interface may hold (those created there): the internet's unsolicited flows at the GbE, or one
     * pod, fill their own share only; a refusal past it is counted with the full table's and hurts no one else.
     */
    private volatile long maxPerInterface = Long.MAX_VALUE;
    /** Live sessions by the sw_if_index they were created on (below {@link #COUNTED_INTERFACES}). */
    private final AtomicLongArray liveByInterface = new AtomicLongArray(COUNTED_INTERFACES);
    /** Interfaces whose sessions are counted against {@link #maxPerInterface}; higher indices share the table only. */
    static final int COUNTED_INTERFACES = 4096;
    /**
     * Sessions one host may hold: the initiator of the session, which is the host behind the interface it was
     * created on (a pod, for its port's input reflect), so that one pod cannot take its port's whole share from
     * another pod behind the same port, nor a host the GbE reflects for the GbE's.
     */
    private volatile long maxPerHost = Long.MAX_VALUE;
    private final HostSessionCounts liveByHost = new HostSessionCounts();
    /** Inserts refused by the per-interface or the per-host quota (also counted in {@link #refusedFull}). */
    private final AtomicLong refusedQuota = new AtomicLong();
    /** What {@link #insert} returns when the table is full. */
    static final int REFUSED_FULL = -1;
    /** What {@link #insert} returns when the interface or the host holds its quota. */
    static final int REFUSED_QUOTA = -2;
    private volatile long tcpIdleNanos;
    private volatile long tcpTransientNanos;
    private volatile long udpIdleNanos;
    private volatile long lastFullSweep;
    private final SegmentCounter sweepCursor;
    private final SegmentCounter live;
    private final SegmentCounter added;
    private final SegmentCounter deleted;
    private final SegmentCounter expired;
    private final SegmentCounter refusedFull;

    /** A table for {@code maxSessions} sessions in memory of its own (freed by {@link #close()}). */
    SessionTable(long maxSessions, SessionTimeouts timeouts) {
        this(maxSessions, timeouts, null);
    }

    /**
     * A table for {@code maxSessions} sessions (records for the next power of two), in {@code region} (of
     * {@link #regionSize} bytes) when given: a region that already holds a table of the same record count is
     * attached to, sessions and counters as they are, and the index is built from its records.
     */
    SessionTable(long maxSessions, SessionTimeouts timeouts, MemorySegment region) {
        this.capacity = recordsFor(maxSessions);
        MemorySegment memory;
        if (region == null) {
            arena = Arena.ofShared();
            memory = ZeroPages.allocate(arena, regionSize(maxSessions));
        } else {
            arena = null;
            memory = region;
        }
        boolean attach = memory.get(LONG, HEADER_MAGIC) == MAGIC && memory.get(INT, HEADER_CAPACITY) == capacity
                && memory.get(INT, HEADER_HIGH_WATER) >= 0 && memory.get(INT, HEADER_HIGH_WATER) <= capacity;
        if (!attach) {
            // A region not attached to is fresh, all zeros (a new state file, new memory): writing the records
            // would make the whole file resident, so only the header is cleared.
            memory.asSlice(0, HEADER_SIZE).fill((byte) 0);
            memory.set(INT, HEADER_CAPACITY, capacity);
            memory.set(LONG, HEADER_MAGIC, MAGIC);
        }
        this.header = memory;
        this.records = memory.asSlice(HEADER_SIZE, (long) capacity * SLOT_SIZE);
        int indexSlots = capacity * 2;
        this.index = ZeroPages.allocate(indexArena, (long) indexSlots * Integer.BYTES);
        this.indexMask = indexSlots - 1;
        this.tagShift = Integer.numberOfTrailingZeros(capacity) + 1;
        this.recordMask = (1 << tagShift) - 1;
        this.inUse = new long[(capacity + 63) >>> 6];
        this.live = new SegmentCounter(memory, HEADER_LIVE);
        this.added = new SegmentCounter(memory, HEADER_ADDED);
        this.deleted = new SegmentCounter(memory, HEADER_DELETED);
        this.expired = new SegmentCounter(memory, HEADER_EXPIRED);
        this.refusedFull = new SegmentCounter(memory, HEADER_REFUSED);
        this.sweepCursor = new SegmentCounter(memory, HEADER_SWEEP_CURSOR);
        this.maxSessions = Math.min(maxSessions, capacity);
        setTimeouts(timeouts);
        if (attach) {
            rebuild(memory.get(INT, HEADER_HIGH_WATER));
        }
    }

    /**
     * Indexes the live records below {@code storedHighWater} and frees the rest (a write a crash interrupted
     * left its record WRITING: it never held a session a worker saw), then recounts from them: the live count,
     * the quotas' counts and the high water are what the records say, whatever the header said.
     */
    private void rebuild(int storedHighWater) {
        long liveFound = 0;
        for (int record = 0; record < storedHighWater; record++) {
            int state = state(record);
            if ((state & STATE_BITS) != LIVE) {
                if (state != 0) {
                    INT_HANDLE.setRelease(records, (long) record * SLOT_SIZE + STATE, (state & ~STATE_BITS) + VERSION_STEP);
                }
                continue;
            }
            long at = (long) record * SLOT_SIZE;
            long key0 = records.get(LONG, at + KEY0);
            long key1 = records.get(LONG, at + KEY1);
            if (findIndexed(key0, key1) >= 0) {
                // Two records of one key: only a damaged file holds them; the second is dropped.
                INT_HANDLE.setRelease(records, at + STATE, (state & ~STATE_BITS) + VERSION_STEP);
                continue;
            }
            inUse[record >>> 6] |= 1L << record;
            highWater = record + 1;
            putIndex(key0, key1, record);
            countInterface(record, 1);
            liveByHost.tryAdd(host(record), Long.MAX_VALUE);
            liveFound++;
        }
        header.set(INT, HEADER_HIGH_WATER, highWater);
        lowestFree = nextFree(0);
        live.addAndGet(liveFound - live.get());
    }

    /** The host a session is counted against: its initiator (key0's high half). */
    private int host(int record) {
        return (int) (records.get(LONG, (long) record * SLOT_SIZE + KEY0) >>> 32);
    }

    /** Takes a session off its interface's and its host's counts. */
    private void uncount(int record) {
        countInterface(record, -1);
        liveByHost.remove(host(record));
    }

    void setMaxPerHost(long max) {
        this.maxPerHost = max;
    }

    long maxPerHost() {
        return maxPerHost;
    }

    /** Live sessions whose initiator is {@code address}, as counted. */
    long liveOfHost(int address) {
        return liveByHost.count(address);
    }

    long refusedQuota() {
        return refusedQuota.get();
    }

    private void countInterface(int record, int delta) {
        int sw = records.get(INT, (long) record * SLOT_SIZE + SW_IF_INDEX);
        if (sw >= 0 && sw < COUNTED_INTERFACES) {
            liveByInterface.addAndGet(sw, delta);
        }
    }

    void setMaxPerInterface(long max) {
        this.maxPerInterface = max;
    }

    long maxPerInterface() {
        return maxPerInterface;
    }

    /** Live sessions created on {@code swIfIndex}. */
    long liveOn(int swIfIndex) {
        return swIfIndex >= 0 && swIfIndex < COUNTED_INTERFACES ? liveByInterface.get(swIfIndex) : 0;
    }

    private static int recordsFor(long maxSessions) {
        if (maxSessions < 1 || maxSessions > (1 << 28)) {
            throw new IllegalArgumentException("maximum sessions " + maxSessions + " is not 1.." + (1 << 28));
        }
        return Math.max(64, Integer.highestOneBit((int) (maxSessions * 2 - 1)));
    }

    /** Records of a table for {@code maxSessions} sessions: the state file's count of 64-byte records. */
    static int slotCount(long maxSessions) {
        return recordsFor(maxSessions);
    }

    /** True when {@code header} (the region's first {@link #HEADER_SIZE} bytes) is a table of {@code slots} records. */
    static boolean holdsTable(java.nio.ByteBuffer header, int slots) {
        return header.getLong((int) HEADER_MAGIC) == MAGIC && header.getInt((int) HEADER_CAPACITY) == slots;
    }

    /**
     * Null when {@code region}, about to be attached to, holds a sound table of {@code slots} records; else the
     * first thing wrong: its header, a high water out of range, a record in a state no table writes, or a record
     * at or above the high water that is not free (a writer raises the high water before it writes a record).
     */
    static String damage(MemorySegment region, int slots) {
        if (region.get(LONG, HEADER_MAGIC) != MAGIC || region.get(INT, HEADER_CAPACITY) != slots) {
            return "the session table's own header does not match its file header";
        }
        int highWater = region.get(INT, HEADER_HIGH_WATER);
        if (highWater < 0 || highWater > slots) {
            return "the session table's high water " + highWater + " is not 0.." + slots;
        }
        for (int record = 0; record < slots; record++) {
            int state = region.get(INT, HEADER_SIZE + (long) record * SLOT_SIZE + STATE);
            if ((state & STATE_BITS) == STATE_BITS || (record >= highWater && (state & STATE_BITS) != 0)) {
                return "record " + record + " is in state " + state + ", not one a table writes there";
            }
        }
        return null;
    }

    /** Bytes of the region a table for {@code maxSessions} sessions needs: header and records. */
    static long regionSize(long maxSessions) {
        return HEADER_SIZE + (long) recordsFor(maxSessions) * SLOT_SIZE;
    }

    /** A long counter kept in the region's header, updated atomically by any worker. */
    private static final class SegmentCounter {
        private static final VarHandle LONG_HANDLE = ValueLayout.JAVA_LONG.varHandle();
        private final MemorySegment memory;
        private final long offset;

        SegmentCounter(MemorySegment memory, long offset) {
            this.memory = memory;
            this.offset = offset;
        }

        long get() {
            return (long) LONG_HANDLE.getVolatile(memory, offset);
        }

        long addAndGet(long delta) {
            return (long) LONG_HANDLE.getAndAdd(memory, offset, delta) + delta;
        }

        long getAndAdd(long delta) {
            return (long) LONG_HANDLE.getAndAdd(memory, offset, delta);
        }

        long incrementAndGet() {
            return addAndGet(1);
        }

        long decrementAndGet() {
            return addAndGet(-1);
        }
    }

    /** Records of the table: the most {@link #setMaxSessions} allows. */
    int capacity() {
        return capacity;
    }

    long maxSessions() {
        return maxSessions;
    }

    /** Takes effect for inserts from now on; the record count stays what it was built with. */
    void setMaxSessions(long max) {
        this.maxSessions = Math.min(max, capacity);
    }

    void setTimeouts(SessionTimeouts timeouts) {
        tcpIdleNanos = timeouts.tcpIdleSeconds() * 1_000_000_000L;
        tcpTransientNanos = timeouts.tcpTransientSeconds() * 1_000_000_000L;
        udpIdleNanos = timeouts.udpIdleSeconds() * 1_000_000_000L;
    }

    SessionTimeouts timeouts() {
        return new SessionTimeouts(tcpIdleNanos / 1_000_000_000L, tcpTransientNanos / 1_000_000_000L,
                udpIdleNanos / 1_000_000_000L);
    }

    static long key0(int initiatorAddress, int responderAddress) {
        return (long) initiatorAddress << 32 | (responderAddress & 0xffffffffL);
    }

    static long key1(int initiatorPort, int responderPort, int protocol, int swIfIndex) {
        return (long) initiatorPort << 48 | (long) responderPort << 32 | (long) (protocol & 0xff) << 24
                | (swIfIndex & 0xffffff);
    }

    private static int hash(long key0, long key1) {
        long h = key0 * 0x9E3779B97F4A7C15L ^ key1 * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (int) h;
    }

    /** The tag of an entry for {@code hash}: its top bits, above the record number. */
    private int tag(int hash) {
        return (hash >>> tagShift) << tagShift;
    }

    private int entry(int position) {
        return (int) INT_HANDLE.getAcquire(index, (long) position * Integer.BYTES);
    }

    private void setEntry(int position, int entry) {
        INT_HANDLE.setRelease(index, (long) position * Integer.BYTES, entry);
    }

    private int state(int record) {
        return (int) INT_HANDLE.getAcquire(records, (long) record * SLOT_SIZE + STATE);
    }

    /** The high water mark: records from it on are free, their pages given back by the release. */
    int highWater() {
        return highWater;
    }

    /** True when {@code record} is taken (for tests that check the allocator against the records). */
    boolean recordInUse(int record) {
        return (inUse[record >>> 6] & 1L << record) != 0;
    }

    /** The idle timeout of the session in {@code record}, by its protocol and the TCP flags it has seen. */
    private long timeoutNanos(int record) {
        long at = (long) record * SLOT_SIZE;
        int protocol = (int) (records.get(LONG, at + KEY1) >>> 24) & 0xff;
        if (protocol != Ipv4.PROTOCOL_TCP) {
            return udpIdleNanos;
        }
        int seen = records.get(INT, at + TCP_FLAGS);
        return (seen & STATE_FLAGS_BOTH_WAYS) == SYN_ACK_BOTH_WAYS ? tcpIdleNanos : tcpTransientNanos;
    }

    private boolean expiredAt(int record, long now) {
        return now - records.get(LONG, (long) record * SLOT_SIZE + LAST_ACTIVE) > timeoutNanos(record);
    }

    /** The record of the live, unexpired session with this key, or -1. Lock-free: for the workers. */
    int find(long key0, long key1, long now) {
        int hash = hash(key0, key1);
        int waits = 0;
        for (int attempt = 0; attempt < LOOKUP_RETRIES; attempt++) {
            int before = epoch;
            while ((before & 1) != 0) {
                if (++waits == SHIFT_WAITS) {
                    return -1;
                }
                Thread.onSpinWait();
                before = epoch;
            }
            int record = probe(key0, key1, hash);
            if (record >= 0) {
                return expiredAt(record, now) ? -1 : record;
            }
            if (epoch == before) {
                return -1;
            }
        }
        return -1;
    }

    /** The record with this key, read as a seqlock reader (the key trusted between two equal reads of its state). */
    private int probe(long key0, long key1, int hash) {
        int tag = tag(hash);
        int position = hash & indexMask;
        for (int probes = 0; probes <= indexMask; probes++) {
            int entry = entry(position);
            if (entry == 0) {
                return -1;
            }
            if ((entry & ~recordMask) == tag) {
                int record = (entry & recordMask) - 1;
                long at = (long) record * SLOT_SIZE;
                int state = state(record);
                if ((state & STATE_BITS) == LIVE) {
                    long k0 = records.get(LONG, at + KEY0);
                    long k1 = records.get(LONG, at + KEY1);
                    VarHandle.acquireFence();
                    if (k0 == key0 && k1 == key1 && (int) INT_HANDLE.getOpaque(records, at + STATE) == state) {
                        return record;
                    }
                }
            }
            position = (position + 1) & indexMask;
        }
        return -1;
    }

    /** The index position of the session with this key, or -1: under {@link #writer} (or before publication). */
    private int findIndexed(long key0, long key1) {
        int hash = hash(key0, key1);
        int tag = tag(hash);
        int position = hash & indexMask;
        for (int probes = 0; probes <= indexMask; probes++) {
            int entry = entry(position);
            if (entry == 0) {
                return -1;
            }
            if ((entry & ~recordMask) == tag) {
                long at = (long) ((entry & recordMask) - 1) * SLOT_SIZE;
                if (records.get(LONG, at + KEY0) == key0 && records.get(LONG, at + KEY1) == key1) {
                    return position;
                }
            }
            position = (position + 1) & indexMask;
        }
        return -1;
    }

    private void putIndex(long key0, long key1, int record) {
        int hash = hash(key0, key1);
        int position = hash & indexMask;
        while (entry(position) != 0) {
            position = (position + 1) & indexMask;
        }
        setEntry(position, tag(hash) | (record + 1));
    }

    /** The record an index entry names. */
    private int recordOf(int entry) {
        return (entry & recordMask) - 1;
    }

    /**
     * Creates a session, or returns the live one with the same key; {@link #REFUSED_FULL} when the table holds its
     * maximum (counted), {@link #REFUSED_QUOTA} when the interface holds {@code sessions.max-per-interface} or the
     * initiator {@code sessions.max-per-host}.
     */
    int insert(long key0, long key1, int swIfIndex, boolean createdOnInput, int tcpFlags, int bytes, long now) {
        writer.lock();
        try {
            int position = findIndexed(key0, key1);
            if (position >= 0) {
                int record = recordOf(entry(position));
                if (!expiredAt(record, now)) {
                    return record;
                }
                delete(position, record, true);
            }
            if (live.get() >= maxSessions && (!sweepWhenFull(now) || live.get() >= maxSessions)) {
                refusedFull.incrementAndGet();
                return REFUSED_FULL;
            }
            if (liveOn(swIfIndex) >= maxPerInterface && (!sweepWhenFull(now) || liveOn(swIfIndex) >= maxPerInterface)) {
                return refuseQuota();
            }
            int record = lowestFree;
            if (record >= capacity) {
                refusedFull.incrementAndGet();
                return REFUSED_FULL;
            }
            if (!liveByHost.tryAdd((int) (key0 >>> 32), maxPerHost)) {
                return refuseQuota();
            }
            inUse[record >>> 6] |= 1L << record;
            lowestFree = nextFree(record + 1);
            if (record >= highWater) {
                highWater = record + 1;
                header.set(INT, HEADER_HIGH_WATER, highWater);
            }
            long at = (long) record * SLOT_SIZE;
            int version = (state(record) & ~STATE_BITS) + VERSION_STEP;
            INT_HANDLE.setVolatile(records, at + STATE, version | WRITING);
            records.set(INT, at + TCP_FLAGS, tcpFlags & 0xff);
            records.set(LONG, at + KEY0, key0);
            records.set(LONG, at + KEY1, key1);
            records.set(LONG, at + LAST_ACTIVE, now);
            records.set(LONG, at + CREATED, now);
            records.set(LONG, at + PACKETS, 1);
            records.set(LONG, at + BYTES, bytes);
            records.set(INT, at + SW_IF_INDEX, swIfIndex);
            records.set(INT, at + CREATED_ON_INPUT, createdOnInput ? 1 : 0);
            INT_HANDLE.setRelease(records, at + STATE, version | LIVE);
            putIndex(key0, key1, record);
            live.incrementAndGet();
            countInterface(record, 1);
            added.incrementAndGet();
            return record;
        } finally {
            writer.unlock();
        }
    }

    /**
     * Puts back a session another table held (a migration): inserted as new, then its flags, times and traffic as
     * they were. False when the table has no record for it.
     */
    boolean restore(long key0, long key1, int swIfIndex, boolean createdOnInput, int tcpFlags, long lastActive,
                    long created, long packets, long bytes) {
        int record = insert(key0, key1, swIfIndex, createdOnInput, 0, 0, lastActive);
        if (record < 0) {
            return false;
        }
        long at = (long) record * SLOT_SIZE;
        records.set(INT, at + TCP_FLAGS, tcpFlags & 0xffff);
        records.set(LONG, at + CREATED, created);
        records.set(LONG, at + PACKETS, packets);
        records.set(LONG, at + BYTES, bytes);
        return true;
    }

    /** The first free record from {@code from} on, or {@link #capacity} when there is none. */
    private int nextFree(int from) {
        int word = from >>> 6;
        if (word >= inUse.length) {
            return capacity;
        }
        long free = ~inUse[word] & (-1L << from);
        while (free == 0) {
            if (++word == inUse.length) {
                return capacity;
            }
            free = ~inUse[word];
        }
        return Math.min(capacity, word * 64 + Long.numberOfTrailingZeros(free));
    }

    /**
     * Deletes the session of {@code record}, whose entry is at {@code position}, under {@link #writer}: the entries
     * after it in its run shift back over the hole (Knuth's deletion for linear probing) with {@link #epoch} odd,
     * the record is freed with a new version, and the high water drops past the free records below it.
     */
    private void delete(int position, int record, boolean expiredHere) {
        epoch = epoch + 1;
        int hole = position;
        int next = position;
        while (true) {
            next = (next + 1) & indexMask;
            int entry = entry(next);
            if (entry == 0) {
                break;
            }
            long at = (long) recordOf(entry) * SLOT_SIZE;
            int home = hash(records.get(LONG, at + KEY0), records.get(LONG, at + KEY1)) & indexMask;
            // The entry may fill the hole unless its home lies cyclically in (hole, next].
            boolean stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
            if (!stays) {
                setEntry(hole, entry);
                hole = next;
            }
        }
        setEntry(hole, 0);
        epoch = epoch + 1;
        long at = (long) record * SLOT_SIZE;
        INT_HANDLE.setRelease(records, at + STATE, (state(record) & ~STATE_BITS) + VERSION_STEP);
        uncount(record);
        inUse[record >>> 6] &= ~(1L << record);
        if (record < lowestFree) {
            lowestFree = record;
        }
        if (record == highWater - 1) {
            int top = record;
            while (top > 0 && !recordInUse(top - 1)) {
                top--;
            }
            highWater = top;
            header.set(INT, HEADER_HIGH_WATER, highWater);
        }
        live.decrementAndGet();
        deleted.incrementAndGet();
        if (expiredHere) {
            expired.incrementAndGet();
        }
    }

    /** A refusal by a quota: counted with the full table's (as before quotas had a counter of their own) and apart. */
    private int refuseQuota() {
        refusedFull.incrementAndGet();
        refusedQuota.incrementAndGet();
        return REFUSED_QUOTA;
    }

    /**
     * A full table sweeps {@link #FULL_SWEEP} records for expired sessions before refusing, at most once a
     * millisecond, so that a flood of new flows into a full table costs a bounded amount of extra work.
     */
    private boolean sweepWhenFull(long now) {
        long last = lastFullSweep;
        if (now - last < FULL_SWEEP_INTERVAL_NANOS && last != 0) {
            return false;
        }
        lastFullSweep = now;
        return sweep(now, FULL_SWEEP) > 0;
    }

    /** True when the session in {@code record} was created on the input side of its interface. */
    boolean createdOnInput(int record) {
        return records.get(INT, (long) record * SLOT_SIZE + CREATED_ON_INPUT) != 0;
    }

    /** Records a packet of the session: activity time, TCP flags by direction, traffic. */
    void touch(int record, boolean fromInitiator, int tcpFlags, int bytes, long now) {
        long at = (long) record * SLOT_SIZE;
        records.set(LONG, at + LAST_ACTIVE, now);
        int seen = records.get(INT, at + TCP_FLAGS);
        int add = fromInitiator ? tcpFlags & 0xff : (tcpFlags & 0xff) << 8;
        while ((seen | add) != seen && !INT_HANDLE.compareAndSet(records, at + TCP_FLAGS, seen, seen | add)) {
            seen = (int) INT_HANDLE.getVolatile(records, at + TCP_FLAGS);
        }
        records.set(LONG, at + PACKETS, records.get(LONG, at + PACKETS) + 1);
        records.set(LONG, at + BYTES, records.get(LONG, at + BYTES) + bytes);
    }

    /**
     * Examines the next {@code budget} records below the high water (a cursor shared by the workers) and deletes
     * the expired sessions; returns how many. Only when {@link #writer} is free: a worker never waits on another's
     * sweep or an insert, it sweeps at its next frame.
     */
    int sweep(long now, int budget) {
        if (!writer.tryLock()) {
            return 0;
        }
        try {
            int removed = 0;
            int examined = Math.min(budget, highWater);
            long start = sweepCursor.getAndAdd(examined);
            for (int i = 0; i < examined && highWater > 0; i++) {
                int record = (int) Long.remainderUnsigned(start + i, highWater);
                if (recordInUse(record) && expiredAt(record, now)) {
                    long at = (long) record * SLOT_SIZE;
                    delete(findIndexed(records.get(LONG, at + KEY0), records.get(LONG, at + KEY1)), record, true);
                    removed++;
                }
            }
            return removed;
        } finally {
            writer.unlock();
        }
    }

    /** Deletes every live session, {@link #CLEAR_CHUNK} per hold of the writer lock; returns how many there were. */
    int clear() {
        int removed = 0;
        boolean more = true;
        while (more) {
            writer.lock();
            try {
                int chunk = 0;
                while (highWater > 0 && chunk < CLEAR_CHUNK) {
                    int record = highWater - 1;
                    long at = (long) record * SLOT_SIZE;
                    delete(findIndexed(records.get(LONG, at + KEY0), records.get(LONG, at + KEY1)), record, false);
                    chunk++;
                }
                removed += chunk;
                more = highWater > 0;
            } finally {
                writer.unlock();
            }
        }
        return removed;
    }

    /** Where the pages above the high water are given back: their bytes from the start of the region. */
    @FunctionalInterface
    interface PageRelease {
        void release(long regionOffset, long bytes);
    }

    /**
     * Calls {@code release} for the records from the high water to the end of the region (the owner gives back
     * the whole pages in it, from a thread of the control plane) and returns the bytes. A record an insert takes
     * meanwhile is given back with its session in it, which a shared file mapping keeps (the next access maps the
     * page again).
     */
    long releasePagesAboveHighWater(PageRelease release) {
        long from = HEADER_SIZE + (long) highWater * SLOT_SIZE;
        long bytes = HEADER_SIZE + (long) capacity * SLOT_SIZE - from;
        if (bytes > 0) {
            release.release(from, bytes);
        }
        return bytes;
    }

    long live() {
        return live.get();
    }

    long added() {
        return added.get();
    }

    long deleted() {
        return deleted.get();
    }

    long expired() {
        return expired.get();
    }

    long refusedFull() {
        return refusedFull.get();
    }

    /**
     * Live sessions in record order, at most {@code limit}: for the control plane. The writer lock is taken per
     * {@link #CLEAR_CHUNK} records, as {@link #clear} does, so a worker creating a session waits for one chunk of a
     * long listing, never for all of it; a session made or deleted between chunks may be missed or listed.
     */
    List<SessionInfo> list(int limit, long now) {
        List<SessionInfo> out = new ArrayList<>();
        for (int start = 0; out.size() < limit; start += CLEAR_CHUNK) {
            writer.lock();
            try {
                if (start >= highWater) {
                    break;
                }
                listChunk(out, start, Math.min(highWater, start + CLEAR_CHUNK), limit, now);
            } finally {
                writer.unlock();
            }
        }
        return out;
    }

    private void listChunk(List<SessionInfo> out, int from, int to, int limit, long now) {
        for (int record = from; record < to && out.size() < limit; record++) {
            if (!recordInUse(record) || expiredAt(record, now)) {
                continue;
            }
            long at = (long) record * SLOT_SIZE;
            long k0 = records.get(LONG, at + KEY0);
            long k1 = records.get(LONG, at + KEY1);
            int seen = records.get(INT, at + TCP_FLAGS);
            long timeout = timeoutNanos(record);
            int protocol = (int) (k1 >>> 24) & 0xff;
            String type = protocol != Ipv4.PROTOCOL_TCP ? TIMEOUT_UDP_IDLE
                    : (seen & STATE_FLAGS_BOTH_WAYS) == SYN_ACK_BOTH_WAYS ? TIMEOUT_TCP_IDLE : TIMEOUT_TCP_TRANSIENT;
            out.add(new SessionInfo(record, records.get(INT, at + SW_IF_INDEX), createdOnInput(record), protocol,
                    (int) (k0 >>> 32), (int) (k1 >>> 48) & 0xffff, (int) k0, (int) (k1 >>> 32) & 0xffff,
                    seen & 0xff, (seen >>> 8) & 0xff, now - records.get(LONG, at + LAST_ACTIVE), type,
                    timeout / 1_000_000_000L, records.get(LONG, at + PACKETS), records.get(LONG, at + BYTES)));
        }
    }

    /** Frees the index, and the records when they are the table's own; a retained region stays for the next instance. */
    @Override
    public void close() {
        indexArena.close();
        if (arena != null) {
            arena.close();
        }
    }
}
