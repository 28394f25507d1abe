package io.sluice.telemetry.internal;

import io.sluice.nat44.api.Nat44Event;
import io.sluice.nat44.api.Nat44EventLog;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * NAT event logging (RFC 6888 REQ-12), the control-plane half: enables NAT44's event ring, and on its own thread
 * drains it, encodes the events as IPFIX (RFC 7011 with RFC 8158's templates) and/or RFC 5424 syslog, and sends them
 * over UDP to the configured collector and server. The forwarding path only writes fixed-size events into the ring;
 * everything that allocates, formats or does I/O happens here. Active only while etc/io.sluice.nat44.logging.cfg
 * exists ({@value NatLoggingOptions#PID}); a changed file re-activates it.
 */
@Component(service = {}, immediate = true, configurationPid = NatLoggingOptions.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class NatEventExporter {
    private static final System.Logger LOG = System.getLogger(NatEventExporter.class.getName());
    /** Events taken from the ring at a time. */
    static final int BATCH = 512;

    private final Nat44EventLog log;
    private final NatLoggingOptions options;
    private final UdpExport export;
    private final long[] batch = new long[BATCH * Nat44Event.LONGS];
    private IpfixEncoder ipfix;
    private SyslogFormat syslog;
    private long lastTemplates = Long.MIN_VALUE / 2;
    private long ipfixMessages;
    private long syslogMessages;

    @Activate
    public NatEventExporter(@Reference Nat44EventLog log, Map<String, Object> properties) {
        this(log, properties, System::currentTimeMillis, true);
    }

    NatEventExporter(Nat44EventLog log, Map<String, ?> properties, LongSupplier clock, boolean startThread) {
        this.log = log;
        this.export = new UdpExport("NAT event logging", clock);
        NatLoggingOptions parsed;
        try {
            parsed = NatLoggingOptions.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; NAT event logging stays off until the file is corrected");
            options = null;
            return;
        }
        options = parsed;
        if (!parsed.enabled()) {
            LOG.log(System.Logger.Level.INFO, "NAT event logging: disabled (enabled = false in " + NatLoggingOptions.FILE + ")");
            return;
        }
        if (!export.open(parsed.ipfixCollector(), parsed.syslogServer())) {
            return;
        }
        if (parsed.ipfixCollector() != null) {
            ipfix = new IpfixEncoder(parsed.observationDomain(), parsed.natInstance(), parsed.maxMessageBytes());
        }
        if (parsed.syslogServer() != null) {
            syslog = new SyslogFormat(parsed.syslogFacility(), parsed.syslogHostname());
        }
        log.enable(parsed.ringSize());
        LOG.log(System.Logger.Level.INFO, "NAT event logging: " + (ipfix == null ? "" : "IPFIX to " + parsed.ipfixCollector())
                + (ipfix != null && syslog != null ? ", " : "") + (syslog == null ? "" : "syslog to " + parsed.syslogServer())
                + " (ring of " + parsed.ringSize() + " events)");
        if (startThread) {
            export.start("nat44-event-export", this::exportOnce, BATCH);
        }
    }

    @Deactivate
    void deactivate() {
        export.close(this::exportOnce, log::disable);
    }

    /** One duty cycle: templates when due, then one batch from the ring. Returns the events taken. */
    int exportOnce() {
        if (!export.isOpen()) {
            return 0;
        }
        long now = export.now();
        try {
            boolean templatesDue = ipfix != null
                    && now - lastTemplates >= TimeUnit.SECONDS.toMillis(options.templateRefreshSeconds());
            int n = log.drain(batch, BATCH);
            if (ipfix != null && (n > 0 || templatesDue)) {
                sendIpfix(n, now, templatesDue);
            }
            if (syslog != null) {
                for (int i = 0; i < n; i++) {
                    String line = syslog.format(batch, i);
                    if (line != null) {
                        export.send(line, options.syslogServer(), now);
                        syslogMessages++;
                    }
                }
            }
            export.reportLost(log.lost(), now, "ring-size " + options.ringSize() + " in " + NatLoggingOptions.FILE,
                    "sluice_nat44_events_lost_total");
            return n;
        } catch (RuntimeException e) {
            return export.failed(e);
        }
    }

    /** The batch's events in as many messages as they need; the first carries the templates when they are due. */
    private void sendIpfix(int n, long now, boolean templatesDue) {
        int from = 0;
        boolean templates = templatesDue;
        do {
            int consumed = ipfix.encode(batch, from, n - from, now, templates);
            export.send(ipfix.message(), options.ipfixCollector(), now);
            ipfixMessages++;
            if (templates) {
                lastTemplates = now;
                templates = false;
            }
            if (consumed == 0 && from < n) {
                break; // cannot happen with a message of 512 bytes or more; never loop on it
            }
            from += consumed;
        } while (from < n);
    }

    long ipfixMessages() {
        return ipfixMessages;
    }

    long syslogMessages() {
        return syslogMessages;
    }
}
