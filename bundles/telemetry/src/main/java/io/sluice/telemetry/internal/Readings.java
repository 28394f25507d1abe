package io.sluice.telemetry.internal;

import io.sluice.acl.api.AclSessions;
import io.sluice.graph.api.GraphRuntime.BarrierStats;
import io.sluice.graph.api.GraphRuntime.BufferStats;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.api.GraphRuntime.NodeStats;
import io.sluice.graph.api.GraphRuntime.WorkerHealth;
import io.sluice.nat44.api.AddressInfo;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import java.util.List;

/**
 * What one scrape read, as the APIs return it (the same figures the console's commands show). Kept apart from
 * the reading so that the naming and the text can be tested with counters built by hand.
 *
 * @param acl           null while no ACL session table is registered (the ACL bundle absent or being updated)
 * @param aclDeny       null while the ACL's deny log is not registered
 * @param nat44         null while NAT44 is not registered
 * @param natDrop       null while NAT44's drop log is not registered
 * @param collectNanos  how long reading took, barrier pauses included
 * @param health        each worker as the graph's watchdog sees it (read without the barrier)
 */
record Readings(List<InterfaceStats> interfaces, List<NodeStats> nodes, List<ErrorCount> errors,
                List<BufferStats> buffers, BarrierStats barrier, int workers, AclSessions.SessionStats acl,
                AclDenyReading aclDeny, Nat44Reading nat44, NatDropReading natDrop, long collectNanos,
                List<WorkerHealth> health) {

    /** Without the watchdog's view of the workers. */
    Readings(List<InterfaceStats> interfaces, List<NodeStats> nodes, List<ErrorCount> errors, List<BufferStats> buffers,
             BarrierStats barrier, int workers, AclSessions.SessionStats acl, AclDenyReading aclDeny,
             Nat44Reading nat44, NatDropReading natDrop, long collectNanos) {
        this(interfaces, nodes, errors, buffers, barrier, workers, acl, aclDeny, nat44, natDrop, collectNanos, List.of());
    }

    /** Without NAT44's drop log. */
    Readings(List<InterfaceStats> interfaces, List<NodeStats> nodes, List<ErrorCount> errors, List<BufferStats> buffers,
             BarrierStats barrier, int workers, AclSessions.SessionStats acl, AclDenyReading aclDeny,
             Nat44Reading nat44, long collectNanos, List<WorkerHealth> health) {
        this(interfaces, nodes, errors, buffers, barrier, workers, acl, aclDeny, nat44, null, collectNanos, health);
    }

    Readings(List<InterfaceStats> interfaces, List<NodeStats> nodes, List<ErrorCount> errors, List<BufferStats> buffers,
             BarrierStats barrier, int workers, AclSessions.SessionStats acl, Nat44Reading nat44, long collectNanos) {
        this(interfaces, nodes, errors, buffers, barrier, workers, acl, null, nat44, null, collectNanos);
    }

    /** Without the watchdog's view of the workers and NAT44's drop log. */
    Readings(List<InterfaceStats> interfaces, List<NodeStats> nodes, List<ErrorCount> errors, List<BufferStats> buffers,
             BarrierStats barrier, int workers, AclSessions.SessionStats acl, AclDenyReading aclDeny,
             Nat44Reading nat44, long collectNanos) {
        this(interfaces, nodes, errors, buffers, barrier, workers, acl, aclDeny, nat44, null, collectNanos, List.of());
    }

    /**
     * The ACL's deny log: events recorded, lost (ring full), denied packets rate-limited, and syslog messages sent
     * ({@code sent} -1 while no exporter is configured).
     */
    record AclDenyReading(long recorded, long lost, long rateLimited, long sent) {
    }

    /**
     * NAT44's table occupancy (in all, and per protocol: TCP, UDP, ICMP, other), its pool's ports in use, and its
     * event log's counts (-1 when the log's service is not there).
     */
    record Nat44Reading(long sessions, long tcpSessions, long udpSessions, long icmpSessions, long otherSessions,
                        long capacity, List<AddressInfo> addresses, long eventsRecorded, long eventsLost) {
        Nat44Reading(long tcpSessions, long udpSessions, long icmpSessions, long otherSessions, long capacity,
                     List<AddressInfo> addresses) {
            this(tcpSessions + udpSessions + icmpSessions + otherSessions, tcpSessions, udpSessions, icmpSessions,
                    otherSessions, capacity, addresses, -1, -1);
        }
    }

    /**
     * NAT44's drop log: drop events recorded, lost (ring full); and, while an exporter is configured, its summary lines
     * sent and (reason, source) lines suppressed by max-lines ({@code linesSent} -1 while none is).
     */
    record NatDropReading(long recorded, long lost, long linesSent, long linesSuppressed) {
    }
}
