package io.sluice.shell.nat44;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.nat44.api.SessionInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** nat44:summary's counts by protocol and state and its limit counters. */
class NatSummaryTest {

    private static SessionInfo session(int protocol, String state) {
        return new SessionInfo(0, protocol, 1, 2, 3, 4, 5, 6, false, state, 0, 0, 0, 0, 1);
    }

    @Test
    void sessionsAreCountedByProtocolAndTcpState() {
        List<NatSummary.StateCount> counts = NatSummary.byProtocolAndState(List.of(session(6, "established"),
                session(6, "established"), session(6, "syn-sent"), session(17, ""), session(1, ""), session(47, "")));
        assertEquals(List.of(new NatSummary.StateCount("47", "-", 1), new NatSummary.StateCount("icmp", "-", 1),
                new NatSummary.StateCount("tcp", "established", 2), new NatSummary.StateCount("tcp", "syn-sent", 1),
                new NatSummary.StateCount("udp", "-", 1)), counts);
    }

    @Test
    void theLimitCountersAreTheNatNodesOnes() {
        List<NatSummary.LimitHit> limits = NatSummary.limits(List.of(
                new ErrorCount("nat44-in2out-output-slowpath", "out-of-ports", "out of ports", 3),
                new ErrorCount("nat44-in2out-output-slowpath", "sessions-created", "sessions created", 9),
                new ErrorCount("nat44-out2in", "max-sessions-exceeded", "maximum sessions exceeded", 0),
                new ErrorCount("ip4-lookup", "out-of-ports", "not a NAT node", 1)));
        assertEquals(List.of(new NatSummary.LimitHit("nat44-in2out-output-slowpath", "out-of-ports", "out of ports", 3),
                new NatSummary.LimitHit("nat44-out2in", "max-sessions-exceeded", "maximum sessions exceeded", 0)), limits);
    }
}
