package io.sluice.acl.internal;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclDenyEvent;
import io.sluice.acl.api.AclRule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sluice.acl.internal.AclFixture.GBE;
import static io.sluice.acl.internal.AclFixture.TAP2;
import static io.sluice.acl.internal.TestPackets.POD_IP;
import static io.sluice.acl.internal.TestPackets.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Denied-flow logging: which denies an ACL's {@code log = deny} records, one event per flow per interval, the ring's
 * overflow counted, and nothing at all while the log is disabled.
 */
class DenyLogTest {
    private static final int SYN = 0x02;
    private static final long INTERVAL_MILLIS = 10_000;

    /** tap2 ingress: ACL 3 with a deny rule 1 for TCP port 80 and a permit for the rest of TCP; logs its denies. */
    private static void loggingPolicy(AclFixture box, boolean log) {
        box.manager.define(new Acl("pod-out", 3, List.of(AclRule.parse("permit proto udp"),
                AclRule.parse("deny proto tcp dport 80"), AclRule.parse("permit proto tcp")), log));
        box.manager.bind("tap2", List.of("pod-out"), List.of());
    }

    private static long[] drain(AclFixture box, int expected) {
        long[] records = new long[64 * AclDenyEvent.LONGS];
        assertEquals(expected, box.denyLog.drain(records, 64));
        return records;
    }

    @Test
    void aDenyRuleOfALoggingAclRecordsTheFlowWithItsRule() {
        try (AclFixture box = new AclFixture()) {
            loggingPolicy(box, true);
            box.denyLog.enable(1024, INTERVAL_MILLIS);
            box.receive(TestPackets.tcp(POD_IP, 6666, SERVER_IP, 80, SYN), TAP2, false);
            long[] r = drain(box, 1);
            assertEquals(POD_IP, AclDenyEvent.sourceAddress(r, 0));
            assertEquals(SERVER_IP, AclDenyEvent.destinationAddress(r, 0));
            assertEquals(6, AclDenyEvent.protocol(r, 0));
            assertEquals(6666, AclDenyEvent.sourcePort(r, 0));
            assertEquals(80, AclDenyEvent.destinationPort(r, 0));
            assertEquals(TAP2, AclDenyEvent.swIfIndex(r, 0));
            assertEquals(AclDenyEvent.DIRECTION_INPUT, AclDenyEvent.direction(r, 0));
            assertEquals(AclDenyEvent.REASON_RULE, AclDenyEvent.reason(r, 0));
            assertEquals(3, AclDenyEvent.aclIndex(r, 0));
            assertEquals(1, AclDenyEvent.ruleIndex(r, 0));
            assertEquals(1_000, AclDenyEvent.time(r, 0), "the sessions' clock, in milliseconds");
            assertEquals(1, box.error(AclInputNode.NAME, "acl-drop"));
        }
    }

    @Test
    void aFloodOfOneFlowIsOneEventPerIntervalAndTheRestAreCountedAsRateLimited() {
        try (AclFixture box = new AclFixture()) {
            loggingPolicy(box, true);
            box.denyLog.enable(1024, INTERVAL_MILLIS);
            for (int k = 0; k < 100; k++) {
                box.receive(TestPackets.tcp(POD_IP, 6666, SERVER_IP, 80, SYN), TAP2, false);
            }
            box.receive(TestPackets.tcp(POD_IP, 6667, SERVER_IP, 80, SYN), TAP2, false);
            drain(box, 2);
            assertEquals(99, box.denyLog.rateLimited());
            box.clock.advanceSeconds(9);
            box.receive(TestPackets.tcp(POD_IP, 6666, SERVER_IP, 80, SYN), TAP2, false);
            drain(box, 0);
            box.clock.advanceSeconds(2);
            box.receive(TestPackets.tcp(POD_IP, 6666, SERVER_IP, 80, SYN), TAP2, false);
            drain(box, 1);
            assertEquals(3, box.denyLog.recorded());
            assertEquals(100, box.denyLog.rateLimited());
            assertEquals(103, box.error(AclInputNode.NAME, "acl-drop"), "every packet is still dropped and counted");
        }
    }

    @Test
    void anAclWithoutLogAndADisabledLogRecordNothing() {
        try (AclFixture box = new AclFixture()) {
            loggingPolicy(box, false);
            box.denyLog.enable(1024, INTERVAL_MILLIS);
            box.receive(TestPackets.tcp(POD_IP, 6666, SERVER_IP, 80, SYN), TAP2, false);
            drain(box, 0);
            loggingPolicy(box, true);
            box.denyLog.disable();
            box.receive(TestPackets.tcp(POD_IP, 6666, SERVER_IP, 80, SYN), TAP2, false);
            assertFalse(box.denyLog.enabled());
            assertEquals(0, box.denyLog.recorded());
            assertEquals(0, box.denyLog.rateLimited());
            assertEquals(2, box.error(AclInputNode.NAME, "acl-drop"));
        }
    }

    @Test
    void theImplicitDenyOfALoggingListAndTheFailClosedDropAreRecorded() {
        try (AclFixture box = new AclFixture()) {
            box.manager.define(new Acl("pod-in", 1, List.of(AclRule.parse("permit proto udp")), true));
            box.manager.bind("tap2", List.of(), List.of("pod-in"));
            box.manager.bind("GigabitEthernet0/8/0", List.of("not-defined"), List.of());
            box.denyLog.enable(1024, INTERVAL_MILLIS);
            box.send(TestPackets.icmp(SERVER_IP, POD_IP, 8, 0, 77), TAP2, false);
            box.receive(TestPackets.tcp(SERVER_IP, 443, POD_IP, 1234, SYN), GBE, false);
            long[] r = drain(box, 2);
            assertEquals(AclDenyEvent.REASON_NO_MATCH, AclDenyEvent.reason(r, 0));
            assertEquals(AclDenyEvent.DIRECTION_OUTPUT, AclDenyEvent.direction(r, 0));
            assertEquals(-1, AclDenyEvent.aclIndex(r, 0));
            assertEquals(-1, AclDenyEvent.ruleIndex(r, 0));
            assertEquals(1, AclDenyEvent.protocol(r, 0));
            assertEquals(8, AclDenyEvent.sourcePort(r, 0), "ICMP type, as the ACL matches it");
            assertEquals(AclDenyEvent.REASON_NO_POLICY, AclDenyEvent.reason(r, 1));
            assertEquals(GBE, AclDenyEvent.swIfIndex(r, 1));
            assertEquals(1, box.error(AclInputNode.NAME, "acl-no-policy"));
        }
    }

    @Test
    void aFullRingDropsNewEventsAndCountsThem() {
        try (AclFixture box = new AclFixture()) {
            loggingPolicy(box, true);
            box.denyLog.enable(DenyLogRing.MIN_CAPACITY, INTERVAL_MILLIS);
            for (int port = 0; port < DenyLogRing.MIN_CAPACITY + 5; port++) {
                box.receive(TestPackets.tcp(POD_IP, 10_000 + port, SERVER_IP, 80, SYN), TAP2, false);
            }
            assertEquals(DenyLogRing.MIN_CAPACITY, box.denyLog.recorded());
            assertEquals(5, box.denyLog.lost());
            drain(box, 64);
            box.receive(TestPackets.tcp(POD_IP, 9_999, SERVER_IP, 80, SYN), TAP2, false);
            assertEquals(DenyLogRing.MIN_CAPACITY + 1, box.denyLog.recorded(), "drained slots take events again");
        }
    }

    @Test
    void countersSurviveANewRing() {
        AclDenyLogImpl log = new AclDenyLogImpl();
        log.enable(1024, INTERVAL_MILLIS);
        AclDenyLogImpl.Recorder first = log.recorder();
        assertTrue(first.record(1_000, 1, 2, 6, 3, 4, 1, 1, AclDenyEvent.REASON_RULE, 0, 0));
        assertFalse(first.record(1_001, 1, 2, 6, 3, 4, 1, 1, AclDenyEvent.REASON_RULE, 0, 0));
        first.countRateLimited(1);
        log.enable(2048, INTERVAL_MILLIS);
        assertEquals(1, log.recorded());
        assertEquals(1, log.rateLimited());
        assertEquals(0, log.drain(new long[AclDenyEvent.LONGS * 4], 4), "the old ring's events go with it");
        log.disable();
        assertEquals(1, log.recorded());
        assertThrows(IllegalArgumentException.class, () -> log.enable(1024, 10));
        assertThrows(IllegalArgumentException.class, () -> log.enable(1000, INTERVAL_MILLIS));
    }

    @Test
    void theLimiterTellsFlowsApartByEveryField() {
        FlowRateLimiter limiter = new FlowRateLimiter(INTERVAL_MILLIS);
        long t = 5_000_000;
        assertTrue(limiter.admit(1, 2, 6, 3, 4, 1, 1, t));
        assertFalse(limiter.admit(1, 2, 6, 3, 4, 1, 1, t + 1));
        assertTrue(limiter.admit(9, 2, 6, 3, 4, 1, 1, t));
        assertTrue(limiter.admit(1, 9, 6, 3, 4, 1, 1, t));
        assertTrue(limiter.admit(1, 2, 17, 3, 4, 1, 1, t));
        assertTrue(limiter.admit(1, 2, 6, 9, 4, 1, 1, t));
        assertTrue(limiter.admit(1, 2, 6, 3, 9, 1, 1, t));
        assertTrue(limiter.admit(1, 2, 6, 3, 4, 9, 1, t));
        assertTrue(limiter.admit(1, 2, 6, 3, 4, 1, 2, t));
        assertFalse(limiter.admit(1, 2, 6, 3, 4, 1, 1, t + INTERVAL_MILLIS - 100));
        assertTrue(limiter.admit(1, 2, 6, 3, 4, 1, 1, t + INTERVAL_MILLIS + 100));
    }

    @Test
    void moreDeniedFlowsThanTheCacheHoldsAreLoggedMoreOftenNeverLess() {
        FlowRateLimiter limiter = new FlowRateLimiter(INTERVAL_MILLIS);
        int flows = FlowRateLimiter.SLOTS * 4;
        for (int f = 0; f < flows; f++) {
            assertTrue(limiter.admit(f, 2, 6, 3, 4, 1, 1, 1_000));
        }
        int suppressed = 0;
        for (int f = 0; f < flows; f++) {
            suppressed += limiter.admit(f, 2, 6, 3, 4, 1, 1, 1_001) ? 0 : 1;
        }
        assertTrue(suppressed > 0 && suppressed <= FlowRateLimiter.SLOTS, "suppressed " + suppressed);
    }
}
