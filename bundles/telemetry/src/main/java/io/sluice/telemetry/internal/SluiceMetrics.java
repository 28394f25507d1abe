package io.sluice.telemetry.internal;

import io.sluice.acl.api.AclSessions;
import io.sluice.graph.api.GraphRuntime.BarrierStats;
import io.sluice.graph.api.GraphRuntime.BufferStats;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.api.GraphRuntime.NodeStats;
import io.sluice.graph.api.GraphRuntime.WorkerHealth;
import io.sluice.nat44.api.AddressInfo;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Names the box's counters the Prometheus way and writes them: {@code sluice_} prefix, base units (bytes,
 * seconds), counters ending in {@code _total}, one label per dimension ({@code interface}, {@code node},
 * {@code counter}, {@code worker}, {@code address}, {@code protocol}). The list is in docs/operations.md.
 *
 * <p>Counters are what the box keeps since its start or since an operator cleared them ({@code errors:show
 * --clear}, {@code runtime:show --clear}): a clear is a counter reset, which Prometheus' {@code rate()} handles.
 */
final class SluiceMetrics {

    private static final double NANOS_PER_SECOND = 1e9;

    private SluiceMetrics() {
    }

    static String text(Readings readings) {
        StringBuilder out = new StringBuilder(16 * 1024);
        write(readings, new TextFormat(out));
        return out.toString();
    }

    static void write(Readings r, TextFormat out) {
        interfaces(r.interfaces(), out);
        nodes(r.nodes(), out);
        errors(r.errors(), out);
        buffers(r.buffers(), out);
        runtime(r, out);
        if (r.acl() != null) {
            acl(r.acl(), out);
        }
        if (r.aclDeny() != null) {
            aclDeny(r.aclDeny(), out);
        }
        if (r.nat44() != null) {
            nat44(r.nat44(), out);
        }
        if (r.natDrop() != null) {
            natDrop(r.natDrop(), out);
        }
        out.gauge("sluice_telemetry_collect_seconds",
                "Time this scrape took to read the counters, the barrier pauses it needed included.");
        out.sample(r.collectNanos() / NANOS_PER_SECOND);
    }

    private static void interfaces(List<InterfaceStats> all, TextFormat out) {
        // A removed interface keeps its sw_if_index with no name: it has nothing left to report.
        List<InterfaceStats> named = new ArrayList<>();
        for (InterfaceStats s : all) {
            if (s.name() != null) {
                named.add(s);
            }
        }
        interfaceCounter(out, named, "sluice_interface_rx_packets_total", "Packets received on the interface.",
                InterfaceStats::rxPackets);
        interfaceCounter(out, named, "sluice_interface_rx_bytes_total", "Bytes received on the interface.",
                InterfaceStats::rxBytes);
        interfaceCounter(out, named, "sluice_interface_tx_packets_total", "Packets sent on the interface.",
                InterfaceStats::txPackets);
        interfaceCounter(out, named, "sluice_interface_tx_bytes_total", "Bytes sent on the interface.",
                InterfaceStats::txBytes);
        interfaceCounter(out, named, "sluice_interface_drops_total",
                "Packets received on or bound for the interface that were dropped (port down, not for us).",
                InterfaceStats::drops);
        interfaceCounter(out, named, "sluice_interface_rx_errors_total", "Receive errors of the interface.",
                InterfaceStats::rxErrors);
        interfaceCounter(out, named, "sluice_interface_tx_errors_total", "Transmit errors of the interface.",
                InterfaceStats::txErrors);
        out.gauge("sluice_interface_admin_up", "1 when the interface is administratively up, else 0.", "interface");
        for (InterfaceStats s : named) {
            out.sample(s.adminUp() ? 1 : 0, s.name());
        }
        out.gauge("sluice_interface_link_up", "1 when the interface's link is up, else 0.", "interface");
        for (InterfaceStats s : named) {
            out.sample(s.linkUp() ? 1 : 0, s.name());
        }
    }

    private static void interfaceCounter(TextFormat out, List<InterfaceStats> named, String name, String help,
                                         ToLongFunction<InterfaceStats> value) {
        out.counter(name, help, "interface");
        for (InterfaceStats s : named) {
            out.sample(value.applyAsLong(s), s.name());
        }
    }

    private static void nodes(List<NodeStats> nodes, TextFormat out) {
        out.counter("sluice_node_calls_total", "Times the node ran (runtime:show Calls); an input node runs at every poll, packets or not.",
                "node");
        for (NodeStats n : nodes) {
            out.sample(n.calls(), n.name());
        }
        out.counter("sluice_node_vectors_total", "Packets the node processed (runtime:show Vectors).", "node");
        for (NodeStats n : nodes) {
            out.sample(n.vectors(), n.name());
        }
        out.counter("sluice_node_clock_seconds_total",
                "Wall time the node spent processing (VPP's clocks; runtime:show's ns/vector is this over vectors).",
                "node");
        for (NodeStats n : nodes) {
            out.sample(n.clockNanos() / NANOS_PER_SECOND, n.name());
        }
        out.gauge("sluice_node_active",
                "1 when an instance serves the node, 0 while frames for it are parked (its bundle absent or updating).",
                "node");
        for (NodeStats n : nodes) {
            out.sample("active".equals(n.state()) ? 1 : 0, n.name());
        }
    }

    private static void errors(List<ErrorCount> errors, TextFormat out) {
        out.counter("sluice_errors_total", "Error counters, /err/<node>/<counter> (errors:show).", "node", "counter");
        for (ErrorCount e : errors) {
            out.sample(e.count(), e.node(), e.error());
        }
    }

    private static void buffers(List<BufferStats> pools, TextFormat out) {
        out.gauge("sluice_buffer_pool_size", "Buffers in the worker's pool.", "worker");
        for (BufferStats p : pools) {
            out.sample(p.capacity(), Integer.toString(p.worker()));
        }
        out.gauge("sluice_buffer_pool_outstanding", "Buffers of the worker's pool in use (not free).", "worker");
        for (BufferStats p : pools) {
            out.sample(p.outstanding(), Integer.toString(p.worker()));
        }
        out.counter("sluice_buffer_pool_alloc_failures_total", "Buffer allocations refused: the pool was empty.",
                "worker");
        for (BufferStats p : pools) {
            out.sample(p.allocFailures(), Integer.toString(p.worker()));
        }
    }

    private static void runtime(Readings r, TextFormat out) {
        out.gauge("sluice_workers", "Worker threads running the graph.");
        out.sample(r.workers());
        BarrierStats b = r.barrier();
        out.counter("sluice_barrier_pauses_total",
                "Times the control plane paused every worker at a frame boundary (each scrape takes three).");
        out.sample(b.count());
        out.counter("sluice_barrier_pause_seconds_total", "Time workers spent paused at the barrier.");
        out.sample(b.totalPauseNanos() / NANOS_PER_SECOND);
        out.gauge("sluice_barrier_pause_max_seconds", "Longest barrier pause since start.");
        out.sample(b.maxPauseNanos() / NANOS_PER_SECOND);
        out.gauge("sluice_barrier_pause_last_seconds", "The latest barrier pause.");
        out.sample(b.lastPauseNanos() / NANOS_PER_SECOND);
        if (r.health().isEmpty()) {
            return;
        }
        out.counter("sluice_worker_stalls_total", "Times the watchdog saw the worker inside one node call too long.",
                "worker");
        for (WorkerHealth h : r.health()) {
            out.sample(h.stalls(), Integer.toString(h.worker()));
        }
        out.counter("sluice_worker_restarts_total",
                "Times the watchdog gave the worker a new thread (its thread had ended, or hung in a node).", "worker");
        for (WorkerHealth h : r.health()) {
            out.sample(h.restarts(), Integer.toString(h.worker()));
        }
        out.gauge("sluice_worker_failed_nodes", "Nodes left behind hung on the worker, whose buffers it drops.",
                "worker");
        for (WorkerHealth h : r.health()) {
            out.sample(h.failedNodes().size(), Integer.toString(h.worker()));
        }
    }

    private static void acl(AclSessions.SessionStats s, TextFormat out) {
        out.gauge("sluice_acl_sessions", "Reflective ACL sessions live now.");
        out.sample(s.live());
        out.gauge("sluice_acl_sessions_max", "Sessions the reflect table accepts before it refuses new ones.");
        out.sample(s.maxSessions());
        out.counter("sluice_acl_sessions_created_total", "Reflective ACL sessions created.");
        out.sample(s.added());
        out.counter("sluice_acl_sessions_deleted_total", "Reflective ACL sessions deleted (expired or cleared).");
        out.sample(s.deleted());
        out.counter("sluice_acl_sessions_expired_total", "Reflective ACL sessions deleted for being idle.");
        out.sample(s.expired());
        out.counter("sluice_acl_sessions_refused_total",
                "Sessions not created because the table held its maximum (a limit hit).");
        out.sample(s.refusedFull());
    }

    private static void aclDeny(Readings.AclDenyReading d, TextFormat out) {
        out.counter("sluice_acl_deny_events_total",
                "Denied flows written to the ACL deny log (ACLs with log = deny, and acl-no-policy drops).");
        out.sample(d.recorded());
        out.counter("sluice_acl_deny_events_lost_total",
                "Deny events dropped because the deny log's ring was full (the exporter fell behind).");
        out.sample(d.lost());
        out.counter("sluice_acl_deny_rate_limited_total",
                "Denied packets not logged because their flow already had an event within the interval.");
        out.sample(d.rateLimited());
        if (d.sent() >= 0) {
            out.counter("sluice_acl_deny_events_sent_total",
                    "Deny events sent as syslog messages since the logging configuration was applied.");
            out.sample(d.sent());
        }
    }

    private static void natDrop(Readings.NatDropReading d, TextFormat out) {
        counter(out, "sluice_nat44_drop_events_total", d.recorded(),
                "Packets NAT44 dropped written to the drop log for the per-reason, per-source summary.");
        counter(out, "sluice_nat44_drop_events_lost_total", d.lost(),
                "NAT44 drop events refused because the drop log's ring was full (the exporter fell behind).");
        if (d.linesSent() >= 0) {
            counter(out, "sluice_nat44_drop_lines_sent_total", d.linesSent(),
                    "NAT drop summary lines sent as syslog messages since the logging configuration was applied.");
            counter(out, "sluice_nat44_drop_lines_suppressed_total", d.linesSuppressed(),
                    "NAT drop summary lines (reason, source) left out by max-lines, summed in one line per interval.");
        }
    }

    /** A counter of one series without labels. */
    private static void counter(TextFormat out, String name, long value, String help) {
        out.counter(name, help);
        out.sample(value);
    }

    private static void nat44(Readings.Nat44Reading n, TextFormat out) {
        out.gauge("sluice_nat44_sessions", "NAT44 sessions in the table, static and dynamic, per protocol.",
                "protocol");
        out.sample(n.tcpSessions(), "tcp");
        out.sample(n.udpSessions(), "udp");
        out.sample(n.icmpSessions(), "icmp");
        if (n.otherSessions() != 0) {
            out.sample(n.otherSessions(), "other");
        }
        out.gauge("sluice_nat44_sessions_max", "NAT44 sessions the table holds at most.");
        out.sample(n.capacity());
        out.gauge("sluice_nat44_ports_in_use",
                "Outside ports (ICMP: echo identifiers) allocated on a pool address, per protocol.",
                "address", "protocol");
        for (AddressInfo a : n.addresses()) {
            String address = PacketFormat.formatIp4(a.address());
            out.sample(a.tcpPortsInUse(), address, "tcp");
            out.sample(a.udpPortsInUse(), address, "udp");
            out.sample(a.icmpIdsInUse(), address, "icmp");
        }
        if (n.eventsRecorded() >= 0) {
            out.counter("sluice_nat44_events_total",
                    "NAT44 events (session create and delete, limits) written to the event log for export.");
            out.sample(n.eventsRecorded());
            out.counter("sluice_nat44_events_lost_total",
                    "NAT44 events dropped because the event log's ring was full (the exporter fell behind).");
            out.sample(n.eventsLost());
        }
    }
}
