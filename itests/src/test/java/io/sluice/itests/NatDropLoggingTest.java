package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * NAT drop logging end to end: a booted image with two TAP ports (pod0 inside, wan0 the output-feature outside),
 * NAT44 and etc/io.sluice.nat44.drop.logging.cfg pointing at a UDP socket here (the box's management side, loopback).
 * Unsolicited packets from the internet (203.0.113.51) to the box's outside address, ICMP port unreachables about a
 * port with no session, injected by the packet generator as received on wan0, are dropped by nat44-out2in
 * (icmp-no-session); the syslog receiver gets a summary line for them naming the reason, the source and the count
 * (probes from a second source first, until the exporter is seen to be on). The pod's flow still gets its NAT44
 * session.
 */
class NatDropLoggingTest {
    private static final int PACKETS = 5;
    private static final Pattern COUNT = Pattern.compile(": (\\d+) packets? in ");

    @Test
    void unsolicitedPacketsToTheOutsideAddressAreOneSummaryLineWithTheirCount() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "TAP ports need root (TUNSETIFF): ./sluice test");
        KeyPair admin = BootedBox.rsaKeyPair();
        BootedBox box = null;
        DatagramChannel syslog = DatagramChannel.open(StandardProtocolFamily.INET);
        try (syslog) {
            syslog.bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false);
            int syslogPort = ((InetSocketAddress) syslog.getLocalAddress()).getPort();
            box = BootedBox.boot("nat-drop-box", Map.of("admin", admin), etcFiles(syslogPort));
            int pod0 = NatLoggingTest.swIfIndex(box, admin, "pod0");
            int wan0 = pod0 + 1;
            String listing = box.exec("admin", admin, "interface:list --no-format").output();
            for (String line : listing.lines().toList()) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length > 1 && columns[0].equals("wan0")) {
                    wan0 = Integer.parseInt(columns[1]);
                }
            }
            // The exporter activates when ConfigAdmin gets to its file: probe from another source until a line comes.
            String probe = null;
            long probeDeadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            for (int round = 0; probe == null && System.nanoTime() < probeDeadline; round++) {
                box.exec("admin", admin,
                        NatLoggingTest.inject("nat-drop-probe-" + round, wan0, 1, unsolicitedError(52)));
                probe = summaryLine(syslog, "203.0.113.52", Duration.ofSeconds(12));
            }
            assertTrue(probe != null, "no NAT drop summary for the probes; errors: "
                    + box.exec("admin", admin, "errors:show --no-format").output());

            BootedBox.Result injected = box.exec("admin", admin,
                    NatLoggingTest.inject("nat-drop", wan0, PACKETS, unsolicitedError(51)));
            // Five packets in one frame are one line; summed all the same, should an interval end between them.
            long counted = 0;
            String line = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (counted < PACKETS && System.nanoTime() < deadline) {
                String next = summaryLine(syslog, "203.0.113.51", Duration.ofSeconds(5));
                if (next != null) {
                    line = next;
                    Matcher count = COUNT.matcher(next);
                    assertTrue(count.find(), next);
                    counted += Long.parseLong(count.group(1));
                }
            }
            assertTrue(line != null, "no NAT drop summary line from 203.0.113.51; injection said: "
                    + injected.output() + "\nerrors: " + box.exec("admin", admin, "errors:show --no-format").output());
            assertEquals(PACKETS, counted, "the summaries count every packet: " + line);
            assertTrue(line.startsWith("<132>1 ") && line.contains(" nat-drop-box NAT - DROP - "), line);
            assertTrue(line.contains("NAT drop nat44-out2in/icmp-no-session from 203.0.113.51: "), line);
            assertTrue(line.endsWith("last icmp 203.0.113.51 -> 192.168.16.1 type 3 code 3"), line);
            String errors = box.exec("admin", admin, "errors:show --no-format").output();
            assertTrue(errors.lines().map(l -> l.trim().split("\\s+")).anyMatch(c -> c.length > 2
                    && c[0].matches("\\d+") && Long.parseLong(c[0]) >= PACKETS + 1 && c[1].equals("nat44-out2in")
                    && c[2].equals("icmp-no-session")), "every packet is dropped and counted:\n" + errors);

            // The pod's flow is translated as before.
            box.exec("admin", admin, NatLoggingTest.inject("nat-drop-pod", pod0, 1));
            long sessionDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String sessions = "";
            while (System.nanoTime() < sessionDeadline && !sessions.contains("10.1.1.3")) {
                Thread.sleep(200);
                sessions = box.exec("admin", admin, "nat44:sessions --detail").output();
            }
            assertTrue(sessions.contains("10.1.1.3"), "the pod's session:\n" + sessions);
        } finally {
            BootedBox.stop(box);
        }
    }

    /** Two TAP ports and no DPDK port, NAT44 from pod0 to wan0's address, drop logging to the test's socket. */
    private static Map<String, String> etcFiles(int syslogPort) {
        Map<String, String> etc = NatLoggingTest.twoTapPorts("nat-drop", "slnd");
        etc.put("io.sluice.nat44.cfg", "addresses = 192.168.16.1\ninside = pod0\noutput-feature = wan0\n");
        etc.put("io.sluice.nat44.drop.logging.cfg", "syslog.server = 127.0.0.1:" + syslogPort
                + "\nsyslog.hostname = nat-drop-box\ninterval-seconds = 5\nmax-lines = 10\n");
        return etc;
    }

    /**
     * From the gateway's MAC to wan0's: 203.0.113.{@code host} tells 192.168.16.1 that port 53 is unreachable,
     * quoting a UDP datagram 192.168.16.1:40000 -> 203.0.113.{@code host}:53 the box never sent (no session has
     * outside port 40000).
     */
    static byte[] unsolicitedError(int host) {
        byte[] quote = new byte[28];
        ByteBuffer q = ByteBuffer.wrap(quote);
        q.put((byte) 0x45).put((byte) 0).putShort((short) 28).putShort((short) 7).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {(byte) 192, (byte) 168, 16, 1}).put(new byte[] {(byte) 203, 0, 113, (byte) host});
        q.putShort(10, (short) ~sum(quote, 0, 20));
        q.position(20);
        q.putShort((short) 40000).putShort((short) 53).putShort((short) 8).putShort((short) 0);

        ByteBuffer f = ByteBuffer.allocate(14 + 20 + 8 + quote.length);
        f.put(HexFormat.of().parseHex("02fe00000002" + "020000000099" + "0800"));
        int ip = f.position();
        f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + quote.length)).putShort((short) 1)
                .putShort((short) 0).put((byte) 64).put((byte) 1).putShort((short) 0)
                .put(new byte[] {(byte) 203, 0, 113, (byte) host}).put(new byte[] {(byte) 192, (byte) 168, 16, 1});
        f.putShort(ip + 10, (short) ~sum(f.array(), ip, 20));
        int icmp = f.position();
        // Destination unreachable (3), port unreachable (3): RFC 792.
        f.put((byte) 3).put((byte) 3).putShort((short) 0).putInt(0).put(quote);
        f.putShort(icmp + 2, (short) ~sum(f.array(), icmp, 8 + quote.length));
        return f.array();
    }

    /** The next DROP line whose source is {@code source}, or null when none comes within {@code wait}. */
    private static String summaryLine(DatagramChannel syslog, String source, Duration wait) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            buffer.clear();
            if (syslog.receive(buffer) != null) {
                String line = StandardCharsets.UTF_8.decode(buffer.flip()).toString();
                if (line.contains(" DROP ") && line.contains(" from " + source + ": ")) {
                    return line;
                }
            } else {
                Thread.sleep(20);
            }
        }
        return null;
    }

    /** The RFC 1071 one's complement sum of {@code length} bytes from {@code from}, folded to 16 bits. */
    private static int sum(byte[] b, int from, int length) {
        int sum = 0;
        for (int i = from; i < from + length; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (i + 1 < from + length ? b[i + 1] & 0xff : 0);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return sum;
    }
}
