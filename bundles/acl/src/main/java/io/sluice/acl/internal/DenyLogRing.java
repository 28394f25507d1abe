package io.sluice.acl.internal;

import io.sluice.acl.api.AclDenyEvent;
import io.sluice.common.RecordRing;

/**
 * The workers' side of denied-flow logging: deny events as fixed-size records ({@link AclDenyEvent}) in a bounded
 * multi-producer, single-consumer {@link RecordRing}; the telemetry bundle's exporter is the consumer.
 */
final class DenyLogRing {
    static final int MIN_CAPACITY = RecordRing.MIN_CAPACITY;
    static final int MAX_CAPACITY = RecordRing.MAX_CAPACITY;

    private final RecordRing ring;

    DenyLogRing(int capacity) {
        ring = new RecordRing(capacity, AclDenyEvent.LONGS);
    }

    int capacity() {
        return ring.capacity();
    }

    /** Records one event; false (and counted as lost) when the ring is full. Any thread; never blocks. */
    boolean offer(long timeMillis, int sourceAddress, int destinationAddress, int protocol, int sourcePort,
                  int destinationPort, int swIfIndex, int direction, int reason, int aclIndex, int ruleIndex) {
        long position = ring.claim();
        if (position < 0) {
            return false;
        }
        AclDenyEvent.pack(ring.slots(), ring.offset(position), timeMillis, sourceAddress, destinationAddress, protocol, sourcePort,
                destinationPort, swIfIndex, direction, reason, aclIndex, ruleIndex);
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
