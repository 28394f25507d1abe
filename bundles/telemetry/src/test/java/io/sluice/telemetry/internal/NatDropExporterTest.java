package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.nat44.api.Nat44DropEvent;
import io.sluice.nat44.api.Nat44DropLog;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The NAT drop exporter's duty cycle against a local UDP receiver, its clock driven by the test: nothing is sent
 * before the interval ends, then one line per (reason, source) and one for what max-lines left out; deactivation
 * sends what is left and turns the ring off.
 */
class NatDropExporterTest {
    private static final long T0 = 1_717_236_000_000L;
    private static final int NO_SESSION = 1 << 8 | 11;
    private final AtomicLong clock = new AtomicLong(T0);
    private UdpReceiver syslogd;

    private final QueuedRecords queue = new QueuedRecords(Nat44DropEvent.LONGS);
    private final Nat44DropLog log = queue.as(Nat44DropLog.class);

    {
        queue.reasonNames = reason -> reason == NO_SESSION ? "nat44-out2in/icmp-no-session" : "reason " + reason;
    }

    private void add(int source) {
        Nat44DropEvent.pack(queue.add(), 0, T0, NO_SESSION, 1, source, 3, 0xc0a81001, 3);
    }

    @BeforeEach
    void receiver() throws Exception {
        syslogd = new UdpReceiver();
    }

    @AfterEach
    void close() throws Exception {
        syslogd.close();
    }

    private NatDropExporter exporter() throws Exception {
        return new NatDropExporter(log, Map.of("syslog.server", syslogd.endpoint(), "syslog.hostname", "box",
                "ring-size", "2048", "interval-seconds", "10", "max-lines", "2"), clock::get, false);
    }

    @Test
    void oneLinePerReasonAndSourcePerIntervalAndTheRestSuppressed() throws Exception {
        NatDropExporter exporter = exporter();
        assertEquals(2048, queue.enabledWith, "the ring is enabled with ring-size");
        for (int i = 0; i < 5; i++) {
            add(0xcb007133);
        }
        add(0xcb007134);
        add(0xcb007134);
        add(0xcb007135);
        assertEquals(8, exporter.exportOnce());
        clock.addAndGet(9_999);
        assertEquals(0, exporter.exportOnce());
        assertEquals(0, exporter.linesSent(), "nothing before the interval ends");

        clock.addAndGet(1);
        exporter.exportOnce();
        assertEquals("<132>1 2024-06-01T10:00:10.000Z box NAT - DROP - NAT drop nat44-out2in/icmp-no-session from"
                + " 203.0.113.51: 5 packets in 10 s, last icmp 203.0.113.51 -> 192.168.16.1 type 3 code 3",
                syslogd.line());
        assertTrue(syslogd.line().contains(" from 203.0.113.52: 2 packets in 10 s, "));
        assertEquals("<132>1 2024-06-01T10:00:10.000Z box NAT - DROP - NAT drop summary: 1 more (reason, source)"
                + " pairs suppressed, 1 packets in 10 s (max-lines 2)", syslogd.line());
        assertEquals(3, exporter.linesSent());
        assertEquals(1, exporter.linesSuppressed());

        clock.addAndGet(3_000);
        add(0xcb007133);
        exporter.exportOnce();
        exporter.deactivate();
        assertTrue(syslogd.line().contains(" from 203.0.113.51: 1 packet in 3 s, "), "sent at deactivation");
        assertFalse(log.enabled(), "deactivation turns the ring off");
        assertEquals(4, exporter.linesSent());
    }

    @Test
    void aQuietIntervalSendsNothing() throws Exception {
        NatDropExporter exporter = exporter();
        clock.addAndGet(10_000);
        exporter.exportOnce();
        assertEquals(0, exporter.linesSent());
        exporter.deactivate();
        assertNull(syslogd.line(200), "no line for an interval without drops");
    }

    @Test
    void aRefusedFileLeavesTheRingOffAndNamesTheKeys() {
        new NatDropExporter(log, Map.of("syslog.server", "logs.example"), clock::get, false);
        assertEquals(0, queue.enabledWith);
        assertEquals("etc/io.sluice.nat44.drop.logging.cfg refused: interval-seconds: 0 is outside 1..3600;"
                + " max-lines: 0 is outside 1..10000", assertThrows(IllegalArgumentException.class,
                () -> NatDropLogOptions.from(Map.of("syslog.server", "127.0.0.1:5514", "interval-seconds", "0",
                        "max-lines", "0"))).getMessage());
        NatDropLogOptions defaults = NatDropLogOptions.from(Map.of("syslog.server", "127.0.0.1"));
        assertEquals(60, defaults.intervalSeconds());
        assertEquals(100, defaults.maxLines());
        assertEquals(65_536, defaults.ringSize());
    }
}
