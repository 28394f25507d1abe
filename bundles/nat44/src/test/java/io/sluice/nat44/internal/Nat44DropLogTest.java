package io.sluice.nat44.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.nat44.api.Nat44DropEvent;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import org.junit.jupiter.api.Test;

/**
 * NAT44 drop logging at the drop sites: an unsolicited ICMP error to the pool address is dropped, counted and, with
 * the log on, recorded once with its reason (named as errors:show names it), source, destination, protocol and ICMP
 * type and code; with the log off nothing is recorded; a full ring refuses and counts instead of waiting.
 */
class Nat44DropLogTest {
    private static final String ROUTER = "203.0.113.51";

    private static byte[] unsolicitedError() {
        byte[] neverSent = Frames.udp("192.168.16.1", 40000, ROUTER, 53, 8, true);
        return Frames.icmpError(ROUTER, "192.168.16.1", Icmp.TYPE_DESTINATION_UNREACHABLE,
                Icmp.CODE_PORT_UNREACHABLE, neverSent, 28);
    }

    @Test
    void anUnsolicitedIcmpErrorIsRecordedWithItsReasonAndEndpoints() {
        try (TestBed bed = TestBed.inMemory()) {
            Nat44DropRecorder drops = bed.dataplane.drops();
            drops.enable(1024);
            bed.receive(unsolicitedError(), TestBed.GBE);
            assertEquals(1, bed.error(Nat44Out2InNode.NAME, "icmp-no-session"));

            long[] out = new long[Nat44DropEvent.LONGS * 4];
            assertEquals(1, drops.drain(out, 4));
            assertEquals("nat44-out2in/icmp-no-session", Nat44DropRecorder.reasonName(Nat44DropEvent.reason(out, 0)));
            assertEquals(Frames.ip(ROUTER), Nat44DropEvent.sourceAddress(out, 0));
            assertEquals(Frames.ip("192.168.16.1"), Nat44DropEvent.destinationAddress(out, 0));
            assertEquals(Ipv4.PROTOCOL_ICMP, Nat44DropEvent.protocol(out, 0));
            assertEquals(Icmp.TYPE_DESTINATION_UNREACHABLE, Nat44DropEvent.sourcePort(out, 0), "ICMP type");
            assertEquals(Icmp.CODE_PORT_UNREACHABLE, Nat44DropEvent.destinationPort(out, 0), "ICMP code");
            assertEquals(bed.dataplane.now(), Nat44DropEvent.time(out, 0));
            assertEquals(1, drops.recorded());
            assertEquals(0, drops.lost());
        }
    }

    @Test
    void nothingIsRecordedWhileTheLogIsOff() {
        try (TestBed bed = TestBed.inMemory()) {
            Nat44DropRecorder drops = bed.dataplane.drops();
            assertFalse(drops.enabled());
            bed.receive(unsolicitedError(), TestBed.GBE);
            assertEquals(1, bed.error(Nat44Out2InNode.NAME, "icmp-no-session"), "dropped and counted all the same");
            assertEquals(0, drops.recorded());
            assertEquals(0, drops.drain(new long[Nat44DropEvent.LONGS], 1));
        }
    }

    @Test
    void aFullRingRefusesAndCountsTheRest() {
        try (TestBed bed = TestBed.inMemory()) {
            Nat44DropRecorder drops = bed.dataplane.drops();
            drops.enable(1024);
            for (int i = 0; i < 1030; i++) {
                bed.receive(unsolicitedError(), TestBed.GBE);
            }
            assertEquals(1030, bed.error(Nat44Out2InNode.NAME, "icmp-no-session"), "every drop counted");
            assertEquals(1024, drops.recorded());
            assertEquals(6, drops.lost());
            drops.disable();
            assertFalse(drops.enabled());
            assertEquals(6, drops.lost(), "kept across a disable");
        }
    }

    @Test
    void everyNodesReasonsAreNamedAsErrorsShowNamesThem() {
        assertEquals("nat44-in2out-output/no-configuration", Nat44DropRecorder.reasonName(
                Nat44DropRecorder.NODE_IN2OUT_OUTPUT << 8 | Nat44In2OutOutputNode.Error.NO_CONFIGURATION.ordinal()));
        assertEquals("nat44-in2out-output-slowpath/out-of-ports", Nat44DropRecorder.reasonName(
                Nat44DropRecorder.NODE_IN2OUT_SLOW_PATH << 8 | Nat44In2OutSlowPathNode.Error.OUT_OF_PORTS.ordinal()));
        assertEquals("reason 65535", Nat44DropRecorder.reasonName(0xffff));
        assertTrue(Nat44DropRecorder.reasonName(Nat44DropRecorder.NODE_OUT2IN << 8).startsWith("nat44-out2in/"));
    }
}
