package io.sluice.telemetry.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * What every event exporter (NAT events, ACL denies, NAT drop summaries) shares: one UDP socket to its collectors,
 * the thread that drains its ring ({@link DrainThread}), sending with failures counted and complained about at most
 * once a minute, the same for events the ring lost, and the lifecycle: opened when the configuration is applied,
 * drained one last time and closed when it goes. The exporter keeps only what it is about: which ring, what format.
 */
final class UdpExport {
    private static final System.Logger LOG = System.getLogger(UdpExport.class.getName());
    /** How long the thread rests when the ring held less than a batch: the export latency of a quiet box. */
    static final long IDLE_MILLIS = 20;
    private static final long COMPLAINT_INTERVAL_MILLIS = 60_000;

    private final String feature;
    private final LongSupplier clock;
    private DatagramChannel channel;
    private DrainThread drainer;
    private volatile long sent;
    private long sendFailures;
    private long lastComplaint = Long.MIN_VALUE / 2;
    private long lostReported;

    /** {@code feature}: how log lines name the exporter ("NAT event logging"). */
    UdpExport(String feature, LongSupplier clock) {
        this.feature = feature;
        this.clock = clock;
    }

    /**
     * Opens the socket, IPv6 when any destination (nulls skipped) is; false, logged, when the system refuses one.
     */
    boolean open(InetSocketAddress... destinations) {
        boolean inet6 = false;
        for (InetSocketAddress d : destinations) {
            inet6 |= d != null && d.getAddress() instanceof Inet6Address;
        }
        try {
            channel = DatagramChannel.open(inet6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, feature + ": cannot open a UDP socket (" + e.getMessage()
                    + "); it stays off");
            return false;
        }
    }

    boolean isOpen() {
        return channel != null;
    }

    long now() {
        return clock.getAsLong();
    }

    /**
     * Runs {@code dutyCycle} (which takes at most {@code batch} events) on a thread named {@code threadName} until
     * {@link #close}, resting after a cycle that took less than a full batch.
     */
    void start(String threadName, IntSupplier dutyCycle, int batch) {
        drainer = new DrainThread(threadName, dutyCycle, IDLE_MILLIS, batch);
        drainer.start();
    }

    /**
     * Stops the thread, runs {@code lastCycle} (what is in the ring now is still sent: deactivation follows a changed
     * file or a stopping box), then {@code release} (the ring disabled) and closes the socket.
     */
    void close(IntSupplier lastCycle, Runnable release) {
        if (drainer != null) {
            drainer.stop();
        }
        if (channel != null) {
            lastCycle.getAsInt();
            release.run();
            try {
                channel.close();
            } catch (IOException e) {
                // closing; nothing to do
            }
        }
    }

    /** One syslog message (RFC 5426: one per datagram). */
    void send(String message, InetSocketAddress to, long now) {
        send(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)), to, now);
    }

    void send(ByteBuffer datagram, InetSocketAddress to, long now) {
        try {
            channel.send(datagram, to);
            sent++;
        } catch (IOException e) {
            sendFailures++;
            if (now - lastComplaint >= COMPLAINT_INTERVAL_MILLIS) {
                lastComplaint = now;
                LOG.log(System.Logger.Level.WARNING, feature + ": cannot send to " + to + " (" + e.getMessage()
                        + "); " + sendFailures + " messages failed so far");
            }
        }
    }

    /**
     * The ring's lost count now: when it grew, a warning at most once a minute naming {@code ringSetting} (where the
     * ring's size is set) and {@code metric} (the counter that counts them).
     */
    void reportLost(long lost, long now, String ringSetting, String metric) {
        if (lost != lostReported && now - lastComplaint >= COMPLAINT_INTERVAL_MILLIS) {
            lastComplaint = now;
            LOG.log(System.Logger.Level.WARNING, feature + ": " + (lost - lostReported) + " events lost since the last"
                    + " report, the ring (" + ringSetting + ") was full; " + metric + " counts them");
            lostReported = lost;
        }
    }

    /** An exception out of a duty cycle: logged, and the next cycle tries again. */
    int failed(RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, feature + ": export failed; retrying", e);
        return 0;
    }

    /** Datagrams sent since the configuration was applied. */
    long sent() {
        return sent;
    }
}
