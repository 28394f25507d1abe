package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.acl.api.AclDenyEvent;
import io.sluice.acl.api.AclDenyLog;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The deny exporter's duty cycle against a local UDP receiver, and its configuration's refusals. */
class AclDenyExporterTest {
    private DatagramChannel syslogd;
    private final FakeLog log = new FakeLog();

    /** A stand-in for the ACL's ring: events queued by the test, drained in order. */
    static final class FakeLog implements AclDenyLog {
        final ArrayDeque<long[]> events = new ArrayDeque<>();
        int enabledWith;
        long intervalMillis;

        void add(int sport) {
            long[] r = new long[AclDenyEvent.LONGS];
            AclDenyEvent.pack(r, 0, 1_717_236_000_500L, 0xc0a81064, 0x0a010103, 6, sport, 80, 6,
                    AclDenyEvent.DIRECTION_INPUT, AclDenyEvent.REASON_RULE, 3, 1);
            events.add(r);
        }

        @Override public void enable(int capacity, long interval) {
            enabledWith = capacity;
            intervalMillis = interval;
        }

        @Override public void disable() {
            enabledWith = 0;
        }

        @Override public boolean enabled() {
            return enabledWith > 0;
        }

        @Override public int drain(long[] records, int max) {
            int n = 0;
            while (n < max && !events.isEmpty()) {
                System.arraycopy(events.poll(), 0, records, n * AclDenyEvent.LONGS, AclDenyEvent.LONGS);
                n++;
            }
            return n;
        }

        @Override public long recorded() {
            return 0;
        }

        @Override public long lost() {
            return 0;
        }

        @Override public long rateLimited() {
            return 0;
        }
    }

    @BeforeEach
    void receiver() throws Exception {
        syslogd = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        syslogd.configureBlocking(false);
    }

    @AfterEach
    void close() throws Exception {
        syslogd.close();
    }

    private static String receive(DatagramChannel channel) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(65_536);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (channel.receive(buffer) == null) {
            if (System.nanoTime() > deadline) {
                return null;
            }
            Thread.sleep(5);
        }
        return StandardCharsets.UTF_8.decode(buffer.flip()).toString();
    }

    @Test
    void eachEventIsOneDatagramNamingTheInterface() throws Exception {
        AclDenyExporter exporter = new AclDenyExporter(log, sw -> sw == 6 ? "tap2" : null, Map.of(
                "syslog.server", "127.0.0.1:" + ((InetSocketAddress) syslogd.getLocalAddress()).getPort(),
                "syslog.hostname", "box", "ring-size", "2048", "interval-seconds", "30"), () -> 0L, false);
        assertEquals(2048, log.enabledWith, "the ring is enabled with ring-size");
        assertEquals(30_000, log.intervalMillis);
        log.add(6666);
        log.add(6667);
        assertEquals(2, exporter.exportOnce());
        assertEquals("<132>1 2024-06-01T10:00:00.500Z box ACL - DENY - ACL deny tap2 in acl 3 rule 1 tcp"
                + " 192.168.16.100:6666 -> 10.1.1.3:80", receive(syslogd));
        assertTrue(receive(syslogd).endsWith("192.168.16.100:6667 -> 10.1.1.3:80"));
        assertEquals(2, exporter.sent());
        assertEquals(0, exporter.exportOnce());
        exporter.deactivate();
        assertFalse(log.enabled(), "deactivation turns the ring off");
    }

    @Test
    void aRefusedFileLeavesTheRingOffAndNamesTheKeys() {
        new AclDenyExporter(log, sw -> null, Map.of("syslog.server", "logs.example"), () -> 0L, false);
        assertEquals(0, log.enabledWith);
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
