package io.sluice.telemetry.internal;

import io.sluice.acl.api.AclDenyEvent;
import io.sluice.acl.api.AclDenyLog;
import io.sluice.vnet.api.InterfaceTable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
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
    /** How long the thread sleeps when the ring was empty: the export latency of a quiet box. */
    static final long IDLE_MILLIS = 20;
    private static final long COMPLAINT_INTERVAL_MILLIS = 60_000;

    private final AclDenyLog log;
    private final IntFunction<String> interfaceNames;
    private final LongSupplier clock;
    private final long[] batch = new long[BATCH * AclDenyEvent.LONGS];
    private AclDenyLogOptions options;
    private DenySyslogFormat syslog;
    private DatagramChannel channel;
    private DrainThread drainer;
    private volatile long sent;
    private long sendFailures;
    private long lastComplaint = Long.MIN_VALUE / 2;
    private long lostReported;

    @Activate
    public AclDenyExporter(@Reference AclDenyLog log, @Reference InterfaceTable interfaces,
                           Map<String, Object> properties) {
        this(log, sw -> interfaces.snapshot().name(sw), properties, System::currentTimeMillis, true);
    }

    AclDenyExporter(AclDenyLog log, IntFunction<String> interfaceNames, Map<String, ?> properties, LongSupplier clock,
                    boolean startThread) {
        this.log = log;
        this.interfaceNames = interfaceNames;
        this.clock = clock;
        AclDenyLogOptions parsed;
        try {
            parsed = AclDenyLogOptions.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; ACL deny logging stays off until the file is corrected");
            return;
        }
        options = parsed;
        if (!parsed.enabled()) {
            LOG.log(System.Logger.Level.INFO, "ACL deny logging: disabled (enabled = false in " + AclDenyLogOptions.FILE + ")");
            return;
        }
        try {
            channel = DatagramChannel.open(parsed.syslogServer().getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "ACL deny logging: cannot open a UDP socket (" + e.getMessage()
                    + "); it stays off");
            return;
        }
        syslog = new DenySyslogFormat(parsed.syslogFacility(), parsed.syslogHostname());
        log.enable(parsed.ringSize(), TimeUnit.SECONDS.toMillis(parsed.intervalSeconds()));
        LOG.log(System.Logger.Level.INFO, "ACL deny logging: syslog to " + parsed.syslogServer() + " (ring of "
                + parsed.ringSize() + " events, one per denied flow per " + parsed.intervalSeconds()
                + " s; ACLs with log = deny)");
        if (startThread) {
            drainer = new DrainThread("acl-deny-export", this::exportOnce, IDLE_MILLIS);
            drainer.start();
        }
    }

    @Deactivate
    void deactivate() {
        if (drainer != null) {
            drainer.stop();
        }
        if (channel != null) {
            // What is in the ring now is still sent: deactivation follows a changed file or a stopping box.
            exportOnce();
            log.disable();
            try {
                channel.close();
            } catch (IOException e) {
                // closing; nothing to do
            }
        }
    }

    /** One duty cycle: one batch from the ring, one datagram per event. Returns the events taken. */
    int exportOnce() {
        if (channel == null) {
            return 0;
        }
        long now = clock.getAsLong();
        try {
            int n = log.drain(batch, BATCH);
            for (int i = 0; i < n; i++) {
                String line = syslog.format(batch, i, interfaceNames.apply(AclDenyEvent.swIfIndex(batch, i)));
                send(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)), now);
            }
            long lost = log.lost();
            if (lost != lostReported && now - lastComplaint >= COMPLAINT_INTERVAL_MILLIS) {
                lastComplaint = now;
                LOG.log(System.Logger.Level.WARNING, "ACL deny logging: " + (lost - lostReported) + " events lost since"
                        + " the last report, the ring (ring-size " + options.ringSize() + " in " + AclDenyLogOptions.FILE
                        + ") was full; sluice_acl_deny_events_lost_total counts them");
                lostReported = lost;
            }
            return n;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "ACL deny logging: export failed; retrying", e);
            return 0;
        }
    }

    private void send(ByteBuffer datagram, long now) {
        try {
            channel.send(datagram, options.syslogServer());
            sent++;
        } catch (IOException e) {
            sendFailures++;
            if (now - lastComplaint >= COMPLAINT_INTERVAL_MILLIS) {
                lastComplaint = now;
                LOG.log(System.Logger.Level.WARNING, "ACL deny logging: cannot send to " + options.syslogServer() + " ("
                        + e.getMessage() + "); " + sendFailures + " messages failed so far");
            }
        }
    }

    /** Syslog messages sent since this configuration was activated. */
    long sent() {
        return sent;
    }
}
