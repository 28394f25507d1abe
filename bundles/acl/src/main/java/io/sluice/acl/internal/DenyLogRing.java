package io.sluice.acl.internal;

import io.sluice.acl.api.AclDenyEvent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded multi-producer, single-consumer ring of fixed-size deny events in one preallocated {@code long[]}: the
 * workers' side of denied-flow logging. A worker claims a slot with one CAS on the tail, writes the event in place
 * and publishes it with a release store of the slot's sequence; the consumer takes a slot whose sequence says it is
 * published and frees it with another release store. Nothing is allocated and nothing blocks: a full ring refuses
 * the event and counts it ({@link #lost()}).
 *
 * <pre>
 *  slot k (STRIDE longs):  sequence | event long 0 .. AclDenyEvent.LONGS-1
 *  sequence == position          free, for the producer that claims position
 *  sequence == position + 1      published, for the consumer at position
 *  (freed: position + capacity, the claim of the next lap)
 * </pre>
 */
final class DenyLogRing {
    static final int STRIDE = 1 + AclDenyEvent.LONGS;
    static final int MIN_CAPACITY = 1024;
    static final int MAX_CAPACITY = 1 << 22;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle TAIL;
    private static final VarHandle LOST;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(DenyLogRing.class, "tail", long.class);
            LOST = lookup.findVarHandle(DenyLogRing.class, "lost", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] slots;
    private final int mask;
    /** Positions claimed by producers so far: the events recorded. */
    private volatile long tail;
    private volatile long lost;
    /** The consumer's next position; only the single (serialised) consumer touches it. */
    private long head;

    DenyLogRing(int capacity) {
        if (Integer.bitCount(capacity) != 1 || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("ring capacity must be a power of two " + MIN_CAPACITY + ".."
                    + MAX_CAPACITY + ", got " + capacity);
        }
        slots = new long[capacity * STRIDE];
        mask = capacity - 1;
        for (int k = 0; k < capacity; k++) {
            slots[k * STRIDE] = k;
        }
        VarHandle.releaseFence();
    }

    int capacity() {
        return mask + 1;
    }

    /** Records one event; false (and counted as lost) when the ring is full. Any thread; never blocks. */
    boolean offer(long timeMillis, int sourceAddress, int destinationAddress, int protocol, int sourcePort,
                  int destinationPort, int swIfIndex, int direction, int reason, int aclIndex, int ruleIndex) {
        long position = (long) TAIL.getOpaque(this);
        while (true) {
            long sequence = (long) SLOTS.getAcquire(slots, ((int) position & mask) * STRIDE);
            long difference = sequence - position;
            if (difference == 0) {
                if (TAIL.compareAndSet(this, position, position + 1)) {
                    break;
                }
                position = (long) TAIL.getOpaque(this);
            } else if (difference < 0) {
                // The slot still holds the previous lap's event: the consumer is a whole ring behind.
                LOST.getAndAdd(this, 1L);
                return false;
            } else {
                position = (long) TAIL.getOpaque(this);
            }
        }
        int base = ((int) position & mask) * STRIDE;
        AclDenyEvent.pack(slots, base + 1, timeMillis, sourceAddress, destinationAddress, protocol, sourcePort,
                destinationPort, swIfIndex, direction, reason, aclIndex, ruleIndex);
        SLOTS.setRelease(slots, base, position + 1);
        return true;
    }

    /** Moves up to {@code max} published events into {@code records}, oldest first; returns how many. */
    synchronized int drain(long[] records, int max) {
        int limit = Math.min(max, records.length / AclDenyEvent.LONGS);
        int n = 0;
        while (n < limit) {
            int base = ((int) head & mask) * STRIDE;
            if ((long) SLOTS.getAcquire(slots, base) != head + 1) {
                break; // not published yet, or claimed and still being written
            }
            System.arraycopy(slots, base + 1, records, n * AclDenyEvent.LONGS, AclDenyEvent.LONGS);
            SLOTS.setRelease(slots, base, head + mask + 1);
            head++;
            n++;
        }
        return n;
    }

    long recorded() {
        return tail;
    }

    long lost() {
        return lost;
    }
}
