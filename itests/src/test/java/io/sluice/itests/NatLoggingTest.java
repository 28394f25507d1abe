package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * NAT event logging end to end (RFC 6888 REQ-12): a booted image with two TAP ports (pod0 inside, wan0 the
 * output-feature outside), a UDP packet from the pod injected by the packet generator at ethernet-input as if
 * received on pod0, the real forwarding path creating the NAT session, and the events arriving at a real IPFIX
 * collector (nfdump's nfcapd, on 127.0.0.1 and a free port) and at a syslog receiver (a UDP socket here). The session
 * is then cleared: the delete event must arrive too.
 *
 * <p>The TAPs' kernel sides stay in this host's namespace with no address; what the box sends there is addressed to a
 * MAC the kernel does not own, so it goes no further.
 */
class NatLoggingTest {
    private static final Pattern XSPORT = Pattern.compile("XSPORT=\"(\\d+)\"");

    @Test
    void sessionCreateAndDeleteReachAnIpfixCollectorAndASyslogServer() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Optional<Path> nfcapd = BootedBox.onPath("nfcapd");
        Optional<Path> nfdump = BootedBox.onPath("nfdump");
        assumeTrue(root, "the box's TAP ports need root (TUNSETIFF); run as root (./sluice test)");
        assertTrue(nfcapd.isPresent() && nfdump.isPresent(),
                "nfcapd/nfdump are missing; ./sluice test installs them (Debian package nfdump)");

        Path work = Path.of(System.getProperty("sluice.workdir"), "nat-logging");
        Path flows = work.resolve("flows");
        Files.createDirectories(flows);
        try (var old = Files.list(flows)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        int collectorPort = freeUdpPort();
        Process collector = new ProcessBuilder(nfcapd.get().toString(), "-b", "127.0.0.1", "-p",
                Integer.toString(collectorPort), "-w", flows.toString(), "-t", "3600")
                .redirectErrorStream(true).redirectOutput(work.resolve("nfcapd.log").toFile()).start();
        BootedBox box = null;
        try (DatagramChannel syslog = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress("127.0.0.1", 0))) {
            syslog.configureBlocking(false);
            int syslogPort = ((InetSocketAddress) syslog.getLocalAddress()).getPort();
            KeyPair admin = BootedBox.rsaKeyPair();
            box = BootedBox.boot("nat-logging-box", Map.of("admin", admin), etcFiles(collectorPort, syslogPort));

            int pod0 = swIfIndex(box, admin, "pod0");
            BootedBox.Result injected = box.exec("admin", admin, inject("nat-logging", pod0, 1));
            String created = awaitLine(syslog, " SADD ", Duration.ofSeconds(30), "injection said: " + injected.output()
                    + "\nsessions: " + box.exec("admin", admin, "nat44:sessions --detail").output()
                    + "\nerrors: " + box.exec("admin", admin, "errors:show --no-format").output());
            assertTrue(created.startsWith("<134>1 "), created);
            assertTrue(created.contains(" nat-logging-box NAT - SADD [nsess "), created);
            assertTrue(created.contains("ISADDR=\"10.1.1.3\" ISPORT=\"5000\""), created);
            assertTrue(created.contains("XSADDR=\"192.168.16.1\""), created);
            assertTrue(created.contains("PROTO=\"17\" XDADDR=\"203.0.113.51\" XDPORT=\"53\""), created);
            Matcher port = XSPORT.matcher(created);
            assertTrue(port.find(), created);
            String outsidePort = port.group(1);

            BootedBox.Result cleared = box.exec("admin", admin, "nat44:sessions-clear");
            String deleted = awaitLine(syslog, " SDEL ", Duration.ofSeconds(10), cleared.output());
            assertTrue(deleted.contains("XSPORT=\"" + outsidePort + "\""), deleted);

            // nfcapd writes its file when it stops (SIGTERM): then read it back.
            collector.destroy();
            assertTrue(collector.waitFor(20, TimeUnit.SECONDS), "nfcapd stops on SIGTERM");
            List<Path> files;
            try (var listed = Files.list(flows)) {
                files = listed.filter(p -> p.getFileName().toString().matches("nfcapd\\.\\d{12}")).toList();
            }
            assertEquals(1, files.size(), "one closed nfcapd file in " + flows + ": " + files + "; nfcapd said:\n"
                    + Files.readString(work.resolve("nfcapd.log")));
            Process read = new ProcessBuilder(nfdump.get().toString(), "-r", files.getFirst().toString(), "-o", "raw")
                    .redirectErrorStream(true).start();
            String raw = new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, read.waitFor(), raw);
            List<Map<String, String>> records = parseRaw(raw);
            assertEquals(2, records.size(), "a create and a delete record:\n" + raw);
            for (Map<String, String> r : records) {
                assertEquals("10.1.1.3", r.get("src addr"), raw);
                assertEquals("5000", r.get("src port"), raw);
                assertEquals("192.168.16.1", r.get("src xlt ip"), raw);
                assertEquals(outsidePort, r.get("src xlt port"), raw);
                assertEquals("203.0.113.51", r.get("dst addr"), raw);
                assertEquals("53", r.get("dst port"), raw);
                assertTrue(r.get("proto").startsWith("17"), raw);
            }
            // natEvent 4 and 5: NAT44 session create and delete (IANA's values; nfdump names only Cisco's older ones).
            assertTrue(records.get(0).get("nat event").startsWith("4"), raw);
            assertTrue(records.get(1).get("nat event").startsWith("5"), raw);
        } finally {
            BootedBox.stop(box);
            collector.destroy();
            collector.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** The box's configuration: two TAP ports and no DPDK port, routing to a static gateway, NAT44, logging on. */
    private static Map<String, String> etcFiles(int collectorPort, int syslogPort) {
        Map<String, String> etc = twoTapPorts("nat-logging", "slnl");
        etc.put("io.sluice.nat44.cfg", "addresses = 192.168.16.1\ninside = pod0\noutput-feature = wan0\n");
        etc.put("io.sluice.nat44.logging.cfg", "ipfix.collector = 127.0.0.1:" + collectorPort + "\n"
                + "syslog.server = 127.0.0.1:" + syslogPort + "\nsyslog.hostname = nat-logging-box\n");
        return etc;
    }

    /**
     * The logging tests' box: hardware profile {@code profile} with two TAP ports and no DPDK port, pod0 (10.1.1.1/24,
     * kernel side {@code tapPrefix}NNNNNi) and wan0 (192.168.16.1/24, {@code tapPrefix}NNNNNo), a default route via
     * 192.168.16.100 with a static neighbour. NNNNN is this process's id, so that two runs never share a TAP name.
     */
    static Map<String, String> twoTapPorts(String profile, String tapPrefix) {
        String tag = Long.toString(ProcessHandle.current().pid() % 100_000);
        Map<String, String> etc = new LinkedHashMap<>();
        etc.put(profile + ".profile", "description = " + profile + " test: TAP ports only, no DPDK port\n");
        etc.put("io.sluice.hardware.cfg", "profile = " + profile + "\ndirectory = ${karaf.home}/etc\n");
        etc.put("io.sluice.driver.tap-pod0.cfg", "name = pod0\ntap.name = " + tapPrefix + tag
                + "i\nmac = 02:fe:00:00:00:01\n");
        etc.put("io.sluice.driver.tap-wan0.cfg", "name = wan0\ntap.name = " + tapPrefix + tag
                + "o\nmac = 02:fe:00:00:00:02\n");
        etc.put("io.sluice.interface-pod0.cfg", "name = pod0\naddress = 10.1.1.1/24\n");
        etc.put("io.sluice.interface-wan0.cfg", "name = wan0\naddress = 192.168.16.1/24\n");
        etc.put("io.sluice.ip4.route-default.cfg", "prefix = 0.0.0.0/0\nvia = 192.168.16.100\ninterface = wan0\n");
        etc.put("io.sluice.ip4.neighbour-gw.cfg", "interface = wan0\naddress = 192.168.16.100\nmac = 02:00:00:00:00:99\n");
        return etc;
    }

    static int swIfIndex(BootedBox box, KeyPair admin, String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String listing = "";
        while (System.nanoTime() < deadline) {
            listing = box.exec("admin", admin, "interface:list --no-format").output();
            for (String line : listing.lines().toList()) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length > 2 && columns[0].equals(name) && line.contains("10.1.1.1/24")) {
                    return Integer.parseInt(columns[1]);
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " with its address not in interface:list:\n" + listing);
    }

    /**
     * One frame from the pod (00:00:00:00:00:02, 10.1.1.3:5000) to 203.0.113.51:53 over UDP, addressed to pod0's MAC,
     * injected {@code count} times by packet-generator stream {@code stream} at ethernet-input as received on pod0. The console has no packet-generator command, so this goes
     * through Gogo's Java calls as TelemetryTest's does; the bytes travel as a hexadecimal BigInteger (the frame's
     * first byte, 0x02, is neither 0 nor above 0x7f, so toByteArray gives the frame back exactly).
     */
    static String inject(String stream, int rxSwIfIndex, long count) {
        return inject(stream, rxSwIfIndex, count, podFrame());
    }

    /** As {@link #inject(String, int, long)} with {@code frame}, whose first byte must be 0x01 .. 0x7f. */
    static String inject(String stream, int rxSwIfIndex, long count, byte[] frame) {
        return "ref = $.context getServiceReference io.sluice.pg.api.PacketGenerator ; "
                + "pg = $.context getService $ref ; "
                + "cls = ($ref getBundle) loadClass io.sluice.pg.api.PgStream ; "
                + "packets = new java.util.ArrayList ; "
                + "$packets add ((new java.math.BigInteger " + HexFormat.of().formatHex(frame) + " 16) toByteArray) ; "
                + "each ($cls getConstructors) { s = $it newInstance " + stream + " $packets (new java.lang.Integer "
                + rxSwIfIndex + ") (new java.lang.Long " + count + ") (new java.lang.Long 0) ethernet-input ; "
                + "$pg add $s ; $pg enable " + stream + " }";
    }

    static byte[] podFrame() {
        ByteBuffer f = ByteBuffer.allocate(14 + 20 + 8 + 18);
        f.put(HexFormat.of().parseHex("02fe00000001" + "000000000002" + "0800"));
        int ip = f.position();
        f.put((byte) 0x45).put((byte) 0).putShort((short) 46).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 1, 1, 3}).put(new byte[] {(byte) 203, 0, 113, 51});
        int sum = 0;
        for (int i = ip; i < ip + 20; i += 2) {
            sum += f.getShort(i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        f.putShort(ip + 10, (short) ~sum);
        // UDP with checksum 0 (none, RFC 768): NAT44 keeps it 0.
        f.putShort((short) 5000).putShort((short) 53).putShort((short) 26).putShort((short) 0);
        f.put("sluice-nat-logging".getBytes(StandardCharsets.US_ASCII));
        return f.array();
    }

    static String awaitLine(DatagramChannel syslog, String msgid, Duration wait, String context) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + wait.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            buffer.clear();
            if (syslog.receive(buffer) != null) {
                String line = StandardCharsets.UTF_8.decode(buffer.flip()).toString();
                if (line.contains(msgid)) {
                    return line;
                }
                seen.add(line);
            } else {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("no syslog message with" + msgid + "within " + wait + "; got " + seen + "\n" + context);
    }

    /** nfdump -o raw: records start with "Flow Record:", fields are "  name = value". */
    static List<Map<String, String>> parseRaw(String raw) {
        List<Map<String, String>> records = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : raw.lines().toList()) {
            if (line.startsWith("Flow Record:")) {
                current = new LinkedHashMap<>();
                records.add(current);
            } else if (current != null && line.startsWith("  ") && line.contains("=")) {
                int eq = line.indexOf('=');
                current.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            } else if (!line.startsWith("  ")) {
                current = null;
            }
        }
        return records;
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }
}
