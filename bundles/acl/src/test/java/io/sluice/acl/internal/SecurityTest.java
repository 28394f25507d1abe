package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import org.junit.jupiter.api.Test;

import static io.sluice.acl.internal.AclFixture.GBE;
import static io.sluice.acl.internal.AclFixture.TAP2;
import static io.sluice.acl.internal.TestPackets.POD_IP;
import static io.sluice.acl.internal.TestPackets.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The seed's policy (pods open connections anywhere; inbound to a pod only as replies) against traffic from
 * outside: what is unsolicited is dropped and counted at tap2's egress ACL, replies pass, late replies do not.
 */
class SecurityTest {
    private static final String OUT = AclOutputNode.NAME;
    private static final int DNS = 0x08080808;
    private static final int SYN = 0x02;
    private static final int SYN_ACK = 0x12;
    private static final int ACK = 0x10;

    @Test
    void unsolicitedTcpSynUdpAndIcmpTowardsThePodAreDroppedAndCounted() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 41084, SYN), TAP2, false);
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 41084, SYN_ACK), TAP2, false);
            box.send(TestPackets.udp(DNS, 53, POD_IP, 5353), TAP2, false);
            box.send(TestPackets.icmp(SERVER_IP, POD_IP, 8, 0, 77), TAP2, false);
            box.send(TestPackets.icmp(SERVER_IP, POD_IP, 0, 0, 77), TAP2, false);
            assertEquals(0, box.sentTap2.size());
            assertEquals(5, box.error(OUT, "acl-drop"));
            assertEquals(0, box.error(OUT, "acl-permit"));
            assertEquals(0, box.sessions.stats().live());
            assertEquals(0, box.harness.outstanding());
        }
    }

    @Test
    void repliesToWhatThePodOpenedPass() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.receive(TestPackets.tcp(POD_IP, 41084, SERVER_IP, 80, SYN), TAP2, false);
            box.receive(TestPackets.udp(POD_IP, 5353, DNS, 53), TAP2, false);
            box.receive(TestPackets.icmp(POD_IP, SERVER_IP, 8, 0, 77), TAP2, false);
            assertEquals(3, box.routed.size());
            assertEquals(3, box.error(AclInputNode.NAME, "acl-new-session"));

            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 41084, SYN_ACK), TAP2, false);
            box.send(TestPackets.udp(DNS, 53, POD_IP, 5353), TAP2, false);
            box.send(TestPackets.icmp(SERVER_IP, POD_IP, 0, 0, 77), TAP2, false);
            assertEquals(3, box.sentTap2.size());
            assertEquals(3, box.error(OUT, "acl-exist-session"));
            assertEquals(0, box.error(OUT, "acl-drop"));

            // Not a reply: another port, another echo identifier, another interface.
            box.send(TestPackets.tcp(SERVER_IP, 81, POD_IP, 41084, SYN_ACK), TAP2, false);
            box.send(TestPackets.icmp(SERVER_IP, POD_IP, 0, 0, 78), TAP2, false);
            assertEquals(3, box.sentTap2.size());
            assertEquals(2, box.error(OUT, "acl-drop"));
            assertEquals(0, box.harness.outstanding());
        }
    }

    @Test
    void anEchoCutShortBeforeItsIdentifierOpensNoSessionForThatIdentifier() {
        // Found by SeedGraphFuzzTest (bench): L4_VALID vouches for 4 bytes of ICMP, and the session key read the
        // echo identifier at bytes 4 and 5 even when the packet ended before them, so bytes past its end chose
        // which replies a reflect session let in.
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            byte[] cutShort = TestPackets.icmp(POD_IP, SERVER_IP, 8, 0, 77);
            TestPackets.put16(cutShort, 16, 20 + 4);
            box.receive(cutShort, TAP2, false);
            assertEquals(1, box.error(AclInputNode.NAME, "acl-new-session"));
            box.send(TestPackets.icmp(SERVER_IP, POD_IP, 0, 0, 77), TAP2, false);
            assertEquals(0, box.sentTap2.size());
            assertEquals(1, box.error(OUT, "acl-drop"));
            assertEquals(0, box.harness.outstanding());
        }
    }

    @Test
    void aLateReplyAfterItsSessionTimedOutIsDropped() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.receive(TestPackets.udp(POD_IP, 5353, DNS, 53), TAP2, false);
            box.clock.advanceSeconds(599);
            box.send(TestPackets.udp(DNS, 53, POD_IP, 5353), TAP2, false);
            assertEquals(1, box.sentTap2.size(), "within 600 s of idle, the reply passes and refreshes");
            box.clock.advanceSeconds(601);
            box.send(TestPackets.udp(DNS, 53, POD_IP, 5353), TAP2, false);
            assertEquals(1, box.sentTap2.size(), "after 600 s of idle the session is gone");
            assertEquals(1, box.error(OUT, "acl-drop"));
        }
    }

    @Test
    void tcpTimeoutIsTransientUntilEstablishedThenIdle() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            // Half-open: only the SYN was seen; after 120 s transient timeout the SYN-ACK is late.
            box.receive(TestPackets.tcp(POD_IP, 40000, SERVER_IP, 80, SYN), TAP2, false);
            box.clock.advanceSeconds(121);
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 40000, SYN_ACK), TAP2, false);
            assertEquals(0, box.sentTap2.size());

            // Established: SYN out, SYN-ACK back, ACK out; then quiet for an hour, and data still passes.
            box.receive(TestPackets.tcp(POD_IP, 40001, SERVER_IP, 80, SYN), TAP2, false);
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 40001, SYN_ACK), TAP2, false);
            box.receive(TestPackets.tcp(POD_IP, 40001, SERVER_IP, 80, ACK), TAP2, false);
            assertEquals("tcp-idle", box.sessions.sessions(10).stream()
                    .filter(s -> s.sourcePort() == 40001).findFirst().orElseThrow().timeoutType());
            box.clock.advanceSeconds(3600);
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 40001, ACK), TAP2, false);
            assertEquals(2, box.sentTap2.size());
            box.clock.advanceSeconds(24 * 3600 + 1);
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 40001, ACK), TAP2, false);
            assertEquals(2, box.sentTap2.size());
        }
    }

    @Test
    void configuredTimeoutsApply() {
        try (AclFixture box = new AclFixture(1000, new SessionTimeouts(3600, 5, 10))) {
            box.seedPolicy();
            box.receive(TestPackets.udp(POD_IP, 5353, DNS, 53), TAP2, false);
            box.clock.advanceSeconds(11);
            box.send(TestPackets.udp(DNS, 53, POD_IP, 5353), TAP2, false);
            assertEquals(0, box.sentTap2.size());
        }
    }

    @Test
    void aFullSessionTableRefusesNewFlowsAndCountsThem() {
        try (AclFixture box = new AclFixture(2, SessionTimeouts.VPP_DEFAULTS)) {
            box.seedPolicy();
            for (int port = 1000; port < 1003; port++) {
                box.receive(TestPackets.udp(POD_IP, port, DNS, 53), TAP2, false);
            }
            assertEquals(2, box.routed.size());
            assertEquals(1, box.error(AclInputNode.NAME, "acl-too-many-sessions"));
            assertEquals(1, box.sessions.stats().refusedFull());
            assertEquals(2, box.sessions.stats().live());
            // Expired sessions are reclaimed: after the UDP timeout a new flow gets a slot.
            box.clock.advanceSeconds(601);
            box.receive(TestPackets.udp(POD_IP, 2000, DNS, 53), TAP2, false);
            assertEquals(3, box.routed.size());
            assertEquals(0, box.harness.outstanding());
        }
    }

    @Test
    void clearedSessionsNoLongerPassReplies() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.receive(TestPackets.udp(POD_IP, 5353, DNS, 53), TAP2, false);
            assertEquals(1, box.sessions.clear());
            box.send(TestPackets.udp(DNS, 53, POD_IP, 5353), TAP2, false);
            assertEquals(0, box.sentTap2.size());
            assertEquals(1, box.sessions.stats().deleted());
        }
    }

    @Test
    void gbeEgressPermitsThroughTheGlobalAclAndDeniesItsEarlierRules() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.send(TestPackets.tcp(POD_IP, 1234, 0x0ac80305, 80, SYN), GBE, false);
            box.send(TestPackets.tcp(POD_IP, 1234, SERVER_IP, 80, SYN), GBE, false);
            assertEquals(1, box.sentGbe.size());
            assertEquals(1, box.error(OUT, "acl-drop"));
        }
    }

    /**
     * ICMP errors about the pod's own flows are RELATED (traceroute's time-exceeded, path MTU discovery's
     * frag-needed, for TCP, UDP and ICMP echo); an error quoting a flow the pod never opened, or addressed to
     * someone else than the quoted packet's sender, is not.
     */
    @Test
    void icmpErrorsAboutThePodsFlowsPassAndOthersDoNot() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            int router = 0xc0a81064;
            byte[] tcp = TestPackets.tcp(POD_IP, 41084, SERVER_IP, 80, SYN);
            byte[] udp = TestPackets.udp(POD_IP, 33434, SERVER_IP, 33435);
            byte[] echo = TestPackets.icmp(POD_IP, SERVER_IP, 8, 0, 4242);
            for (byte[] opened : new byte[][] {tcp, udp, echo}) {
                box.receive(opened, TAP2, false);
            }
            box.send(TestPackets.icmpError(router, POD_IP, 11, 0, udp), TAP2, false);
            box.send(TestPackets.icmpError(router, POD_IP, 3, 4, tcp), TAP2, false);
            box.send(TestPackets.icmpError(SERVER_IP, POD_IP, 3, 3, udp), TAP2, false);
            box.send(TestPackets.icmpError(router, POD_IP, 11, 0, echo), TAP2, false);
            assertEquals(4, box.sentTap2.size(), "time exceeded, frag needed, port unreachable, echo's time exceeded");
            assertEquals(4, box.error(OUT, "acl-related"));

            byte[] never = TestPackets.udp(POD_IP, 40000, SERVER_IP, 53);
            box.send(TestPackets.icmpError(router, POD_IP, 3, 3, never), TAP2, false);
            byte[] someoneElses = TestPackets.udp(0x0a010104, 33434, SERVER_IP, 33435);
            box.send(TestPackets.icmpError(router, POD_IP, 11, 0, someoneElses), TAP2, false);
            byte[] truncated = java.util.Arrays.copyOf(TestPackets.icmpError(router, POD_IP, 11, 0, udp), 34 + 8 + 20);
            TestPackets.put16(truncated, 16, 20 + 8 + 20);
            box.send(truncated, TAP2, false);
            assertEquals(4, box.sentTap2.size(), "errors quoting no session of this pod, or cut short, are dropped");
            assertEquals(3, box.error(OUT, "acl-drop"));
            assertEquals(3, box.error(OUT, "acl-icmp-error-no-session"), "and counted as errors about no session");
            assertEquals(0, box.harness.outstanding());
        }
    }

    /**
     * The GbE's input ACL is permit+reflect: an unsolicited ICMP error from the internet is let on (to the NAT, which
     * drops one to its pool that quotes no session), but it makes no session: an error never starts a flow, so
     * nobody outside creates state with errors. An error that does quote a session passes as related.
     */
    @Test
    void anUnsolicitedIcmpErrorMakesNoSessionEvenWherePermitReflectWouldReflectIt() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            int router = 0xc0a81064;
            int node = 0xc0a81001;
            for (int port = 0; port < 10; port++) {
                byte[] never = TestPackets.udp(node, 40000 + port, SERVER_IP, 33434);
                box.receive(TestPackets.icmpError(router, node, 11, 0, never), GBE, false);
            }
            assertEquals(10, box.routed.size(), "permitted by the GbE's rule");
            assertEquals(0, box.sessions.table().liveOn(GBE), "and no session made for any of them");
            assertEquals(0, box.error(AclInputNode.NAME, "acl-new-session"));
            assertEquals(0, box.error(AclInputNode.NAME, "acl-icmp-error-no-session"), "not denied, so not counted");

            byte[] inbound = TestPackets.udp(SERVER_IP, 5000, node, 53);
            box.receive(inbound, GBE, false);
            assertEquals(1, box.sessions.table().liveOn(GBE));
            box.send(TestPackets.icmpError(node, SERVER_IP, 3, 3, inbound), GBE, false);
            assertEquals(1, box.error(OUT, "acl-related"), "an error about the GbE's session is related to it");
            assertEquals(0, box.harness.outstanding());
        }
    }

    /**
     * The GbE's input ACL is permit+reflect (as the seed's): a flood of distinct flows from the internet makes
     * sessions there, but only up to the GbE's share of the table. The pod still opens new connections, and
     * their replies pass.
     */
    @Test
    void aFloodOfFlowsAtTheGbeFillsItsShareOnlyAndThePodStillConnects() {
        try (AclFixture box = new AclFixture(100, SessionTimeouts.VPP_DEFAULTS)) {
            box.seedPolicy();
            box.sessions.table().setMaxPerInterface(50);
            for (int flow = 0; flow < 200; flow++) {
                box.receive(TestPackets.udp(0xc6336400 + flow, 40000 + flow, 0xc0a81001, 9), GBE, false);
            }
            assertEquals(50, box.sessions.table().liveOn(GBE), "the internet's flows fill the GbE's share");
            assertEquals(150, box.error(AclInputNode.NAME, "acl-too-many-sessions"));
            int routedBefore = box.routed.size();
            for (int port = 30000; port < 30010; port++) {
                box.receive(TestPackets.tcp(POD_IP, port, SERVER_IP, 443, SYN), TAP2, false);
            }
            assertEquals(routedBefore + 10, box.routed.size(), "the pod's new connections are admitted");
            assertEquals(10, box.sessions.table().liveOn(TAP2));
            for (int port = 30000; port < 30010; port++) {
                box.send(TestPackets.tcp(SERVER_IP, 443, POD_IP, port, SYN_ACK), TAP2, false);
            }
            assertEquals(10, box.sentTap2.size(), "and their replies pass");
            box.clock.advanceSeconds(601);
            box.sessions.table().sweep(box.clock.nanos(), 1 << 20);
            assertEquals(0, box.sessions.table().liveOn(GBE), "expiry gives the share back");
            assertEquals(0, box.harness.outstanding());
        }
    }
}
