package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * VPP's {@code pcap trace drop}: a datagram from the internet to the pod, denied by the pod's egress ACL, is in the
 * capture with a comment naming the counter that counted it as {@code errors:show} names it
 * ("dropped by acl-plugin-out-ip4-fa: acl-drop"), read back by tshark. Runs on SeedLab's booted box.
 */
final class PcapDropLab {
    private static final String ACL_NODE = "acl-plugin-out-ip4-fa";
    private static final String ACL_COUNTER = "acl-drop";
    private static final int PORT = 9997;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    interface Shell {
        String run(String command) throws Exception;
    }

    interface Namespace {
        SeedLab.Result run(String namespace, String... command) throws Exception;
    }

    interface Counter {
        long read(String node, String counter) throws Exception;
    }

    private final Path run;
    private final Shell shell;
    private final Namespace namespace;
    private final Counter errors;

    PcapDropLab(Path run, Shell shell, Namespace namespace, Counter errors) {
        this.run = run;
        this.shell = shell;
        this.namespace = namespace;
        this.errors = errors;
    }

    void aDeniedDatagramIsCapturedWithTheAclsCounterName() throws Exception {
        long before = errors.read(ACL_NODE, ACL_COUNTER);
        String started = shell.run("pcap:trace --drop --max 100 --interface any --file denied.pcapng");
        assertTrue(started.contains("denied.pcapng"), started);
        SeedLab.Result sent = namespace.run("internet", "python3", "-c", "import socket; s = socket.socket("
                + "socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b'denied', ('10.1.1.3', " + PORT + ")) for _ in "
                + "range(3)]");
        assertEquals(0, sent.exit(), sent.all());
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (errors.read(ACL_NODE, ACL_COUNTER) - before < 3 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        String off = shell.run("pcap:off");
        assertTrue(off.contains("denied.pcapng: ") && !off.contains(": 0 packets written"), off);
        assertTrue(errors.read(ACL_NODE, ACL_COUNTER) - before >= 3, "the egress ACL denied the datagrams");

        Path file = run.resolve("box/data/pcap/denied.pcapng");
        Process tshark = new ProcessBuilder("tshark", "-r", file.toString(), "-Y", "udp.dstport == " + PORT, "-T",
                "fields", "-E", "separator=,", "-e", "frame.interface_name", "-e", "ip.dst", "-e", "frame.comment")
                .redirectErrorStream(true).start();
        String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS), "tshark did not finish");
        assertEquals(0, tshark.exitValue(), out);
        List<String> denied = out.lines().map(String::strip).filter(line -> line.contains(",10.1.1.3,")).toList();
        assertTrue(!denied.isEmpty(), "the denied datagrams in " + file + ":\n" + out);
        for (String line : denied) {
            assertTrue(line.endsWith(",10.1.1.3,dropped by " + ACL_NODE + ": " + ACL_COUNTER),
                    "a drop's comment names the node and the counter, as errors:show does: " + line);
        }
    }
}
