package io.sluice.telemetry.internal;

import io.sluice.acl.api.AclDenyEvent;
import io.sluice.acl.api.AclDenyLog;
import io.sluice.vnet.api.InterfaceTable;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * ACL denied-flow logging, the control-plane half: enables the ACL's deny log, and on its own thread drains it and
 * sends each event as an RFC 5424 syslog message over UDP ({@link DenySyslogFormat}). The workers only write
 * fixed-size events into the ring; names, formatting and I/O happen here. Active only while
 * etc/io.sluice.acl.logging.cfg exists ({@value AclDenyLogOptions#PID}); a changed file re-activates it. Published
 * under its own class only, so that the Prometheus exposition can count what it sent.
 */
@Component(service = AclDenyExporter.class, immediate = true, configurationPid = AclDenyLogOptions.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class AclDenyExporter {
    private static final System.Logger LOG = System.getLogger(AclDenyExporter.class.getName());
    /** Events taken from the ring at a time. */
    static final int BATCH = 512;

    private final AclDenyLog log;
    private final IntFunction<String> interfaceNames;
    private final UdpExport export;
    private final long[] batch = new long[BATCH * AclDenyEvent.LONGS];
    private AclDenyLogOptions options;
    private DenySyslogFormat syslog;

    @Activate
    public AclDenyExporter(@Reference AclDenyLog log, @Reference InterfaceTable interfaces,
                           Map<String, Object> properties) {
        this(log, sw -> interfaces.snapshot().name(sw), properties, System::currentTimeMillis, true);
    }

    AclDenyExporter(AclDenyLog log, IntFunction<String> interfaceNames, Map<String, ?> properties, LongSupplier clock,
                    boolean startThread) {
        this.log = log;
        this.interfaceNames = interfaceNames;
        this.export = new UdpExport("ACL deny logging", clock);
        try {
            options = AclDenyLogOptions.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; ACL deny logging stays off until the file is corrected");
            return;
        }
        if (!options.enabled()) {
            LOG.log(System.Logger.Level.INFO, "ACL deny logging: disabled (enabled = false in " + AclDenyLogOptions.FILE + ")");
            return;
        }
        if (!export.open(options.syslogServer())) {
            return;
        }
        syslog = new DenySyslogFormat(options.syslogFacility(), options.syslogHostname());
        log.enable(options.ringSize(), TimeUnit.SECONDS.toMillis(options.intervalSeconds()));
        LOG.log(System.Logger.Level.INFO, "ACL deny logging: syslog to " + options.syslogServer() + " (ring of "
                + options.ringSize() + " events, one per denied flow per " + options.intervalSeconds()
                + " s; ACLs with log = deny)");
        if (startThread) {
            export.start("acl-deny-export", this::exportOnce, BATCH);
        }
    }

    @Deactivate
    void deactivate() {
        export.close(this::exportOnce, log::disable);
    }

    /** One duty cycle: one batch from the ring, one datagram per event. Returns the events taken. */
    int exportOnce() {
        if (!export.isOpen()) {
            return 0;
        }
        long now = export.now();
        try {
            int n = log.drain(batch, BATCH);
            for (int i = 0; i < n; i++) {
                export.send(syslog.format(batch, i, interfaceNames.apply(AclDenyEvent.swIfIndex(batch, i))),
                        options.syslogServer(), now);
            }
            export.reportLost(log.lost(), now, "ring-size " + options.ringSize() + " in " + AclDenyLogOptions.FILE,
                    "sluice_acl_deny_events_lost_total");
            return n;
        } catch (RuntimeException e) {
            return export.failed(e);
        }
    }

    /** Syslog messages sent since this configuration was activated. */
    long sent() {
        return export.sent();
    }
}
