package io.sluice.common;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded multi-producer, single-consumer ring of fixed-size records of longs in one preallocated {@code long[]}:
 * how a worker hands an event (a NAT44 session event, an ACL deny) to a control-plane thread without allocating,
 * locking or waiting. A producer claims a position with one CAS on the tail ({@link #claim()}) when the consumer's
 * head says the slot is free, writes the record's longs in place ({@link #slots()} from {@link #offset(long)}) and
 * publishes it with a release store of the slot's sequence ({@link #publish(long)}); the consumer copies a slot out
 * when its sequence says it is published and, once per drain, moves its head on with a release store. A full ring
 * refuses the record and counts it ({@link #lost()}).
 *
 * <pre>
 *  slot k (1 + recordLongs longs):  sequence | record long 0 .. recordLongs-1
 *  position p is free for its producer     while p - head &lt; capacity (the previous lap's record was taken)
 *  sequence == p + 1                        published, for the consumer at position p
 * </pre>
 *
 * Only producers write the slots: the consumer reads them and writes its head, once per drain. (A consumer that
 * marked each slot free, as an earlier version did, left every slot's line modified in its own cache, for the next
 * producer to take back across cores once per record.)
 */
public final class RecordRing {
    public static final int MIN_CAPACITY = 1024;
    public static final int MAX_CAPACITY = 1 << 22;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;
    private static final VarHandle LOST;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(RecordRing.class, "tail", long.class);
            HEAD = lookup.findVarHandle(RecordRing.class, "head", long.class);
            LOST = lookup.findVarHandle(RecordRing.class, "lost", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] slots;
    private final int mask;
    private final int recordLongs;
    private final int stride;
    /** Positions claimed by producers so far: the records offered and taken. */
    private volatile long tail;
    private volatile long lost;
    /** The consumer's next position: written by the single (serialised) consumer, read by producers. */
    private volatile long head;

    public RecordRing(int capacity, int recordLongs) {
        if (Integer.bitCount(capacity) != 1 || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("ring capacity must be a power of two " + MIN_CAPACITY + ".."
                    + MAX_CAPACITY + ", got " + capacity);
        }
        this.recordLongs = recordLongs;
        this.stride = 1 + recordLongs;
        // Sequences start at 0: no position p is published (p + 1 >= 1) before its producer says so.
        slots = new long[capacity * stride];
        mask = capacity - 1;
    }

    public int capacity() {
        return mask + 1;
    }

    /** Claims the next slot: its position, or -1 (counted as lost) when the ring is full. Any thread; never blocks. */
    public long claim() {
        long position = (long) TAIL.getOpaque(this);
        while (true) {
            if (position - (long) HEAD.getAcquire(this) > mask) {
                // The slot still holds the previous lap's record: the consumer is a whole ring behind.
                LOST.getAndAdd(this, 1L);
                return -1;
            }
            if (TAIL.compareAndSet(this, position, position + 1)) {
                return position;
            }
            position = (long) TAIL.getOpaque(this);
        }
    }

    /** The array the claimed records are written into. */
    public long[] slots() {
        return slots;
    }

    /** Where in {@link #slots()} the record of a claimed {@code position} starts. */
    public int offset(long position) {
        return ((int) position & mask) * stride + 1;
    }

    /** Hands the record written at {@code position} to the consumer. */
    public void publish(long position) {
        SLOTS.setRelease(slots, ((int) position & mask) * stride, position + 1);
    }

    /** Moves up to {@code max} published records into {@code records}, oldest first; returns how many. */
    public synchronized int drain(long[] records, int max) {
        int limit = Math.min(max, records.length / recordLongs);
        long position = head;
        int n = 0;
        while (n < limit) {
            int base = ((int) position & mask) * stride;
            if ((long) SLOTS.getAcquire(slots, base) != position + 1) {
                break; // not published yet, or claimed and still being written
            }
            System.arraycopy(slots, base + 1, records, n * recordLongs, recordLongs);
            position++;
            n++;
        }
        // Read before freed: the release store orders the copies above before a producer may reuse the slots.
        HEAD.setRelease(this, position);
        return n;
    }

    /** Records claimed so far. */
    public long recorded() {
        return tail;
    }

    /** Records refused because the ring was full. */
    public long lost() {
        return lost;
    }
}
