package io.sluice.nat44.internal;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.nat44.api.Nat44Event;
import io.sluice.nat44.api.Timeouts;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the NAT writes into its event log (RFC 6888 REQ-12) as packets go through the nodes and sessions end. */
class Nat44EventsTest {
    private final long[] out = new long[Nat44Event.LONGS * 64];

    private int drain(TestBed bed) {
        return bed.dataplane.events().drain(out, 64);
    }

    @Test
    void nothingIsRecordedWhileLoggingIsOff() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "8.8.8.8", 53, 10, true), TestBed.TAP2);
            assertEquals(1, bed.error(Nat44In2OutSlowPathNode.NAME, "sessions-created"));
            assertEquals(0, bed.dataplane.eventsRecorded());
        }
    }

    @Test
    void aNewSessionAndItsExpiryAreEventsWithBothEndpoints() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.dataplane.enableEvents(1024);
            bed.dataplane.forceNextPort(25801);
            long created = bed.clock.get();
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "203.0.113.51", 53, 10, true), TestBed.TAP2);
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "203.0.113.51", 53, 10, true), TestBed.TAP2);
            assertEquals(1, drain(bed), "one session, one event (the second packet hit it)");
            assertEquals(Nat44Event.SESSION_CREATE, Nat44Event.natEvent(out, 0));
            assertEquals(created, Nat44Event.time(out, 0));
            assertEquals(17, Nat44Event.protocol(out, 0));
            assertEquals(ip("10.1.1.3"), Nat44Event.insideAddress(out, 0));
            assertEquals(5000, Nat44Event.insidePort(out, 0));
            assertEquals(TestBed.NODE_IP, Nat44Event.outsideAddress(out, 0));
            assertEquals(25801, Nat44Event.outsidePort(out, 0));
            assertEquals(ip("203.0.113.51"), Nat44Event.remoteAddress(out, 0));
            assertEquals(53, Nat44Event.remotePort(out, 0));

            long expiry = bed.clock.addAndGet(Timeouts.DEFAULTS.udpSeconds() * 1000L + 1);
            assertEquals(1, bed.dataplane.expireAll(expiry));
            assertEquals(1, drain(bed));
            assertEquals(Nat44Event.SESSION_DELETE, Nat44Event.natEvent(out, 0));
            assertEquals(expiry, Nat44Event.time(out, 0));
            assertEquals(ip("10.1.1.3"), Nat44Event.insideAddress(out, 0));
            assertEquals(25801, Nat44Event.outsidePort(out, 0));
            assertEquals(2, bed.dataplane.eventsRecorded());
            assertEquals(0, bed.dataplane.eventsLost());
        }
    }

    @Test
    void aUserOverItsQuotaIsOneEventASecondNotOneAPacket() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.policy(Timeouts.DEFAULTS, 2, List.of());
            bed.dataplane.enableEvents(1024);
            for (int i = 0; i < 10; i++) {
                bed.sendOut(Frames.udp("10.1.1.3", 6000 + i, "203.0.113.51", 53, 10, true), TestBed.TAP2);
            }
            assertEquals(8, bed.error(Nat44In2OutSlowPathNode.NAME, "max-user-sessions-exceeded"));
            assertEquals(3, drain(bed), "two creates and one quota event");
            assertEquals(Nat44Event.QUOTA_EXCEEDED, Nat44Event.natEvent(out, 2));
            assertEquals(Nat44Event.QUOTA_MAX_ENTRIES_PER_USER, Nat44Event.quotaEvent(out, 2));
            assertEquals(2, Nat44Event.limit(out, 2));
            assertEquals(ip("10.1.1.3"), Nat44Event.insideAddress(out, 2));

            bed.clock.addAndGet(Nat44Dataplane.LIMIT_EVENT_INTERVAL_MILLIS);
            bed.sendOut(Frames.udp("10.1.1.3", 7000, "203.0.113.51", 53, 10, true), TestBed.TAP2);
            assertEquals(1, drain(bed), "a second later, the next refusal is logged again");
            assertEquals(Nat44Event.QUOTA_EXCEEDED, Nat44Event.natEvent(out, 0));
        }
    }

    @Test
    void clearingSessionsLogsTheirDeletion() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.dataplane.enableEvents(1024);
            bed.sendOut(Frames.tcp("10.1.1.3", 40000, "203.0.113.51", 80, 0x02), TestBed.TAP2);
            bed.sendOut(Frames.tcp("10.1.1.4", 40000, "203.0.113.51", 80, 0x02), TestBed.TAP2);
            assertEquals(2, drain(bed));
            synchronized (bed.dataplane.table().lock()) {
                for (int s = 0; s < bed.dataplane.table().capacity(); s++) {
                    bed.dataplane.delete(s);
                }
            }
            assertEquals(2, drain(bed));
            assertEquals(Nat44Event.SESSION_DELETE, Nat44Event.natEvent(out, 0));
            assertEquals(Nat44Event.SESSION_DELETE, Nat44Event.natEvent(out, 1));
            assertEquals(6, Nat44Event.protocol(out, 1));
            assertEquals(4, bed.dataplane.eventsRecorded());
        }
    }
}
