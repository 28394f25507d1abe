package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.nat44.api.Nat44Event;
import io.sluice.nat44.api.Nat44EventLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The exporter's duty cycle against two local UDP receivers: what it sends, when templates go again. */
class NatEventExporterTest {
    private UdpReceiver collector;
    private UdpReceiver syslogd;
    private final AtomicLong clock = new AtomicLong(1_717_236_000_000L);
    private final QueuedRecords queue = new QueuedRecords(Nat44Event.LONGS);
    private final Nat44EventLog log = queue.as(Nat44EventLog.class);

    private void add(int natEvent, int insidePort, int outsidePort) {
        Nat44Event.pack(queue.add(), 0, 1_717_236_000_500L, natEvent, 0, 17, 0x0a010103, insidePort, 0xc0a81001,
                outsidePort, 0xcb007133, 53, 0);
    }

    @BeforeEach
    void receivers() throws Exception {
        collector = new UdpReceiver();
        syslogd = new UdpReceiver();
    }

    @AfterEach
    void close() throws Exception {
        collector.close();
        syslogd.close();
    }

    private NatEventExporter exporter() throws java.io.IOException {
        return new NatEventExporter(log, Map.of("ipfix.collector", collector.endpoint(),
                "syslog.server", syslogd.endpoint(),
                "syslog.hostname", "box", "ring-size", "1024", "ipfix.template-refresh-seconds", "30"),
                clock::get, false);
    }

    @Test
    void eventsGoToBothWithTemplatesFirstAndAgainWhenTheRefreshIsDue() throws Exception {
        NatEventExporter exporter = exporter();
        assertEquals(1024, queue.enabledWith, "the ring is enabled with ring-size");
        add(Nat44Event.SESSION_CREATE, 5000, 25801);
        add(Nat44Event.SESSION_DELETE, 5000, 25801);
        assertEquals(2, exporter.exportOnce());

        ByteBuffer first = collector.receive();
        assertEquals(10, first.getShort(0), "IPFIX version");
        assertEquals(first.remaining(), first.getShort(2));
        assertEquals(2, first.getShort(16), "the first message starts with the template set");
        int data = 16 + IpfixEncoder.templateSetLength();
        assertEquals(256, first.getShort(data));
        assertEquals(4 + 2 * 32, first.getShort(data + 2), "both events in one data set");
        assertEquals(4, first.get(data + 4 + 8));
        assertEquals(5, first.get(data + 4 + 32 + 8));

        String sadd = StandardCharsets.UTF_8.decode(syslogd.receive()).toString();
        String sdel = StandardCharsets.UTF_8.decode(syslogd.receive()).toString();
        assertTrue(sadd.startsWith("<134>1 2024-06-01T10:00:00.500Z box NAT - SADD [nsess "), sadd);
        assertTrue(sadd.contains("ISADDR=\"10.1.1.3\" ISPORT=\"5000\"") && sadd.contains("XSPORT=\"25801\""), sadd);
        assertTrue(sdel.contains(" SDEL "), sdel);

        // Within the refresh interval, data only; nothing at all when there is nothing to send.
        clock.addAndGet(10_000);
        add(Nat44Event.SESSION_CREATE, 5001, 25802);
        exporter.exportOnce();
        ByteBuffer second = collector.receive();
        assertEquals(256, second.getShort(16), "no template set this time");
        assertEquals(2, second.getInt(8), "sequence: two data records sent before");
        assertEquals(0, exporter.exportOnce());
        assertEquals(null, collector.receive(300), "an idle cycle before the refresh sends nothing");

        // 30 s after the last templates they go again (RFC 7011 section 8.4), even with no event to carry.
        clock.addAndGet(20_000);
        exporter.exportOnce();
        ByteBuffer refresh = collector.receive();
        assertEquals(2, refresh.getShort(16));
        assertEquals(16 + IpfixEncoder.templateSetLength(), refresh.remaining());
        assertEquals(3, exporter.syslogMessages());

        exporter.deactivate();
        assertFalse(log.enabled(), "deactivation turns the ring off");
    }

    @Test
    void aRefusedFileLeavesTheRingOff() {
        new NatEventExporter(log, Map.of("ipfix.collector", "nat-collector.example"), clock::get, false);
        assertEquals(0, queue.enabledWith);
    }
}
