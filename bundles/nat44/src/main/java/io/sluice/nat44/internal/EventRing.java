package io.sluice.nat44.internal;

import io.sluice.nat44.api.Nat44Event;
import io.sluice.common.RecordRing;

/**
 * The forwarding path's side of NAT event logging: NAT events as fixed-size records ({@link Nat44Event}) in a
 * bounded multi-producer, single-consumer {@link RecordRing}. Producers are the NAT44 nodes' workers and the
 * housekeeping thread; the telemetry bundle's exporter is the consumer.
 */
final class EventRing {
    static final int MIN_CAPACITY = RecordRing.MIN_CAPACITY;
    static final int MAX_CAPACITY = RecordRing.MAX_CAPACITY;

    private final RecordRing ring;

    EventRing(int capacity) {
        ring = new RecordRing(capacity, Nat44Event.LONGS);
    }

    int capacity() {
        return ring.capacity();
    }

    /** Records one event; false (and counted as lost) when the ring is full. Any thread; never blocks. */
    boolean offer(long timeMillis, int natEvent, int quotaEvent, int protocol, int insideAddress, int insidePort,
                  int outsideAddress, int outsidePort, int remoteAddress, int remotePort, int limit) {
        long position = ring.claim();
        if (position < 0) {
            return false;
        }
        Nat44Event.pack(ring.slots(), ring.offset(position), timeMillis, natEvent, quotaEvent, protocol, insideAddress, insidePort,
                outsideAddress, outsidePort, remoteAddress, remotePort, limit);
        ring.publish(position);
        return true;
    }

    /** Moves up to {@code max} published events into {@code records}, oldest first; returns how many. */
    int drain(long[] records, int max) {
        return ring.drain(records, max);
    }

    long recorded() {
        return ring.recorded();
    }

    long lost() {
        return ring.lost();
    }
}
