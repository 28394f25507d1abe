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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ACL denied-flow logging end to end: a booted image with two TAP ports, an ACL with {@code log = deny} on pod0's
 * input denying the pod's DNS, and etc/io.sluice.acl.logging.cfg pointing at a UDP socket here. Five packets of one
 * flow from the pod, injected by the packet generator at ethernet-input as if received on pod0, are all dropped;
 * the socket gets exactly one RFC 5424 line for them (the rest are rate-limited), naming interface, ACL, rule and flow.
 */
class AclDenyLoggingTest {
    private static final int PACKETS = 5;

    @Test
    void aFloodOfOneDeniedFlowIsOneSyslogLine() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "the box's TAP ports need root (TUNSETIFF); run as root (./sluice test)");
        BootedBox box = null;
        try (DatagramChannel syslog = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress("127.0.0.1", 0))) {
            syslog.configureBlocking(false);
            KeyPair admin = BootedBox.rsaKeyPair();
            box = BootedBox.boot("acl-deny-box", Map.of("admin", admin),
                    etcFiles(((InetSocketAddress) syslog.getLocalAddress()).getPort()));
            int pod0 = NatLoggingTest.swIfIndex(box, admin, "pod0");
            BootedBox.Result injected = box.exec("admin", admin, NatLoggingTest.inject("acl-deny", pod0, PACKETS));
            String line = NatLoggingTest.awaitLine(syslog, " DENY ", Duration.ofSeconds(30), "injection said: "
                    + injected.output() + "\nerrors: " + box.exec("admin", admin, "errors:show --no-format").output());
            assertEquals("ACL deny pod0 in acl 3 rule 0 udp 10.1.1.3:5000 -> 203.0.113.51:53",
                    line.substring(line.indexOf(" - DENY - ") + " - DENY - ".length()), line);
            assertTrue(line.startsWith("<132>1 ") && line.contains(" acl-deny-box ACL - DENY - "), line);
            List<String> more = drainFor(syslog, Duration.ofSeconds(2));
            assertEquals(List.of(), more, "the flow's other packets are rate-limited, not logged");
            String errors = box.exec("admin", admin, "errors:show --no-format").output();
            assertTrue(errors.lines().map(l -> l.trim().split("\\s+")).anyMatch(c -> c.length > 2
                    && c[0].equals(Integer.toString(PACKETS)) && c[1].equals("acl-plugin-in-ip4-fa")
                    && c[2].equals("acl-drop")), "every packet is dropped and counted:\n" + errors);
        } finally {
            BootedBox.stop(box);
        }
    }

    /** Two TAP ports and no DPDK port; pod0's input ACL denies DNS and logs it; deny logging to the test's socket. */
    private static Map<String, String> etcFiles(int syslogPort) {
        Map<String, String> etc = NatLoggingTest.twoTapPorts("acl-deny", "slad");
        etc.put("io.sluice.acl-pod-out.cfg", "index = 3\nlog = deny\nrule.0 = deny proto udp dport 53\nrule.1 = permit\n");
        etc.put("io.sluice.acl.interface-pod0.cfg", "interface = pod0\ninput = pod-out\n");
        etc.put("io.sluice.acl.logging.cfg", "syslog.server = 127.0.0.1:" + syslogPort
                + "\nsyslog.hostname = acl-deny-box\ninterval-seconds = 60\n");
        return etc;
    }

    private static List<String> drainFor(DatagramChannel syslog, Duration wait) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        List<String> lines = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            buffer.clear();
            if (syslog.receive(buffer) != null) {
                lines.add(StandardCharsets.UTF_8.decode(buffer.flip()).toString());
            } else {
                Thread.sleep(20);
            }
        }
        return lines;
    }
}
