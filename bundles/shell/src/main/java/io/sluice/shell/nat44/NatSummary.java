package io.sluice.shell.nat44;

import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.nat44.api.SessionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The figures of {@code nat44:summary}, from the session list and the NAT nodes' error counters. */
final class NatSummary {

    /** The NAT nodes' counters that say a limit was reached (see the error enums of the nat44 nodes). */
    static final Set<String> LIMIT_COUNTERS = Set.of("out-of-ports", "max-sessions-exceeded",
            "max-user-sessions-exceeded", "no-address");

    /** Sessions of one protocol in one state. */
    record StateCount(String protocol, String state, long sessions) {
    }

    /** A limit counter of one NAT node. */
    record LimitHit(String node, String counter, String description, long count) {
    }

    private NatSummary() {
    }

    /** By protocol (tcp, udp, icmp, or the number) then state; UDP and ICMP sessions have no state: "-". */
    static List<StateCount> byProtocolAndState(List<SessionInfo> sessions) {
        Map<String, Long> counts = new TreeMap<>();
        for (SessionInfo s : sessions) {
            String state = s.tcpState() == null || s.tcpState().isEmpty() ? "-" : s.tcpState();
            counts.merge(protocolName(s.protocol()) + '\t' + state, 1L, Long::sum);
        }
        List<StateCount> result = new ArrayList<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            String[] key = e.getKey().split("\t");
            result.add(new StateCount(key[0], key[1], e.getValue()));
        }
        return result;
    }

    /** Every limit counter of a node whose name starts with {@code nat44-}, hit or not (0 says "not yet"). */
    static List<LimitHit> limits(List<ErrorCount> errors) {
        List<LimitHit> result = new ArrayList<>();
        for (ErrorCount e : errors) {
            if (e.node().startsWith("nat44-") && LIMIT_COUNTERS.contains(e.error())) {
                result.add(new LimitHit(e.node(), e.error(), e.description(), e.count()));
            }
        }
        return result;
    }

    /** IANA protocol numbers (RFC 790's assigned numbers): 6 tcp, 17 udp, 1 icmp. */
    static String protocolName(int protocol) {
        return switch (protocol) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            default -> Integer.toString(protocol);
        };
    }
}
