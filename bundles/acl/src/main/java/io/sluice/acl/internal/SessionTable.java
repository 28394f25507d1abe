package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionInfo;
import io.sluice.acl.api.AclSessions.SessionTimeouts;
import io.sluice.packet.api.Ipv4;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The reflect sessions, off-heap: open addressing with linear probing over one native segment of
 * {@link #SLOT_SIZE}-byte slots (one cache line each), so that the table outlives the node instances that
 * use it and costs the garbage collector nothing.
 *
 * <pre>
 *  slot (64 bytes):
 *  +0  int  state: EMPTY, BUSY (being written), LIVE, DEAD (tombstone)
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
 * <p>The slots follow a 64-byte header (magic, slot count, and the table's counters) in one region. When
 * the region is a mapped file ({@link SessionFile}) or retained by the graph
 * ({@link io.sluice.graph.api.GraphRuntime#retainedSegment}), an update of the ACL bundle attaches the new
 * table to the same sessions and counters; the file also carries them across a restart of the box, which is
 * why session times are wall-clock nanoseconds ({@link TimeSource#SYSTEM}).
 *
 * <p>Keys are in initiator order: a packet on the side that created the session looks itself up as it is
 * (source first), a packet on the other side of the same interface with source and destination swapped.
 * For ICMP echo both "ports" are the echo identifier (RFC 792: the reply carries the request's
 * identifier), so an echo reply finds its request's session.
 *
 * <p>Concurrency: workers read without locks (a slot's state is read with acquire semantics and published
 * with release after its key is written); inserts and deletions claim a slot by compare-and-set on its
 * state. Per-session counters and flags are updated without atomics by whichever worker sees the packet:
 * under races between workers they are approximate, the session itself is not.
 *
 * <p>Residency: the slots of a mapped file are resident only where they are touched, and a hash table spreads
 * its sessions over all of it. So the table counts, per 4 KB page of its slots ({@link #PAGE_SIZE}, 64 slots), the
 * slots that are not EMPTY ({@link #occupancy}, on the heap: 64 kB for a million slots): an insert that claims an
 * empty slot adds one, the sweep that turns a tombstone back to empty takes one off. The sweep skips the pages
 * that hold none (it would only read empty slots there), and {@link #releaseEmptyPages} hands the runs of such
 * pages to the owner to give back (madvise), so the file's residency follows the live sessions rather than the
 * most it ever held. The count is read only by the sweep, the control plane and the release, never by a lookup;
 * a count racing with an insert (slot claimed, count not yet added) only makes a sweep skip a session it meets
 * again at its next pass, and lookups check expiry themselves.
 */
final class SessionTable implements AutoCloseable {
    static final int SLOT_SIZE = 64;
    static final int EMPTY = 0;
    static final int BUSY = 1;
    static final int LIVE = 2;
    static final int DEAD = 3;
    /** Slots examined at most per lookup or insert: bounds the cost of a miss in a crowded table. */
    static final int MAX_PROBE = 64;
    /** Slots swept for expired sessions, at most, before an insert into a full table is refused. */
    static final int FULL_SWEEP = 1024;
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
    private static final long MAGIC = 0x534c_4143_4c53_0001L; // "SLACLS" v1
    private static final long HEADER_MAGIC = 0;
    private static final long HEADER_CAPACITY = 8;
    private static final long HEADER_LIVE = 16;
    private static final long HEADER_ADDED = 24;
    private static final long HEADER_DELETED = 32;
    private static final long HEADER_EXPIRED = 40;
    private static final long HEADER_REFUSED = 48;
    private static final long HEADER_SWEEP_CURSOR = 56;

    private final Arena arena;
    private final MemorySegment slots;
    private final int capacity;
    private final int mask;
    private volatile long maxSessions;
    /**
     * Sessions one interface may hold (those created there): the internet's unsolicited flows at the GbE, or one
     * pod, fill their own share only; a refusal past it is counted with the full table's and hurts no one else.
     */
    private volatile long maxPerInterface = Long.MAX_VALUE;
    /** Live sessions by the sw_if_index they were created on (below {@link #COUNTED_INTERFACES}). */
    private final java.util.concurrent.atomic.AtomicLongArray liveByInterface =
            new java.util.concurrent.atomic.AtomicLongArray(COUNTED_INTERFACES);
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
    private final java.util.concurrent.atomic.AtomicLong refusedQuota = new java.util.concurrent.atomic.AtomicLong();
    /** What {@link #insert} returns when the table, or the probe window, is full. */
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
    /** Bytes of the address space a count of {@link #occupancy} covers: the base page. */
    static final int PAGE_SIZE = 4096;
    private static final int SLOTS_PER_PAGE = PAGE_SIZE / SLOT_SIZE;
    /** Slots in front of slot 0 in its page (the headers before the slots in the page-aligned mapping). */
    private final int leadSlots;
    /** Slots not EMPTY per page of the slots' address space (page 0 also holds the headers). */
    private final AtomicIntegerArray occupancy;

    /** A table for {@code maxSessions} sessions in memory of its own (freed by {@link #close()}). */
    SessionTable(long maxSessions, SessionTimeouts timeouts) {
        this(maxSessions, timeouts, null);
    }

    /**
     * A table for {@code maxSessions} sessions, with at least twice as many slots (a power of two), in
     * {@code region} (of {@link #regionSize} bytes) when given: a region that already holds a table of the
     * same slot count is attached to, sessions and counters as they are.
     */
    SessionTable(long maxSessions, SessionTimeouts timeouts, MemorySegment region) {
        int slotsWanted = slotsFor(maxSessions);
        this.capacity = slotsWanted;
        this.mask = slotsWanted - 1;
        MemorySegment memory;
        if (region == null) {
            arena = Arena.ofShared();
            memory = arena.allocate(regionSize(maxSessions), 64);
        } else {
            arena = null;
            memory = region;
        }
        boolean attach = memory.get(LONG, HEADER_MAGIC) == MAGIC && memory.get(INT, HEADER_CAPACITY) == slotsWanted;
        if (!attach) {
            // A region not attached to is fresh, all zeros (a new state file, new memory): writing the slots
            // would make the whole file resident, so only the header is cleared.
            memory.asSlice(0, HEADER_SIZE).fill((byte) 0);
            memory.set(INT, HEADER_CAPACITY, slotsWanted);
            memory.set(LONG, HEADER_MAGIC, MAGIC);
        }
        this.slots = memory.asSlice(HEADER_SIZE, (long) slotsWanted * SLOT_SIZE);
        this.live = new SegmentCounter(memory, HEADER_LIVE);
        this.added = new SegmentCounter(memory, HEADER_ADDED);
        this.deleted = new SegmentCounter(memory, HEADER_DELETED);
        this.expired = new SegmentCounter(memory, HEADER_EXPIRED);
        this.refusedFull = new SegmentCounter(memory, HEADER_REFUSED);
        this.sweepCursor = new SegmentCounter(memory, HEADER_SWEEP_CURSOR);
        this.maxSessions = maxSessions;
        setTimeouts(timeouts);
        this.leadSlots = (int) ((slots.address() & (PAGE_SIZE - 1)) / SLOT_SIZE);
        this.occupancy = new AtomicIntegerArray(
                (leadSlots + capacity + SLOTS_PER_PAGE - 1) / SLOTS_PER_PAGE);
        if (attach) {
            // A fresh region is all EMPTY: reading it would only map every page in.
            for (int slot = 0; slot < capacity; slot++) {
                int state = state(slot);
                if (state != EMPTY) {
                    occupancy.getAndIncrement(pageOf(slot));
                }
                if (state == LIVE) {
                    countInterface(slot, 1);
                    liveByHost.tryAdd(host(slot), Long.MAX_VALUE);
                }
            }
        }
    }

    /** The page of {@link #occupancy} that {@code slot} lies in. */
    int pageOf(int slot) {
        return (slot + leadSlots) / SLOTS_PER_PAGE;
    }

    /** The slot after the last one in {@code page}. */
    private int endSlotOf(int page) {
        return Math.min(capacity, (page + 1) * SLOTS_PER_PAGE - leadSlots);
    }

    /** The state of {@code slot} (EMPTY, BUSY, LIVE, DEAD): for tests that check the bookkeeping against the slots. */
    int slotState(int slot) {
        return state(slot);
    }

    /** Pages the slots span, for {@link #occupancy(int)}. */
    int pages() {
        return occupancy.length();
    }

    /** Slots of {@code page} that are not EMPTY, as counted. */
    int occupancy(int page) {
        return occupancy.get(page);
    }

    /** Where a run of pages holding no session is given back: its bytes from the start of the region. */
    @FunctionalInterface
    interface PageRelease {
        void release(long regionOffset, long bytes);
    }

    /**
     * Calls {@code release} for each run of pages that hold no slot but EMPTY ones (the pages partly holding the
     * region's header excepted) and returns how many pages those runs hold: for the owner of a mapped file to give
     * them back, from a thread of the control plane. A page an insert takes meanwhile is given back with its
     * session in it, which a shared file mapping keeps (the next access maps the page again).
     */
    int releaseEmptyPages(PageRelease release) {
        long slotsOffset = HEADER_SIZE - (long) leadSlots * SLOT_SIZE;
        int released = 0;
        int page = 1;
        int pages = occupancy.length();
        while (page < pages) {
            if (occupancy.get(page) != 0) {
                page++;
                continue;
            }
            int first = page;
            while (page < pages && occupancy.get(page) == 0) {
                page++;
            }
            release.release(slotsOffset + (long) first * PAGE_SIZE, (long) (page - first) * PAGE_SIZE);
            released += page - first;
        }
        return released;
    }

    /** The host a session is counted against: its initiator (key0's high half). */
    private int host(int slot) {
        return (int) (slots.get(LONG, (long) slot * SLOT_SIZE + KEY0) >>> 32);
    }

    /** Takes a session off its interface's and its host's counts. */
    private void uncount(int slot) {
        countInterface(slot, -1);
        liveByHost.remove(host(slot));
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

    private void countInterface(int slot, int delta) {
        int sw = slots.get(INT, (long) slot * SLOT_SIZE + SW_IF_INDEX);
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

    private static int slotsFor(long maxSessions) {
        if (maxSessions < 1 || maxSessions > (1 << 28)) {
            throw new IllegalArgumentException("maximum sessions " + maxSessions + " is not 1.." + (1 << 28));
        }
        return Math.max(MAX_PROBE, Integer.highestOneBit((int) (maxSessions * 2 - 1)) << 1);
    }

    /** Slots of a table for {@code maxSessions} sessions. */
    static int slotCount(long maxSessions) {
        return slotsFor(maxSessions);
    }

    /** True when {@code header} (the region's first {@link #HEADER_SIZE} bytes) is a table of {@code slots} slots. */
    static boolean holdsTable(java.nio.ByteBuffer header, int slots) {
        return header.getLong((int) HEADER_MAGIC) == MAGIC && header.getInt((int) HEADER_CAPACITY) == slots;
    }

    /**
     * Null when {@code region}, about to be attached to, holds a sound table of {@code slots} slots; else the first
     * thing wrong: its header, or a slot in a state no table writes (the slots' positions are checked by every
     * probe, so nothing else can point out of range).
     */
    static String damage(MemorySegment region, int slots) {
        if (region.get(LONG, HEADER_MAGIC) != MAGIC || region.get(INT, HEADER_CAPACITY) != slots) {
            return "the session table's own header does not match its file header";
        }
        for (int slot = 0; slot < slots; slot++) {
            int state = region.get(INT, HEADER_SIZE + (long) slot * SLOT_SIZE + STATE);
            if (state < EMPTY || state > DEAD) {
                return "slot " + slot + " is in state " + state + ", not one a table writes";
            }
        }
        return null;
    }

    /** Bytes of the region a table for {@code maxSessions} sessions needs: header and slots. */
    static long regionSize(long maxSessions) {
        return HEADER_SIZE + (long) slotsFor(maxSessions) * SLOT_SIZE;
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

    int capacity() {
        return capacity;
    }

    long maxSessions() {
        return maxSessions;
    }

    /** Takes effect for inserts from now on; the slot count stays what it was built with. */
    void setMaxSessions(long max) {
        this.maxSessions = Math.min(max, capacity / 2);
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

    private int home(long key0, long key1) {
        long h = key0 * 0x9E3779B97F4A7C15L ^ key1 * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (int) h & mask;
    }

    private int state(int slot) {
        return (int) INT_HANDLE.getAcquire(slots, (long) slot * SLOT_SIZE + STATE);
    }

    private boolean casState(int slot, int expected, int next) {
        return INT_HANDLE.compareAndSet(slots, (long) slot * SLOT_SIZE + STATE, expected, next);
    }

    /** The idle timeout of the session in {@code slot}, by its protocol and the TCP flags it has seen. */
    private long timeoutNanos(int slot) {
        long at = (long) slot * SLOT_SIZE;
        int protocol = (int) (slots.get(LONG, at + KEY1) >>> 24) & 0xff;
        if (protocol != Ipv4.PROTOCOL_TCP) {
            return udpIdleNanos;
        }
        int seen = slots.get(INT, at + TCP_FLAGS);
        return (seen & STATE_FLAGS_BOTH_WAYS) == SYN_ACK_BOTH_WAYS ? tcpIdleNanos : tcpTransientNanos;
    }

    private boolean expiredAt(int slot, long now) {
        return now - slots.get(LONG, (long) slot * SLOT_SIZE + LAST_ACTIVE) > timeoutNanos(slot);
    }

    /** The slot of the live, unexpired session with this key, or -1. */
    int find(long key0, long key1, long now) {
        int slot = home(key0, key1);
        for (int probe = 0; probe < MAX_PROBE; probe++) {
            int state = state(slot);
            if (state == EMPTY) {
                return -1;
            }
            if (state == LIVE) {
                long at = (long) slot * SLOT_SIZE;
                if (slots.get(LONG, at + KEY0) == key0 && slots.get(LONG, at + KEY1) == key1) {
                    return expiredAt(slot, now) ? -1 : slot;
                }
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /**
     * Creates a session, or returns the live one with the same key; {@link #REFUSED_FULL} when the table holds its
     * maximum (counted) or no slot is free within {@link #MAX_PROBE} of the key's home, {@link #REFUSED_QUOTA}
     * when the interface holds {@code sessions.max-per-interface} or the initiator {@code sessions.max-per-host}.
     */
    int insert(long key0, long key1, int swIfIndex, boolean createdOnInput, int tcpFlags, int bytes, long now) {
        for (int attempt = 0; attempt < 4; attempt++) {
            int slot = home(key0, key1);
            int reusable = -1;
            int reusableState = EMPTY;
            for (int probe = 0; probe < MAX_PROBE; probe++) {
                int state = state(slot);
                if (state == EMPTY) {
                    if (reusable < 0) {
                        reusable = slot;
                        reusableState = EMPTY;
                    }
                    break;
                }
                if (state == LIVE) {
                    long at = (long) slot * SLOT_SIZE;
                    boolean expiredHere = expiredAt(slot, now);
                    if (!expiredHere && slots.get(LONG, at + KEY0) == key0 && slots.get(LONG, at + KEY1) == key1) {
                        return slot;
                    }
                    if (expiredHere && reusable < 0) {
                        reusable = slot;
                        reusableState = LIVE;
                    }
                } else if (state == DEAD && reusable < 0) {
                    reusable = slot;
                    reusableState = DEAD;
                }
                slot = (slot + 1) & mask;
            }
            if (reusable < 0) {
                refusedFull.incrementAndGet();
                return REFUSED_FULL;
            }
            if (reusableState != LIVE && live.get() >= maxSessions
                    && (!sweepWhenFull(now) || live.get() >= maxSessions)) {
                refusedFull.incrementAndGet();
                return REFUSED_FULL;
            }
            if (liveOn(swIfIndex) >= maxPerInterface && (!sweepWhenFull(now) || liveOn(swIfIndex) >= maxPerInterface)) {
                return refuseQuota();
            }
            if (!casState(reusable, reusableState, BUSY)) {
                continue;
            }
            if (reusableState == EMPTY) {
                occupancy.getAndIncrement(pageOf(reusable));
            }
            if (!liveByHost.tryAdd((int) (key0 >>> 32), maxPerHost)) {
                INT_HANDLE.setRelease(slots, (long) reusable * SLOT_SIZE + STATE, reusableState);
                if (reusableState == EMPTY) {
                    occupancy.getAndDecrement(pageOf(reusable));
                }
                return refuseQuota();
            }
            if (reusableState == LIVE) {
                expired.incrementAndGet();
                deleted.incrementAndGet();
                live.decrementAndGet();
                uncount(reusable);
            }
            long at = (long) reusable * SLOT_SIZE;
            slots.set(INT, at + TCP_FLAGS, tcpFlags & 0xff);
            slots.set(LONG, at + KEY0, key0);
            slots.set(LONG, at + KEY1, key1);
            slots.set(LONG, at + LAST_ACTIVE, now);
            slots.set(LONG, at + CREATED, now);
            slots.set(LONG, at + PACKETS, 1);
            slots.set(LONG, at + BYTES, bytes);
            slots.set(INT, at + SW_IF_INDEX, swIfIndex);
            slots.set(INT, at + CREATED_ON_INPUT, createdOnInput ? 1 : 0);
            INT_HANDLE.setRelease(slots, at + STATE, LIVE);
            live.incrementAndGet();
            countInterface(reusable, 1);
            added.incrementAndGet();
            return reusable;
        }
        refusedFull.incrementAndGet();
        return REFUSED_FULL;
    }

    /** A refusal by a quota: counted with the full table's (as before quotas had a counter of their own) and apart. */
    private int refuseQuota() {
        refusedFull.incrementAndGet();
        refusedQuota.incrementAndGet();
        return REFUSED_QUOTA;
    }

    /**
     * A full table sweeps {@link #FULL_SWEEP} slots for expired sessions before refusing, at most once a
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

    /** True when the session in {@code slot} was created on the input side of its interface. */
    boolean createdOnInput(int slot) {
        return slots.get(INT, (long) slot * SLOT_SIZE + CREATED_ON_INPUT) != 0;
    }

    /** Records a packet of the session: activity time, TCP flags by direction, traffic. */
    void touch(int slot, boolean fromInitiator, int tcpFlags, int bytes, long now) {
        long at = (long) slot * SLOT_SIZE;
        slots.set(LONG, at + LAST_ACTIVE, now);
        int seen = slots.get(INT, at + TCP_FLAGS);
        int add = fromInitiator ? tcpFlags & 0xff : (tcpFlags & 0xff) << 8;
        while ((seen | add) != seen && !INT_HANDLE.compareAndSet(slots, at + TCP_FLAGS, seen, seen | add)) {
            seen = (int) INT_HANDLE.getVolatile(slots, at + TCP_FLAGS);
        }
        slots.set(LONG, at + PACKETS, slots.get(LONG, at + PACKETS) + 1);
        slots.set(LONG, at + BYTES, slots.get(LONG, at + BYTES) + bytes);
    }

    /**
     * Examines the next {@code budget} slots (a cursor shared by the workers): deletes the expired
     * sessions and turns a tombstone followed by an empty slot back to empty, so that probe chains do not
     * grow without end. Returns the sessions deleted.
     *
     * <p>A tombstone is emptied only when the slot after it is empty; an insert that claims that next slot
     * between the two reads would have its session hidden from lookups, which fails closed (a reply is then
     * denied by the rules, as after a timeout) and needs the insert's probe to have passed this very slot.
     */
    int sweep(long now, int budget) {
        int start = (int) sweepCursor.getAndAdd(budget) & mask;
        int removed = 0;
        int i = 0;
        while (i < budget) {
            int slot = (start + i) & mask;
            int page = pageOf(slot);
            if (occupancy.get(page) == 0) {
                // nothing but EMPTY slots here: reading them would only map the page in again
                i += endSlotOf(page) - slot;
                continue;
            }
            i++;
            int state = state(slot);
            if (state == LIVE && expiredAt(slot, now)) {
                if (casState(slot, LIVE, DEAD)) {
                    removed++;
                    uncount(slot);
                    state = DEAD;
                }
            }
            if (state == DEAD && emptyAt((slot + 1) & mask) && casState(slot, DEAD, EMPTY)) {
                occupancy.getAndDecrement(page);
            }
        }
        if (removed > 0) {
            live.addAndGet(-removed);
            deleted.addAndGet(removed);
            expired.addAndGet(removed);
        }
        return removed;
    }

    /** True when {@code slot} is EMPTY, read without mapping its page in when the page holds nothing. */
    private boolean emptyAt(int slot) {
        return occupancy.get(pageOf(slot)) == 0 || state(slot) == EMPTY;
    }

    /** The next slot from {@code slot} on that may hold something: past the pages that hold nothing. */
    private int skipEmptyPages(int slot) {
        while (slot < capacity && occupancy.get(pageOf(slot)) == 0) {
            slot = endSlotOf(pageOf(slot));
        }
        return slot;
    }

    /** Deletes every live session; returns how many there were. */
    int clear() {
        int removed = 0;
        for (int slot = skipEmptyPages(0); slot < capacity; slot = skipEmptyPages(slot + 1)) {
            if (state(slot) == LIVE && casState(slot, LIVE, DEAD)) {
                removed++;
                uncount(slot);
            }
        }
        live.addAndGet(-removed);
        deleted.addAndGet(removed);
        return removed;
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

    /** Live sessions in slot order, at most {@code limit}: for the control plane. */
    List<SessionInfo> list(int limit, long now) {
        List<SessionInfo> out = new ArrayList<>();
        for (int slot = skipEmptyPages(0); slot < capacity && out.size() < limit; slot = skipEmptyPages(slot + 1)) {
            if (state(slot) != LIVE || expiredAt(slot, now)) {
                continue;
            }
            long at = (long) slot * SLOT_SIZE;
            long k0 = slots.get(LONG, at + KEY0);
            long k1 = slots.get(LONG, at + KEY1);
            int seen = slots.get(INT, at + TCP_FLAGS);
            long timeout = timeoutNanos(slot);
            int protocol = (int) (k1 >>> 24) & 0xff;
            String type = protocol != Ipv4.PROTOCOL_TCP ? TIMEOUT_UDP_IDLE
                    : (seen & STATE_FLAGS_BOTH_WAYS) == SYN_ACK_BOTH_WAYS ? TIMEOUT_TCP_IDLE : TIMEOUT_TCP_TRANSIENT;
            out.add(new SessionInfo(slot, slots.get(INT, at + SW_IF_INDEX), createdOnInput(slot), protocol,
                    (int) (k0 >>> 32), (int) (k1 >>> 48) & 0xffff, (int) k0, (int) (k1 >>> 32) & 0xffff,
                    seen & 0xff, (seen >>> 8) & 0xff, now - slots.get(LONG, at + LAST_ACTIVE), type,
                    timeout / 1_000_000_000L, slots.get(LONG, at + PACKETS), slots.get(LONG, at + BYTES)));
        }
        return out;
    }

    /** Frees the table's memory when it is its own; a retained region stays for the next instance. */
    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
