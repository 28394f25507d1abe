package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sluice.acl.internal.AclFixture.TAP2;
import static io.sluice.acl.internal.TestPackets.POD_IP;
import static io.sluice.acl.internal.TestPackets.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reflect table's quotas: an interface holds at most {@code sessions.max-per-interface}, a host at most
 * {@code sessions.max-per-host}; whoever fills a quota is refused new flows, counted as session-quota-exceeded (and
 * acl-too-many-sessions), and everyone else still opens theirs.
 */
class SessionQuotaTest {
    private static final String IN = AclInputNode.NAME;
    private static final int SYN = 0x02;
    private static final int OTHER_POD_IP = 0x0a010104; // 10.1.1.4, behind the same port
    /** tap10, registered after the GbE: a second pod port. */
    private static final int TAP10 = 2;

    @Test
    void aHostThatFillsItsQuotaLeavesTheOtherHostOnItsPortItsNewFlows() {
        try (AclFixture box = new AclFixture(1000, SessionTimeouts.VPP_DEFAULTS)) {
            box.seedPolicy();
            box.sessions.table().setMaxPerHost(20);
            for (int port = 20000; port < 20100; port++) {
                box.receive(TestPackets.udp(POD_IP, port, SERVER_IP, 53), TAP2, false);
            }
            assertEquals(20, box.sessions.table().liveOfHost(POD_IP), "the busy host holds its quota");
            assertEquals(80, box.error(IN, "session-quota-exceeded"));
            assertEquals(80, box.error(IN, "acl-too-many-sessions"), "quota refusals also count as before");
            assertEquals(80, box.error(IN, "acl-drop"));

            int routedBefore = box.routed.size();
            for (int port = 30000; port < 30010; port++) {
                box.receive(TestPackets.tcp(OTHER_POD_IP, port, SERVER_IP, 443, SYN), TAP2, false);
            }
            assertEquals(routedBefore + 10, box.routed.size(), "the other host still opens new flows");
            assertEquals(10, box.sessions.table().liveOfHost(OTHER_POD_IP));
            assertEquals(80, box.error(IN, "session-quota-exceeded"), "and none of them was refused");

            box.receive(TestPackets.udp(POD_IP, 20000, SERVER_IP, 53), TAP2, false);
            assertEquals(routedBefore + 11, box.routed.size(), "the busy host's live flows go on");

            box.clock.advanceSeconds(601);
            box.sessions.table().sweep(box.clock.nanos(), 1 << 20);
            assertEquals(0, box.sessions.table().liveOfHost(POD_IP), "expiry gives the quota back");
            box.receive(TestPackets.udp(POD_IP, 21000, SERVER_IP, 53), TAP2, false);
            assertEquals(1, box.sessions.table().liveOfHost(POD_IP));
            assertEquals(0, box.harness.outstanding());
        }
    }

    @Test
    void aPortThatFillsItsQuotaLeavesAnotherPortItsNewFlows() {
        try (AclFixture box = new AclFixture(1000, SessionTimeouts.VPP_DEFAULTS)) {
            box.seedPolicy();
            box.manager.bind("tap10", List.of("pod-reflect"), List.of("pod-ingress"));
            box.sessions.table().setMaxPerInterface(30);
            for (int host = 0; host < 60; host++) {
                box.receive(TestPackets.udp(0x0a010200 + host, 40000, SERVER_IP, 53), TAP2, false);
            }
            assertEquals(30, box.sessions.table().liveOn(TAP2));
            assertEquals(30, box.error(IN, "session-quota-exceeded"));
            int routedBefore = box.routed.size();
            for (int port = 30000; port < 30010; port++) {
                box.receive(TestPackets.tcp(0x0a010305, port, SERVER_IP, 443, SYN), TAP10, false);
            }
            assertEquals(routedBefore + 10, box.routed.size(), "the other port's pod still opens new flows");
            assertEquals(10, box.sessions.table().liveOn(TAP10));
            assertEquals(30, box.error(IN, "session-quota-exceeded"));
            assertEquals(0, box.harness.outstanding());
        }
    }

    @Test
    void hostCountsAreRebuiltWhenATableAttachesToItsRegion() {
        try (AclFixture box = new AclFixture(1000, SessionTimeouts.VPP_DEFAULTS)) {
            box.seedPolicy();
            for (int port = 20000; port < 20007; port++) {
                box.receive(TestPackets.udp(POD_IP, port, SERVER_IP, 53), TAP2, false);
            }
            try (AclSessionsImpl again = new AclSessionsImpl(box.harness.engine(), 1000, SessionTimeouts.VPP_DEFAULTS,
                    box.clock)) {
                assertEquals(7, again.table().liveOfHost(POD_IP), "a new instance (bundle update) counts what it finds");
            }
        }
    }

    @Test
    void settingsReadTheHostQuotaAndDefaultItToAQuarterOfTheTable() {
        AclSessionSettings defaults = new AclSessionSettings(1000, SessionTimeouts.VPP_DEFAULTS);
        assertEquals(250, defaults.maxPerHost());
        assertEquals(500, defaults.maxPerInterface());
        AclSessionSettings set = AclSessionSettings.parse(java.util.Map.of("sessions.max-per-host", "64"), defaults);
        assertEquals(64, set.maxPerHost());
        AclSessionSettings bigger = AclSessionSettings.parse(java.util.Map.of("sessions.max", "4000"), defaults);
        assertEquals(1000, bigger.maxPerHost());
    }
}
