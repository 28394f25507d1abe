package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's four ACL trace blocks (POD_TO_INTERNET.md), for its SYN and SYN-ACK. */
class SeedTraceTest {

    private static String block(String... lines) {
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            out.append("  ").append(line).append('\n');
        }
        return out.toString();
    }

    private static void assertTraceHas(String trace, String expected) {
        assertTrue(trace.contains(expected), () -> "expected\n" + expected + "in\n" + trace);
    }

    @Test
    void synAtIngressOfTap2IsPermitReflect() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.receive(TestPackets.seedSynFromPod(), AclFixture.TAP2, true);
            assertEquals(1, box.routed.size());
            // next index 2: arc 0 is error-drop, 1 is ip4-lookup (interfaces without NAT), 2 nat44-out2in.
            assertTraceHas(box.harness.trace(), block(
                    "acl-plugin: sw_if_index 6, next index 2, action: 2, match: acl 3 rule 0 trace_bits 00000000",
                    "pkt info 0000000000000000 0301010a00000000 0000000000000000 3361861f00000000 000600060050a07c 0702ffff00000006",
                    " input sw_if_index 6 (lsb16 6) l3 ip4 10.1.1.3 -> 31.134.97.51 l4 proto 6 l4_valid 1 port 41084 -> 80 tcp flags (valid) 02 rsvd 0"));
            assertEquals(0, box.harness.outstanding());
        }
    }

    @Test
    void synAtEgressOfGbeMatchesGlobalAclRule14() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.send(TestPackets.seedSynRewritten(), AclFixture.GBE, true);
            assertEquals(1, box.sentGbe.size());
            assertTraceHas(box.harness.trace(), block(
                    "acl-plugin: sw_if_index 1, next index 2, action: 1, match: acl 2 rule 14 trace_bits 00000000",
                    "pkt info 0000000000000000 0301010a00000000 0000000000000000 3361861f00000000 000100060050a07c 0502ffff00000001",
                    " output sw_if_index 1 (lsb16 1) l3 ip4 10.1.1.3 -> 31.134.97.51 l4 proto 6 l4_valid 1 port 41084 -> 80 tcp flags (valid) 02 rsvd 0"));
        }
    }

    @Test
    void synAckAtIngressOfGbeIsPermitReflect() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.receive(TestPackets.seedSynAckFromServer(), AclFixture.GBE, true);
            assertTraceHas(box.harness.trace(), block(
                    "acl-plugin: sw_if_index 1, next index 2, action: 2, match: acl 3 rule 0 trace_bits 00000000",
                    "pkt info 0000000000000000 3361861f00000000 0000000000000000 0110a8c000000000 0001000664c90050 0712ffff00000001",
                    " input sw_if_index 1 (lsb16 1) l3 ip4 31.134.97.51 -> 192.168.16.1 l4 proto 6 l4_valid 1 port 80 -> 25801 tcp flags (valid) 12 rsvd 0"));
        }
    }

    @Test
    void synAckAtEgressOfTap2PassesAsTheSynsSession() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.receive(TestPackets.seedSynFromPod(), AclFixture.TAP2, false);
            List<SessionInfo> sessions = box.sessions.sessions(10);
            assertEquals(1, sessions.size());
            int session = sessions.get(0).index();
            box.send(TestPackets.seedSynAckToPod(), AclFixture.TAP2, true);
            assertEquals(1, box.sentTap2.size());
            // VPP printed next index 1 (tap2-output was its first added arc); here arcs to the ends of
            // ip4-output are added in sw_if_index order: 0 error-drop, 1 test-unrouted (local0),
            // 2 nat44-in2out-output (GbE), 3..6 tap10..13-output, 7 tap2-output.
            assertTraceHas(box.harness.trace(), block(
                    "acl-plugin: sw_if_index 6, next index 7, action: 3, match: acl -1 rule " + session
                            + " trace_bits 80000000",
                    "pkt info 0000000000000000 3361861f00000000 0000000000000000 0301010a00000000 00060006a07c0050 0512ffff00000006",
                    " output sw_if_index 6 (lsb16 6) l3 ip4 31.134.97.51 -> 10.1.1.3 l4 proto 6 l4_valid 1 port 80 -> 41084 tcp flags (valid) 12 rsvd 0"));
            assertEquals(1, box.error(AclOutputNode.NAME, "acl-exist-session"));
            assertEquals(0, box.harness.outstanding());
        }
    }
}
