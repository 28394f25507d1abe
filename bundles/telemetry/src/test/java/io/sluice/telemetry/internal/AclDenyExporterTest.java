package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.acl.api.AclDenyEvent;
import io.sluice.acl.api.AclDenyLog;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The deny exporter's duty cycle against a local UDP receiver, and its configuration's refusals. */
class AclDenyExporterTest {
    private UdpReceiver syslogd;
    private final QueuedRecords queue = new QueuedRecords(AclDenyEvent.LONGS);
    private final AclDenyLog log = queue.as(AclDenyLog.class);

    private void add(int sport) {
        AclDenyEvent.pack(queue.add(), 0, 1_717_236_000_500L, 0xc0a81064, 0x0a010103, 6, sport, 80, 6,
                AclDenyEvent.DIRECTION_INPUT, AclDenyEvent.REASON_RULE, 3, 1);
    }

    @BeforeEach
    void receiver() throws Exception {
        syslogd = new UdpReceiver();
    }

    @AfterEach
    void close() throws Exception {
        syslogd.close();
    }

    @Test
    void eachEventIsOneDatagramNamingTheInterface() throws Exception {
        AclDenyExporter exporter = new AclDenyExporter(log, sw -> sw == 6 ? "tap2" : null, Map.of(
                "syslog.server", syslogd.endpoint(),
                "syslog.hostname", "box", "ring-size", "2048", "interval-seconds", "30"), () -> 0L, false);
        assertEquals(2048, queue.enabledWith, "the ring is enabled with ring-size");
        assertEquals(30_000, queue.intervalMillis);
        add(6666);
        add(6667);
        assertEquals(2, exporter.exportOnce());
        assertEquals("<132>1 2024-06-01T10:00:00.500Z box ACL - DENY - ACL deny tap2 in acl 3 rule 1 tcp"
                + " 192.168.16.100:6666 -> 10.1.1.3:80", syslogd.line());
        assertTrue(syslogd.line().endsWith("192.168.16.100:6667 -> 10.1.1.3:80"));
        assertEquals(2, exporter.sent());
        assertEquals(0, exporter.exportOnce());
        exporter.deactivate();
        assertFalse(log.enabled(), "deactivation turns the ring off");
    }

    @Test
    void aRefusedFileLeavesTheRingOffAndNamesTheKeys() {
        new AclDenyExporter(log, sw -> null, Map.of("syslog.server", "logs.example"), () -> 0L, false);
        assertEquals(0, queue.enabledWith);
        String message = assertThrows(IllegalArgumentException.class, () -> AclDenyLogOptions.from(Map.of(
                "syslog.server", "127.0.0.1:5514", "interval-seconds", "0", "ring-size", "3000"))).getMessage();
        assertEquals("etc/io.sluice.acl.logging.cfg refused: ring-size: 3000 is not a power of two;"
                + " interval-seconds: 0 is outside 1..3600", message);
        assertEquals("etc/io.sluice.acl.logging.cfg refused: enabled = true but syslog.server is not set: nothing"
                + " would be sent", assertThrows(IllegalArgumentException.class,
                () -> AclDenyLogOptions.from(Map.of())).getMessage());
        assertEquals(60, AclDenyLogOptions.from(Map.of("syslog.server", "127.0.0.1")).intervalSeconds());
    }
}
