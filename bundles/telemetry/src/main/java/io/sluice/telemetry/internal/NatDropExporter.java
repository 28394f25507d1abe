package io.sluice.telemetry.internal;

import io.sluice.nat44.api.Nat44DropEvent;
import io.sluice.nat44.api.Nat44DropLog;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * NAT drop logging, the control-plane half of denied-flow logging for NAT44: enables NAT44's drop log, and on its own
 * thread drains it into a {@link NatDropSummary} per (reason, source) and, once per interval, sends one RFC 5424
 * line per pair ({@link NatDropSyslogFormat}), at most max-lines of them and a line for the rest. The rate is bounded
 * twice: the workers' ring holds ring-size events (the rest counted lost), and the receiver gets at most
 * max-lines + 1 messages per interval. Active only while etc/io.sluice.nat44.drop.logging.cfg exists
 * ({@value NatDropLogOptions#PID}). Published under its own class only, so that the Prometheus exposition can count
 * what it sent and suppressed.
 */
@Component(service = NatDropExporter.class, immediate = true, configurationPid = NatDropLogOptions.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class NatDropExporter {
    private static final System.Logger LOG = System.getLogger(NatDropExporter.class.getName());
    /** Events taken from the ring at a time. */
    static final int BATCH = 512;

    private final Nat44DropLog log;
    private final UdpExport export;
    private final long[] batch = new long[BATCH * Nat44DropEvent.LONGS];
    private NatDropLogOptions options;
    private NatDropSyslogFormat syslog;
    private NatDropSummary summary;
    private volatile long linesSent;
    private volatile long linesSuppressed;

    @Activate
    public NatDropExporter(@Reference Nat44DropLog log, Map<String, Object> properties) {
        this(log, properties, System::currentTimeMillis, true);
    }

    NatDropExporter(Nat44DropLog log, Map<String, ?> properties, LongSupplier clock, boolean startThread) {
        this.log = log;
        this.export = new UdpExport("NAT drop logging", clock);
        try {
            options = NatDropLogOptions.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; NAT drop logging stays off until the file is corrected");
            return;
        }
        if (!options.enabled()) {
            LOG.log(System.Logger.Level.INFO, "NAT drop logging: disabled (enabled = false in " + NatDropLogOptions.FILE + ")");
            return;
        }
        if (!export.open(options.syslogServer())) {
            return;
        }
        syslog = new NatDropSyslogFormat(options.syslogFacility(), options.syslogHostname(), log::reasonName);
        summary = new NatDropSummary(TimeUnit.SECONDS.toMillis(options.intervalSeconds()), options.maxLines(),
                export.now());
        log.enable(options.ringSize());
        LOG.log(System.Logger.Level.INFO, "NAT drop logging: syslog to " + options.syslogServer() + " (ring of "
                + options.ringSize() + " events, one line per reason and source per " + options.intervalSeconds()
                + " s, at most " + options.maxLines() + " lines)");
        if (startThread) {
            export.start("nat44-drop-export", this::exportOnce, BATCH);
        }
    }

    @Deactivate
    void deactivate() {
        export.close(this::flush, log::disable);
    }

    /** One duty cycle: one batch from the ring into the summary, and the summary's lines when its interval is over. */
    int exportOnce() {
        if (!export.isOpen()) {
            return 0;
        }
        long now = export.now();
        try {
            int n = drain();
            if (summary.due(now)) {
                send(summary.close(now), now);
            }
            export.reportLost(log.lost(), now, "ring-size " + options.ringSize() + " in " + NatDropLogOptions.FILE,
                    "sluice_nat44_drop_events_lost_total");
            return n;
        } catch (RuntimeException e) {
            return export.failed(e);
        }
    }

    /** The last cycle before the configuration goes: what the ring and the interval hold is still sent. */
    private int flush() {
        if (!export.isOpen()) {
            return 0;
        }
        long now = export.now();
        int n = drain();
        send(summary.close(now), now);
        return n;
    }

    private int drain() {
        int n = log.drain(batch, BATCH);
        for (int i = 0; i < n; i++) {
            summary.add(batch, i);
        }
        return n;
    }

    private void send(NatDropSummary.Interval interval, long now) {
        for (NatDropSummary.Entry e : interval.entries()) {
            export.send(syslog.entry(interval, e), options.syslogServer(), now);
        }
        String rest = syslog.suppressed(interval, options.maxLines());
        if (rest != null) {
            export.send(rest, options.syslogServer(), now);
        }
        linesSent += interval.entries().size() + (rest == null ? 0 : 1);
        linesSuppressed = summary.suppressedLines();
    }

    /** Syslog lines sent since this configuration was activated (suppressed-pairs lines included). */
    long linesSent() {
        return linesSent;
    }

    /** (reason, source) lines left out by max-lines since this configuration was activated. */
    long linesSuppressed() {
        return linesSuppressed;
    }
}
