package io.sluice.telemetry.internal;

import io.sluice.acl.api.AclDenyLog;
import io.sluice.acl.api.AclSessions;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.nat44.api.Nat44;
import io.sluice.nat44.api.Nat44DropLog;
import io.sluice.nat44.api.Nat44EventLog;
import io.sluice.packet.api.Ipv4;
import io.sluice.vnet.api.InterfaceTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Serves the box's counters to Prometheus (configuration PID {@code io.sluice.telemetry}). It only reads, through
 * the same APIs the console's commands use: interfaces, runtime and errors are summed over the workers under the
 * graph's barrier (three short pauses per scrape, counted in {@code sluice_barrier_pauses_total}), buffer pools
 * and the ACL and NAT44 figures without it. A changed configuration re-activates the component, which re-binds.
 */
@Component(service = {}, immediate = true, configurationPid = TelemetryOptions.PID)
public final class TelemetryExporter {

    private static final System.Logger LOG = System.getLogger(TelemetryExporter.class.getName());
    /** IP protocol 255 (reserved, RFC 5237): asks NAT44 for the sessions of every protocol but TCP, UDP and ICMP. */
    private static final int OTHER_PROTOCOL = 255;

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;

    /** Optional and dynamic: an update of the ACL or NAT44 bundle drops their families for a scrape or two. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AclSessions acl;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Nat44 nat44;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Nat44EventLog natEvents;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AclDenyLog aclDenies;

    /** Present while etc/io.sluice.acl.logging.cfg is: what it sent. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AclDenyExporter aclDenyExporter;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Nat44DropLog natDrops;

    /** Present while etc/io.sluice.nat44.drop.logging.cfg is: what it sent and suppressed. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile NatDropExporter natDropExporter;

    private MetricsServer server;

    @Activate
    public TelemetryExporter(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces,
                             Map<String, Object> properties) {
        this.graph = graph;
        this.interfaces = interfaces;
        TelemetryOptions options;
        try {
            options = TelemetryOptions.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, TelemetryOptions.PID + ".cfg: " + e.getMessage()
                    + "; the telemetry endpoint stays off until the file is corrected");
            return;
        }
        if (!options.enabled()) {
            LOG.log(System.Logger.Level.INFO, "telemetry: disabled (enabled = false in " + TelemetryOptions.PID + ".cfg)");
            return;
        }
        InetSocketAddress address = new InetSocketAddress(options.address(), options.port());
        try {
            server = MetricsServer.start(address, () -> SluiceMetrics.text(read()));
        } catch (IOException e) {
            // The port may be taken by another process. The box forwards regardless, so this is a log line
            // naming the address and the file to change, not a failed activation (which scr:list would show
            // only as a state, without the reason).
            LOG.log(System.Logger.Level.ERROR, "telemetry: cannot listen on " + address + " (" + e.getMessage()
                    + "); set address and port in etc/" + TelemetryOptions.PID + ".cfg");
            return;
        }
        LOG.log(System.Logger.Level.INFO, "telemetry: Prometheus metrics at " + server.url());
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** One scrape's figures; the barrier statistics last, so that they include this scrape's own pauses. */
    Readings read() {
        long start = System.nanoTime();
        var interfaceStats = interfaces.stats();
        var nodes = graph.runtimeStats();
        var errors = graph.errors();
        var buffers = graph.buffers();
        AclSessions.SessionStats aclStats = null;
        AclSessions aclNow = acl;
        if (aclNow != null) {
            aclStats = aclNow.stats();
        }
        Readings.AclDenyReading denies = null;
        AclDenyLog denyLog = aclDenies;
        if (denyLog != null) {
            AclDenyExporter exporter = aclDenyExporter;
            denies = new Readings.AclDenyReading(denyLog.recorded(), denyLog.lost(), denyLog.rateLimited(),
                    exporter == null ? -1 : exporter.sent());
        }
        Readings.Nat44Reading nat = null;
        Nat44 natNow = nat44;
        if (natNow != null) {
            // addresses() holds NAT44's table lock for one pass over the pool (a few addresses), as
            // nat44:addresses does; the slow path takes that lock once per frame, so it may wait that long.
            Nat44EventLog events = natEvents;
            long tcp = natNow.sessionCount(Ipv4.PROTOCOL_TCP);
            long udp = natNow.sessionCount(Ipv4.PROTOCOL_UDP);
            long icmp = natNow.sessionCount(Ipv4.PROTOCOL_ICMP);
            long other = natNow.sessionCount(OTHER_PROTOCOL);
            nat = new Readings.Nat44Reading(tcp + udp + icmp + other, tcp, udp, icmp, other,
                    natNow.sessionCapacity(), natNow.addresses(),
                    events == null ? -1 : events.recorded(), events == null ? -1 : events.lost());
        }
        Readings.NatDropReading drops = null;
        Nat44DropLog dropLog = natDrops;
        if (dropLog != null) {
            NatDropExporter exporter = natDropExporter;
            drops = new Readings.NatDropReading(dropLog.recorded(), dropLog.lost(),
                    exporter == null ? -1 : exporter.linesSent(), exporter == null ? -1 : exporter.linesSuppressed());
        }
        return new Readings(interfaceStats, nodes, errors, buffers, graph.barrierStats(), graph.workerCount(),
                aclStats, denies, nat, drops, System.nanoTime() - start, graph.workerHealth());
    }
}
