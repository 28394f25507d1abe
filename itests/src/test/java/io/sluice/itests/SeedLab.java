package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The seed lab end to end, driven the way an operator drives it: {@code ./sluice lab up}, commands in the
 * lab's namespaces, console commands through {@code ./sluice shell}, {@code ./sluice lab down}. Real TAP, veth,
 * AF_PACKET or DPDK, real Linux hosts in namespaces; nothing leaves them.
 *
 * <p>Operators drive the GbE port through either driver, so the whole class runs once per driver
 * ({@link SeedLabDpdkTest}, {@link SeedLabAfPacketTest}, {@link SeedLabAfXdpTest}), one after the other: all use the
 * lab's namespaces; and once more on DPDK with two workers ({@link SeedLabDpdkTwoWorkersTest}), whose traces
 * {@link SeedTrace} reads across the workers' handoffs.
 *
 * <p>Needs root (namespaces, TAP). CI runs as root; elsewhere the class is skipped with that reason. The
 * launcher installs the DPDK libraries when they are missing, so the DPDK run never skips for want of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class SeedLab {
    private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();

    /** The seed's request path (POD_TO_INTERNET.md), node by node. */
    private static final List<String> SYN_PATH = List.of("virtio-input", "ethernet-input", "ip4-input",
            "ip4-source-check-via-rx", "acl-plugin-in-ip4-fa", "nat44-out2in", "ip4-lookup", "ip4-rewrite",
            "acl-plugin-out-ip4-fa", "nat44-in2out-output", "nat44-in2out-output-slowpath", "GigabitEthernet0/8/0-output",
            "GigabitEthernet0/8/0-tx");
    /** The seed's response path through DPDK: dpdk-input hands IPv4 straight to ip4-input. */
    private static final List<String> SYN_ACK_PATH_DPDK = List.of("dpdk-input", "ip4-input",
            "ip4-source-check-via-rx", "acl-plugin-in-ip4-fa", "nat44-out2in", "ip4-lookup", "ip4-rewrite",
            "acl-plugin-out-ip4-fa", "tap2-output");
    /** The same through driver-afpacket, whose input hands every frame to ethernet-input. */
    private static final List<String> SYN_ACK_PATH_AF_PACKET = List.of("af-packet-input", "ethernet-input",
            "ip4-input", "ip4-source-check-via-rx", "acl-plugin-in-ip4-fa", "nat44-out2in", "ip4-lookup", "ip4-rewrite",
            "acl-plugin-out-ip4-fa", "tap2-output");
    /** POD_TO_POD_SAME_NODE.md's request path. */
    private static final List<String> POD_TO_POD_PATH = List.of("virtio-input", "ethernet-input", "ip4-input",
            "ip4-source-check-via-rx", "acl-plugin-in-ip4-fa", "nat44-out2in", "ip4-lookup", "ip4-rewrite",
            "acl-plugin-out-ip4-fa", "tap2-output");

    private final String gbeDriver;
    private final String sshPort;
    /** The graph's {@code workers}: 1 as the image ships, or more from itests/lab/etc/workers-N. */
    private final int workers;
    /** The directory of itests/lab/etc/ added to the box's etc/ with several workers: workers-N, or a variant. */
    private final String workersEtc;
    private Path run;
    private boolean labUp;

    /** {@code gbeDriver} as {@code ./sluice lab up --gbe-driver} takes it; each run on a console port of its own. */
    SeedLab(String gbeDriver, String sshPort) {
        this(gbeDriver, sshPort, 1);
    }

    /**
     * The same with the graph's {@code workers} set to {@code workers}: the box boots with
     * itests/lab/etc/workers-{@code workers}/io.sluice.graph.cfg added to its etc/ (SLUICE_ETC), in a run directory
     * of its own so that no other lab's box boots with it.
     */
    SeedLab(String gbeDriver, String sshPort, int workers) {
        this(gbeDriver, sshPort, workers, "workers-" + workers);
    }

    /**
     * With several workers configured by itests/lab/etc/{@code workersEtc} instead of workers-N: a placement or a
     * driver configuration of their own (workers-2-steered).
     */
    SeedLab(String gbeDriver, String sshPort, int workers, String workersEtc) {
        this.gbeDriver = gbeDriver;
        this.sshPort = sshPort;
        this.workers = workers;
        this.workersEtc = workersEtc;
    }

    /** The queues of this lab are steered to their flows' owners (workers-2-steered): none of them is handed off. */
    private boolean steered() {
        return workersEtc.endsWith("-steered");
    }

    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    void labUp() throws Exception {
        assumeTrue(isRoot(), "the seed lab creates network namespaces, veth and TAP devices: it needs root (CI is root)");
        Path image = Path.of(System.getProperty("sluice.distribution"));
        assumeTrue(Files.isRegularFile(image), "the boot image is built by the reactor before this module: " + image);
        run = Path.of(System.getProperty("sluice.workdir"), "seed-lab-" + gbeDriver
                + (workers == 1 ? "" : "-" + workersEtc));
        Result up = sluice("lab", "up", "--gbe-driver", gbeDriver);
        labUp = true;
        assertEquals(0, up.exit(), "./sluice lab up --gbe-driver " + gbeDriver + ":\n" + up.all());
        assertEquals(gbeDriver, Files.readString(run.resolve("lab/gbe-driver")).strip());
    }

    @AfterAll
    void labDown() throws Exception {
        if (labUp) {
            sluice("lab", "down");
        }
    }

    @Test
    @Order(1)
    void theSeedsRequestPassesTheSeedsNodesBothWays() throws Exception {
        shell("trace:clear");
        shell("trace:add virtio-input 10");
        String gbeInput = gbeInput();
        shell("trace:add " + gbeInput + " 10");

        Result curl = inNamespace("pod1", "curl", "-sS", "-m", "10", "http://203.0.113.51/");
        assertEquals(0, curl.exit(), curl.all());
        assertTrue(curl.out().contains("you are 192.168.16.1 "), "the server sees the node IP: " + curl.out());

        String trace = shell("trace:show --max 50");
        Map<String, String> syn = packetWith(trace, "virtio-input", "flags 0x02 SYN,", "nat44-in2out-output-slowpath");
        SeedTrace.assertPath(SYN_PATH, syn, workers, trace);
        Map<String, String> synAck = packetWith(trace, gbeInput, "flags 0x12 SYN ACK", "tap2-output");
        SeedTrace.assertPath(gbeDriver.equals("dpdk") ? SYN_ACK_PATH_DPDK : synAckThroughEthernetInput(gbeInput),
                synAck, workers, trace);
        if (workers > 1) {
            System.out.printf("%s: the SYN's handoffs %s; the SYN-ACK's %s%n", getClass().getSimpleName(),
                    SeedTrace.handoffSteps(syn), SeedTrace.handoffSteps(synAck));
        }

        // Each node's lines in the seed's shape (values aside).
        assertLines(syn.get("virtio-input"),
                "virtio: hw_if_index \\d+ next-index 4 vring 0 len 74",
                "  hdr: flags 0x00 gso_type 0x00 hdr_len 0 gso_size 0 csum_start 0 csum_offset 0 num_buffers 1");
        assertLines(syn.get("ethernet-input"), "IP4: 00:00:00:00:00:02 -> 02:fe:16:3f:5f:0f");
        assertLines(syn.get("ip4-input"),
                "TCP: 10\\.1\\.1\\.3 -> 203\\.0\\.113\\.51",
                "  tos 0x00, ttl 64, length 60, checksum 0x[0-9a-f]{4}",
                "  fragment id 0x[0-9a-f]{4}, flags DONT_FRAGMENT",
                "TCP: \\d+ -> 80",
                "  seq\\. 0x[0-9a-f]{8} ack 0x00000000",
                "  flags 0x02 SYN, tcp header: 40 bytes",
                "  window \\d+, checksum 0x[0-9a-f]{4}");
        assertLines(syn.get("acl-plugin-in-ip4-fa"),
                "acl-plugin: sw_if_index \\d+, next index \\d+, action: 2, match: acl 3 rule 0 trace_bits 00000000",
                "pkt info( [0-9a-f]{16}){6}",
                " input sw_if_index \\d+ \\(lsb16 \\d+\\) l3 ip4 10\\.1\\.1\\.3 -> 203\\.0\\.113\\.51 l4 proto 6 l4_valid 1 "
                        + "port \\d+ -> 80 tcp flags \\(valid\\) 02 rsvd 0");
        assertLines(syn.get("nat44-out2in"), "NAT44_OUT2IN: sw_if_index \\d+, next index 1, session index -1");
        assertTrue(syn.get("ip4-lookup").lines().findFirst().orElseThrow()
                .matches("  fib 0 dpo-idx \\d+ flow hash: 0x00000000"), syn.get("ip4-lookup"));
        List<String> rewrite = syn.get("ip4-rewrite").lines().toList();
        assertTrue(rewrite.get(0).matches("  tx_sw_if_index \\d+ dpo-idx \\d+ : ipv4 via 192\\.168\\.16\\.100 "
                + "GigabitEthernet0/8/0: 08002702a536080027449fd80800 flow hash: 0x00000000"), rewrite.get(0));
        assertTrue(rewrite.get(1).matches("  00000000: 08002702a536080027449fd808004500003c[0-9a-f]{28}"), rewrite.get(1));
        assertTrue(rewrite.get(2).matches("  00000020: [0-9a-f]{56}"), rewrite.get(2));
        assertLines(syn.get("acl-plugin-out-ip4-fa"),
                "acl-plugin: sw_if_index \\d+, next index \\d+, action: 1, match: acl 2 rule 0 trace_bits 00000000",
                "pkt info( [0-9a-f]{16}){6}",
                " output sw_if_index \\d+ \\(lsb16 \\d+\\) l3 ip4 10\\.1\\.1\\.3 -> 203\\.0\\.113\\.51 l4 proto 6 l4_valid 1 "
                        + "port \\d+ -> 80 tcp flags \\(valid\\) 02 rsvd 0");
        assertLines(syn.get("nat44-in2out-output"), "NAT44_IN2OUT_FAST_PATH: sw_if_index \\d+, next index 3, session -1");
        assertLines(syn.get("nat44-in2out-output-slowpath"),
                "NAT44_IN2OUT_SLOW_PATH: sw_if_index \\d+, next index 0, session \\d+");
        List<String> output = syn.get("GigabitEthernet0/8/0-output").lines().toList();
        assertEquals("  GigabitEthernet0/8/0", output.get(0));
        assertEquals("  IP4: 08:00:27:44:9f:d8 -> 08:00:27:02:a5:36", output.get(1));
        assertTrue(output.get(2).matches("  TCP: 192\\.168\\.16\\.1 -> 203\\.0\\.113\\.51"), output.get(2));
        assertTrue(output.get(3).matches("    tos 0x00, ttl 63, length 60, checksum 0x[0-9a-f]{4}"), output.get(3));
        List<String> tx = syn.get("GigabitEthernet0/8/0-tx").lines().toList();
        if (gbeDriver.equals("dpdk")) {
            assertEquals("  GigabitEthernet0/8/0 tx queue 0", tx.get(0));
            assertTrue(tx.get(1).matches("  buffer 0x[0-9a-f]+: current data -?\\d+, length 74, free-list 0, clone-count 0, "
                    + "totlen-nifb 0, trace 0x[0-9a-f]+"), tx.get(1));
            assertTrue(tx.get(3).matches("  PKT MBUF: port \\d+, nb_segs 1, pkt_len 74"), tx.get(3));
        } else if (gbeDriver.equals("af_xdp")) {
            assertLines(syn.get("GigabitEthernet0/8/0-tx"),
                    "af_xdp: hw_if_index \\d+ tx-queue 0",
                    "  buffer 0x[0-9a-f]+:",
                    "    current data -?\\d+, length 74, buffer-pool 0, ref-count 1, trace handle 0x[0-9a-f]+",
                    "  IP4: 08:00:27:44:9f:d8 -> 08:00:27:02:a5:36",
                    "  TCP: 192\\.168\\.16\\.1 -> 203\\.0\\.113\\.51");
        } else if (gbeDriver.equals("af_packet")) {
            assertLines(syn.get("GigabitEthernet0/8/0-tx"),
                    "af_packet: hw_if_index \\d+ tx-queue 0",
                    "  vnet-hdr:",
                    "    flags 0x00 gso_type 0x00 hdr_len 0",
                    "    gso_size 0 csum_start 0 csum_offset 0",
                    "  buffer 0x[0-9a-f]+:",
                    "    current data -?\\d+, length 74, buffer-pool 0, ref-count 1, trace handle 0x[0-9a-f]+",
                    "  IP4: 08:00:27:44:9f:d8 -> 08:00:27:02:a5:36",
                    "  TCP: 192\\.168\\.16\\.1 -> 203\\.0\\.113\\.51");
        }

        assertTrue(synAck.get("acl-plugin-out-ip4-fa").lines().findFirst().orElseThrow().matches(
                "  acl-plugin: sw_if_index \\d+, next index \\d+, action: 3, match: acl -1 rule \\d+ trace_bits 80000000"),
                synAck.get("acl-plugin-out-ip4-fa"));
        assertTrue(synAck.get("nat44-out2in").strip().matches(
                "NAT44_OUT2IN: sw_if_index \\d+, next index 1, session index \\d+"), synAck.get("nat44-out2in"));
        List<String> toPod = synAck.get("tap2-output").lines().toList();
        assertEquals("  tap2", toPod.get(0));
        assertEquals("  IP4: 02:fe:16:3f:5f:0f -> 00:00:00:00:00:02", toPod.get(1));
        assertTrue(toPod.get(2).matches("  TCP: 203\\.0\\.113\\.51 -> 10\\.1\\.1\\.3"), toPod.get(2));
        if (gbeDriver.equals("dpdk")) {
            List<String> rx = synAck.get("dpdk-input").lines().toList();
            assertEquals("  GigabitEthernet0/8/0 rx queue 0", rx.get(0));
            assertTrue(rx.get(1).matches("  buffer 0x[0-9a-f]+: current data 14, length 60, free-list 0, clone-count 0, "
                    + "totlen-nifb 0, trace 0x[0-9a-f]+"), rx.get(1));
            assertTrue(rx.get(3).matches("  PKT MBUF: port \\d+, nb_segs 1, pkt_len 74"), rx.get(3));
        }
    }

    @Test
    @Order(2)
    void udpEchoAndPingWorkAndTheSessionsShowTheFlows() throws Exception {
        Result udp = inNamespace("pod1", "python3", "-c", "import socket; s = socket.socket(socket.AF_INET, "
                + "socket.SOCK_DGRAM); s.settimeout(3); s.sendto(b'sluice-echo', ('203.0.113.51', 7)); "
                + "print(s.recvfrom(100)[0].decode())");
        assertEquals(0, udp.exit(), udp.all());
        assertEquals("sluice-echo", udp.out().strip());
        Result ping = inNamespace("pod1", "ping", "-c", "2", "-W", "2", "203.0.113.51");
        assertEquals(0, ping.exit(), ping.all());
        Result pingBox = inNamespace("pod1", "ping", "-c", "1", "-W", "2", "192.168.16.1");
        assertEquals(0, pingBox.exit(), "the box answers echo on the node IP: " + pingBox.all());

        String nat = shell("nat44:sessions --detail");
        assertTrue(nat.contains("10.1.1.3:"), nat);
        assertTrue(nat.contains("proto tcp"), nat);
        assertTrue(nat.contains("proto udp"), nat);
        assertTrue(nat.contains("proto icmp"), nat);
        assertTrue(nat.contains("o2i 192.168.16.1"), nat);
        String acl = shell("acl:sessions --detail");
        assertTrue(acl.contains("10.1.1.3"), acl);
        assertTrue(acl.contains("203.0.113.51"), acl);
    }

    /**
     * Issue 17's per-thread views ({@link ThreadViewsLab}): rx placement, runtime:show per thread and its total,
     * errors counted by every worker, nat44:sessions headed by owner thread; with one worker, the views as before.
     */
    @Test
    @Order(3)
    void theConsolesViewsShowEachWorkerThread() throws Exception {
        new ThreadViewsLab(workers, steered(), gbeInput(), getClass().getSimpleName(), this::shell, this::inNamespace,
                this::errorCount).run();
    }

    @Test
    @Order(3)
    void theInternetCannotReachThePodOrUnmappedPortsAndTheBoxCountsTheDrops() throws Exception {
        long aclDropsBefore = errorCount("acl-plugin-out-ip4-fa", "acl-drop");
        long localDropsBefore = errorCount("ip4-local", "no-listener");

        Result toPod = inNamespace("internet", "curl", "-sS", "-m", "3", "http://10.1.1.3/");
        assertNotEquals(0, toPod.exit(), "a connection from the internet to the pod must fail: " + toPod.all());
        Result toUnmapped = inNamespace("internet", "curl", "-sS", "-m", "3", "http://192.168.16.1:8080/");
        assertNotEquals(0, toUnmapped.exit(), "an unmapped port of the node IP must fail: " + toUnmapped.all());
        Result udpToPod = inNamespace("internet", "python3", "-c", "import socket; s = socket.socket(socket.AF_INET, "
                + "socket.SOCK_DGRAM); s.sendto(b'x', ('10.1.1.3', 9999))");
        assertEquals(0, udpToPod.exit(), udpToPod.all());
        inNamespace("internet", "ping", "-c", "1", "-W", "1", "10.1.1.3");

        long aclDrops = errorCount("acl-plugin-out-ip4-fa", "acl-drop") - aclDropsBefore;
        assertTrue(aclDrops >= 3, "TCP SYNs, UDP and ICMP towards the pod dropped by its egress ACL: " + aclDrops);
        long localDrops = errorCount("ip4-local", "no-listener") - localDropsBefore;
        assertTrue(localDrops >= 1, "SYNs to 192.168.16.1:8080 counted by ip4-local: " + localDrops);
    }

    /**
     * A key in viewergroup on the lab box: it reads, but cannot black-hole the server with a drop route (what a
     * viewer once could), the pod's traffic goes on, and the refused attempt is in the audit log with the user and
     * the command line.
     */
    @Test
    @Order(4)
    void aViewerOnTheLabBoxReadsButCannotBlackHoleTheServer() throws Exception {
        Path key = run.resolve("keys/viewer");
        if (!Files.exists(key)) {
            assertEquals(0, exec("ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-N", "", "-C", "lab-viewer", "-f",
                    key.toString()).exit());
        }
        String blob = Files.readString(Path.of(key + ".pub")).split(" ")[1];
        Path keys = run.resolve("box/etc/keys.properties");
        if (!Files.readString(keys).contains(blob)) {
            Files.writeString(keys, "viewer = " + blob + ",_g_:viewergroup\n", StandardOpenOption.APPEND);
        }
        Result fib = asViewer(key, "ip:fib");
        assertEquals(0, fib.exit(), "the viewer reads the FIB: " + fib.all());
        assertTrue(fib.out().contains("203.0.113.51") || fib.out().contains("0.0.0.0/0"), fib.out());
        Result drop = asViewer(key, "ip:route --drop add 203.0.113.51/32");
        assertNotEquals(0, drop.exit(), "a viewer's drop route must be refused: " + drop.all());
        assertFalse(shell("ip:fib").contains("203.0.113.51/32"), "no route was added");
        Result curl = inNamespace("pod1", "curl", "-sS", "-m", "10", "http://203.0.113.51/");
        assertEquals(0, curl.exit(), "the pod still reaches the server: " + curl.all());
        String audit = Files.readString(run.resolve("box/data/log/security.log"));
        assertTrue(audit.lines().anyMatch(line -> line.contains("user=viewer") && line.contains("result=refused")
                        && line.contains("ip:route --drop add 203.0.113.51/32")),
                "the refused attempt is audited with user, result and command line:\n" + audit);
    }

    private Result asViewer(Path key, String command) throws Exception {
        return collect(new ProcessBuilder("ssh", "-q", "-o", "LogLevel=QUIET", "-o", "BatchMode=yes", "-o",
                "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=" + run.resolve("known_hosts"),
                "-o", "ConnectTimeout=5", "-i", key.toString(), "-p", sshPort, "viewer@127.0.0.1", command), 60);
    }

    /**
     * traceroute from the pod, in its UDP and its ICMP mode: the box's time-exceeded (built by ip4-icmp-error, sent
     * with its own initial TTL) passes the pod's egress ACL as related to the pod's flow, so the box shows as the
     * first hop; the server's own answer (port unreachable, or echo reply) comes back through the NAT as the second.
     */
    @Test
    @Order(5)
    void tracerouteFromThePodShowsTheBoxAsTheFirstHop() throws Exception {
        assumeTrue(exec("sh", "-c", "command -v traceroute").exit() == 0,
                "traceroute is not installed (./sluice test installs it; run as root)");
        long relatedBefore = errorCount("acl-plugin-out-ip4-fa", "acl-related");
        for (String mode : List.of("-U", "-I")) {
            Result trace = inNamespace("pod1", "traceroute", "-n", mode, "-q", "1", "-w", "2", "-m", "4",
                    "203.0.113.51");
            assertEquals(0, trace.exit(), trace.all());
            List<String> hops = trace.out().lines().skip(1).toList();
            assertTrue(hops.size() >= 2 && hops.get(0).matches("\\s*1\\s+192\\.168\\.16\\.1\\s.*"),
                    "traceroute " + mode + ": the box is the first hop:\n" + trace.out());
            assertTrue(hops.get(1).matches("\\s*2\\s+203\\.0\\.113\\.51\\s.*"),
                    "traceroute " + mode + ": the server is the second:\n" + trace.out());
        }
        assertTrue(errorCount("acl-plugin-out-ip4-fa", "acl-related") - relatedBefore >= 2,
                "the box's time-exceeded errors were admitted as related");
    }

    /** Path MTU discovery and errors about translated packets through the box (issue 15; {@link FirewallIcmpLab}). */
    @Test
    @Order(5)
    void pathMtuDiscoveryAndErrorsAboutTranslatedPacketsCrossTheBox() throws Exception {
        FirewallIcmpLab lab = new FirewallIcmpLab(this::inNamespace, this::shell, this::errorCount, run.resolve("lab"));
        lab.anErrorAboutATranslatedPacketQuotesWhatItsSenderSent();
        lab.tracepathLearnsTheSmallerMtuOfAHopBehindTheInternet();
    }

    /**
     * A node that is not part of the box, hot-deployed as an operator would (docs/writing-a-node.md): its jar into
     * deploy/, then its configuration into etc/. It joins the running graph, sits on tap2's arc at its place, and
     * marks the seed's SYN; then it leaves, configuration first, then the jar, while a UDP echo runs throughout.
     */
    @Test
    @Order(6)
    void aNodeHotDeployedIntoDeployJoinsTheArcAndLeavesAgain() throws Exception {
        Path jar = Path.of(System.getProperty("sluice.example.dscp"));
        assumeTrue(Files.isRegularFile(jar), "the example is built by the reactor before this module: " + jar);
        Path box = run.resolve("box");
        Path deployed = box.resolve("deploy").resolve(jar.getFileName());
        Path config = box.resolve("etc/io.sluice.example.dscp-tap2.cfg");
        Process echo = traffic("pod1", "echo", "203.0.113.51", "7", "500", "60");
        try {
            Files.copy(jar, deployed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            waitForNode("ip4-dscp-mark");
            Files.writeString(config, "interface = tap2\ndscp = 46\n");
            waitFor(() -> shell("interface:features tap2").contains("  ip4-dscp-mark\n"), "ip4-dscp-mark on tap2");
            String features = shell("interface:features tap2");
            assertTrue(features.indexOf("  ip4-dscp-mark\n") < features.indexOf("  acl-plugin-in-ip4-fa\n"),
                    "it runs ahead of the ACL, as it registered:\n" + features);

            // The echo passes virtio-input too: the trace's filter picks the curl's packets out.
            shell("trace:clear");
            shell("trace:add --proto tcp --dport 80 virtio-input 10");
            Result curl = inNamespace("pod1", "curl", "-sS", "-m", "10", "http://203.0.113.51/");
            assertEquals(0, curl.exit(), curl.all());
            String trace = shell("trace:show --max 50");
            Map<String, String> syn = packetWith(trace, "virtio-input", "flags 0x02 SYN,", "nat44-in2out-output-slowpath");
            List<String> path = new ArrayList<>(SYN_PATH);
            // Ordered only before the ACL, as ip4-source-check-via-rx is: their tie goes by name, so it runs first.
            path.add(path.indexOf("ip4-input") + 1, "ip4-dscp-mark");
            SeedTrace.assertPath(path, syn, workers, trace);
            assertTrue(syn.get("ip4-dscp-mark").contains("dscp 0 -> 46 (tos 0x00 -> 0xb8)"), syn.get("ip4-dscp-mark"));
            assertTrue(syn.get("GigabitEthernet0/8/0-output").contains("tos 0xb8, ttl 63"),
                    "the SYN leaves marked EF:\n" + syn.get("GigabitEthernet0/8/0-output"));
            assertTrue(errorCount("ip4-dscp-mark", "marked") > 0);

            Files.delete(config);
            waitFor(() -> !shell("interface:features tap2").contains("ip4-dscp-mark"), "ip4-dscp-mark off tap2");
            Files.delete(deployed);
            // The graph keeps a departed node's slot and counters (for a replacement): listed absent, no longer active.
            waitFor(() -> shell("node:list --no-format").lines().anyMatch(line -> line.startsWith("ip4-dscp-mark ")
                    && line.contains("absent")), "ip4-dscp-mark absent from the graph");
        } finally {
            Files.deleteIfExists(config);
            Files.deleteIfExists(deployed);
        }
        Thread.sleep(1000);
        String echoed = stop(echo);
        String[] counts = echoed.split(" ");
        long sent = Long.parseLong(counts[1]);
        long received = Long.parseLong(counts[3]);
        System.out.printf("%s: UDP echo across the node's deploy, enable, disable and removal: %s%n",
                getClass().getSimpleName(), echoed);
        assertTrue(sent > 1000 && received == sent, "nothing lost while the node came and went: " + echoed);
        Result after = inNamespace("pod1", "curl", "-sS", "-m", "10", "http://203.0.113.51/");
        assertEquals(0, after.exit(), after.all());
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** The GbE driver's input node, as VPP names it. */
    private String gbeInput() {
        return switch (gbeDriver) {
            case "dpdk" -> "dpdk-input";
            case "af_xdp" -> "af_xdp-input";
            default -> "af-packet-input";
        };
    }

    /** The response path of a GbE driver whose input hands every frame to ethernet-input (af_packet, af_xdp). */
    private static List<String> synAckThroughEthernetInput(String gbeInput) {
        List<String> path = new ArrayList<>(SYN_ACK_PATH_AF_PACKET);
        path.set(0, gbeInput);
        return path;
    }

    private static void waitFor(Condition condition, String what) throws Exception {
        for (int i = 0; i < 150; i++) {
            if (condition.holds()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @Test
    @Order(7)
    void twoPodsOnTheBoxReachEachOtherThroughTheDocsNodes() throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", "pod1", "python3", "-m", "http.server", "--bind",
                "10.1.1.3", "8080").redirectErrorStream(true).redirectOutput(run.resolve("pod1-http.log").toFile()).start();
        try {
            waitForListener("pod1", "10.1.1.3:8080");
            // pod1 keeps sending to the internet meanwhile: the filter must pick pod2's flow out of that.
            Process busy = traffic("pod1", "echo", "203.0.113.51", "7", "500", "30");
            shell("trace:clear");
            shell("trace:add --src 10.1.1.4 --proto tcp --dport 8080 virtio-input 20");
            Result curl = inNamespace("pod2", "curl", "-sS", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://10.1.1.3:8080/");
            assertEquals("200", curl.out().strip(), curl.all());
            String trace = shell("trace:show --max 50");
            stop(busy);
            List<String> sources = trace.lines().filter(line -> line.matches("  (TCP|UDP|ICMP): \\S+ -> \\S+"))
                    .map(line -> line.strip().split(" ")[1]).distinct().toList();
            assertTrue(trace.contains("Packet 1\n") && !sources.isEmpty(), trace);
            assertTrue(sources.stream().allMatch(source -> source.equals("10.1.1.4") || source.matches("\\d+")),
                    "only pod2's packets are traced, though pod1 sent too: " + sources + "\n" + trace);
            Map<String, String> syn = packetWith(trace, "virtio-input", "flags 0x02 SYN,", "tap2-output");
            SeedTrace.assertPath(POD_TO_POD_PATH, syn, workers, trace);
            assertTrue(syn.get("acl-plugin-out-ip4-fa").contains("action: 1, match: acl 4 rule 0"),
                    "pod1's ingress policy admits its node's pods: " + syn.get("acl-plugin-out-ip4-fa"));
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** AntiSpoofingLab: spoofed sources from a pod and from the internet, an ARP flood from a pod. */
    @Test
    @Order(11)
    void spoofedSourcesAndAnArpFloodAreDroppedAndCounted() throws Exception {
        new AntiSpoofingLab(this::shell, this::inNamespace, ROOT, run).run();
    }

    /**
     * A TCP connection opened through the box before an update of the NAT44 and ACL bundles and before a
     * restart of the whole box goes on working after each: NAT sessions and ACL reflect sessions live in mapped
     * files the new instances attach to, so after the restart the pod's reflect session is there before the pod
     * sends anything. Unsolicited traffic sent at the pod all through the restart never reaches it.
     */
    @Test
    @Order(8)
    void aTcpConnectionSurvivesBundleUpdatesAndARestartOfTheBox() throws Exception {
        Process client = new ProcessBuilder("ip", "netns", "exec", "pod1", "python3",
                ROOT.resolve("itests/lab/echo-client.py").toString(), "203.0.113.51", "7")
                .redirectError(run.resolve("echo-client.err").toFile()).start();
        try (var toClient = new java.io.PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8);
             var fromClient = new java.io.BufferedReader(
                     new java.io.InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            String connected = fromClient.readLine();
            assertTrue(connected != null && connected.startsWith("connected from 10.1.1.3:"), String.valueOf(connected));
            toClient.println("before");
            assertEquals("before", fromClient.readLine());
            String sessionsBefore = natSessionOf(connected);

            // An operator's update: the new jar, then a refresh so that every bundle wired to the old revision
            // (the shell, through nat44's api package) is wired to the new one. Karaf's bundle:update alone
            // sometimes leaves the shell wired to the old revision, its commands waiting for a Nat44 service
            // of that revision.
            shell("bundle:update io.sluice.sluice-nat44");
            shell("bundle:refresh io.sluice.sluice-nat44");
            waitForNode("nat44-in2out-output");
            shell("bundle:update io.sluice.sluice-acl");
            shell("bundle:refresh io.sluice.sluice-acl");
            waitForNode("acl-plugin-out-ip4-fa");
            toClient.println("after-update");
            assertEquals("after-update", fromClient.readLine(), "the connection works after the bundle updates");
            assertEquals(sessionsBefore, natSessionOf(connected), "the same translation, same outside port");

            // Unsolicited traffic from the internet all through the restart: while the box is down, while it boots,
            // while its capabilities come up one by one, none of it may reach the pod.
            Process podSink = traffic("pod1", "sink", "9999", "120");
            Process podWatch = traffic("pod1", "watch", "eth0", "120");
            Process unsolicited = traffic("internet", "flood", "10.1.1.3", "9999", "1000", "120");
            Process hostile = traffic("internet", "hostile", "10.1.1.3", "192.168.16.1", "1000", "120");
            Result stop = sluice("stop");
            assertEquals(0, stop.exit(), stop.all());
            Result start = sluice("start");
            assertEquals(0, start.exit(), start.all());
            waitForLab();
            Thread.sleep(1000);
            String floodSent = stop(unsolicited);
            String hostileSent = stop(hostile);
            String reached = stop(podSink);
            String hostileReached = stop(podWatch);
            System.out.printf("%s: during the restart, unsolicited UDP at the pod: %s, reached it: %s; unsolicited "
                    + "TCP/UDP/ICMP: %s, at the pod: %s%n", getClass().getSimpleName(), floodSent, reached, hostileSent,
                    hostileReached);
            assertTrue(floodSent.matches("sent [1-9]\\d{3,}"), "the flood ran through the restart: " + floodSent);
            assertTrue(hostileSent.matches("sent [1-9]\\d{3,}"), "the attack ran through the restart: " + hostileSent);
            assertEquals("received 0", reached, "no unsolicited UDP reached the pod during the restart");
            assertEquals("hostile 0 control 1", hostileReached,
                    "no unsolicited TCP, UDP or ICMP reached the pod during the restart (its capture saw its control frame)");
            String port = connected.substring(connected.lastIndexOf(':') + 1).strip();
            String aclSessions = shell("acl:sessions --detail --no-format --max 1000000");
            assertTrue(Pattern.compile("10\\.1\\.1\\.3:" + port + "[\\s|]+203\\.0\\.113\\.51:7\\b").matcher(aclSessions).find(),
                    "the reflect session was restored from its file before the pod sent anything:\n"
                            + String.join("\n", aclSessions.lines().limit(40).toList()));
            toClient.println("after-restart");
            assertEquals("after-restart", fromClient.readLine(), "the connection works after the box restarted");
            assertEquals(sessionsBefore, natSessionOf(connected), "the translation was restored from the session file");
        } finally {
            client.destroy();
            client.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** What pod1's kernel says of its TCP stream to the internet's port 5001 (ss -tin): acked bytes, retransmits. */
    private String streamProgress() throws Exception {
        String info = inNamespace("pod1", "ss", "-tinH", "dst", "203.0.113.51:5001").out();
        Matcher acked = Pattern.compile("bytes_acked:(\\d+)").matcher(info);
        Matcher retrans = Pattern.compile("retrans:(\\S+)").matcher(info);
        Matcher lastAck = Pattern.compile("lastack:(\\d+)").matcher(info);
        return info.isBlank() ? "gone" : "acked " + (acked.find() ? acked.group(1) : "?") + " B, retrans "
                + (retrans.find() ? retrans.group(1) : "0") + ", last ack " + (lastAck.find() ? lastAck.group(1) : "?")
                + " ms ago";
    }

    /** Every error counter, node/counter to its count. */
    private Map<String, Long> counters() throws Exception {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String line : shell("errors:show --all --no-format").lines().toList()) {
            String[] cells = line.split("\t");
            if (cells.length >= 3 && cells[0].strip().matches("\\d+")) {
                counts.put(cells[1].strip() + "/" + cells[2].strip(), Long.parseLong(cells[0].strip()));
            }
        }
        return counts;
    }

    /** The counters that moved since {@code before}, with how much (one cleared since shows a fall). */
    private String movedSince(Map<String, Long> before) throws Exception {
        StringBuilder moved = new StringBuilder();
        counters().forEach((counter, count) -> {
            long delta = count - before.getOrDefault(counter, 0L);
            if (delta != 0) {
                moved.append(' ').append(counter).append(delta > 0 ? " +" : " ").append(delta);
            }
        });
        return moved.toString().strip();
    }

    /** The outside port the NAT gave the connection whose inside end is in {@code connected}. */
    private String natSessionOf(String connected) throws Exception {
        String port = connected.substring(connected.lastIndexOf(':') + 1).strip();
        List<String> lines = shell("nat44:sessions --detail").lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).strip().equals("i2o 10.1.1.3 proto tcp port " + port + " fib 0")) {
                return lines.get(i + 1).strip();
            }
        }
        throw new AssertionError("no NAT session for 10.1.1.3:" + port + " in:\n" + String.join("\n", lines));
    }

    /**
     * Waits for {@code node} to be active again. The update refreshes the bundles that import the updated
     * ones, the shell among them, so the console may answer "Command not found" for a moment: retried.
     */
    private void waitForNode(String node) throws Exception {
        for (int i = 0; i < 200; i++) {
            Result nodes = sluice("shell", "node:list --no-format");
            if (nodes.exit() == 0 && nodes.out().lines().anyMatch(line -> line.startsWith(node + " ")
                    && line.contains("active"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(node + " did not come back");
    }

    /** The pod has its address again and the GbE and tap2 carry their ACL and NAT44 features. */
    private void waitForLab() throws Exception {
        for (int i = 0; i < 150; i++) {
            boolean pod = inNamespace("pod1", "ip", "-4", "addr", "show", "dev", "eth0").out().contains("10.1.1.3");
            Result gbe = sluice("shell", "interface:features GigabitEthernet0/8/0");
            Result tap = sluice("shell", "interface:features tap2");
            if (pod && gbe.out().contains("  nat44-in2out-output\n") && gbe.out().contains("  acl-plugin-out-ip4-fa\n")
                    && tap.out().contains("  acl-plugin-in-ip4-fa\n") && tap.out().contains("  nat44-out2in\n")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the lab did not come back after the restart");
    }

    /**
     * The operator's upgrade command (node:upgrade: update, refresh, wait for the nodes) of the ACL, NAT44, TAP driver,
     * ip4 and ethernet bundles and the GbE driver (driver-dpdk or driver-afpacket), three times each, while at once:
     * the pod sends a bulk TCP stream to the internet (its byte count and SHA-256 checked at the far end), the pod runs
     * a UDP echo with the server at 2000 packets/s, the internet sends unsolicited UDP at the pod at 2000 packets/s,
     * and unsolicited TCP SYNs, UDP and ICMP echo requests at the pod and at unmapped ports of the box's address. The
     * firewall never opens (the pod receives none of the unsolicited packets: a sink counts the UDP, a capture on the
     * pod's interface the rest) and no packet leaves with the pod's private source (a capture on the internet side sees
     * none); the TCP stream ends with no reset and nothing lost or changed; the echo's loss, parked packets dropped
     * while a node was absent, is reported. Every watcher proves it can see what it looks for: the sink counts pod2's
     * datagrams, the captures their own control frames.
     */
    @Test
    @Order(9)
    void bundleUpdatesUnderHostileTrafficLetNothingInAndLeakNoPodAddress() throws Exception {
        String bound = "120";
        Process podSink = traffic("pod1", "sink", "9999", bound);
        Process podWatch = traffic("pod1", "watch", "eth0", bound);
        Process capture = traffic("internet", "sniff", "eth0", "10.1.1.0/24", bound);
        Process bulkSink = traffic("internet", "tcpsink", "5001", bound);
        Process bulk = traffic("pod1", "tcpsend", "203.0.113.51", "5001", "1000000", bound);
        Process unsolicited = traffic("internet", "flood", "10.1.1.3", "9999", "2000", bound);
        Process hostile = traffic("internet", "hostile", "10.1.1.3", "192.168.16.1", "1000", bound);
        Process echo = traffic("pod1", "echo", "203.0.113.51", "7", "2000", bound);
        Map<String, Long> countersBefore = counters();
        long started = System.nanoTime();
        // The pod's own policy admits its node's pods: 20 datagrams from pod2 must reach the sink, or it could not
        // have counted a leak either.
        Result fromPod2 = inNamespace("pod2", "python3", "-c", "import socket, time; s = socket.socket(socket.AF_INET, "
                + "socket.SOCK_DGRAM)\nfor i in range(20):\n    s.sendto(b'pod2', ('10.1.1.3', 9999)); time.sleep(0.005)");
        assertEquals(0, fromPod2.exit(), fromPod2.all());
        Thread.sleep(1000);
        List<String[]> updates = new ArrayList<>(List.of(new String[] {"io.sluice.sluice-acl", "acl-plugin-out-ip4-fa"},
                new String[] {"io.sluice.sluice-nat44", "nat44-in2out-output"},
                new String[] {"io.sluice.sluice-driver-tap", "virtio-input"},
                new String[] {"io.sluice.sluice-ip4", "ip4-lookup"},
                new String[] {"io.sluice.sluice-ethernet", "ethernet-input"}));
        // The GbE driver too: a new driver-dpdk finds the EAL and the mbuf pool of the process and opens the port
        // again; a new driver-afpacket opens its socket and ring again.
        if (gbeDriver.equals("af_packet")) {
            updates.add(new String[] {"io.sluice.sluice-driver-afpacket", "af-packet-input"});
        } else if (gbeDriver.equals("af_xdp")) {
            updates.add(new String[] {"io.sluice.sluice-driver-afxdp", "af_xdp-input"});
        } else {
            updates.add(new String[] {"io.sluice.sluice-driver-dpdk", "dpdk-input"});
        }
        for (int round = 0; round < 3; round++) {
            for (String[] update : updates) {
                long t0 = System.nanoTime();
                // The one-command upgrade: update, refresh what is wired to it, wait for its nodes, report.
                String report = shell("node:upgrade " + update[0]);
                assertTrue(report.matches("(?s).*upgraded " + Pattern.quote(update[0]) + " \\S+ -> \\S+: nodes back "
                        + "after \\d+ ms; dropped \\+\\d+ \\(of which parked-overflow \\+\\d+\\).*"), report);
                System.out.print(getClass().getSimpleName() + ": " + report);
                waitForNode(update[1]);
                System.out.printf("%s: update of %s, its nodes back after %d ms; pod's TCP stream %s%n",
                        getClass().getSimpleName(), update[0], (System.nanoTime() - t0) / 1_000_000, streamProgress());
            }
        }
        Thread.sleep(2000);
        System.out.printf("%s: counters that moved during the updates: %s%n", getClass().getSimpleName(),
                movedSince(countersBefore));
        String sent = stop(unsolicited);
        String hostileSent = stop(hostile);
        String echoed = stop(echo);
        String streamed = stop(bulk, 150);
        String streamArrived = stop(bulkSink);
        String reached = stop(podSink);
        String hostileReached = stop(podWatch);
        String leaked = stop(capture);
        System.out.printf("%s: %.1f s of traffic; unsolicited UDP at the pod: %s, reached it: %s; unsolicited "
                        + "TCP/UDP/ICMP at the pod and the box: %s, at the pod: %s; pod's UDP echo: %s; pod's TCP "
                        + "stream: %s, at the far end: %s; frames with a 10.1.1.x source on the internet side: %s%n",
                getClass().getSimpleName(), (System.nanoTime() - started) / 1e9, sent, reached, hostileSent,
                hostileReached, echoed, streamed, streamArrived, leaked);
        Matcher stream = Pattern.compile("sent (\\d+) sha256 (\\p{XDigit}{64}) answer (\\d+) (\\p{XDigit}{64})")
                .matcher(streamed);
        assertTrue(stream.matches(), "the TCP stream through the updates ended with no reset: " + streamed);
        assertEquals(stream.group(1) + " " + stream.group(2), stream.group(3) + " " + stream.group(4),
                "the far end received every byte of the stream, unchanged");
        assertTrue(Long.parseLong(stream.group(1)) > 10_000_000, "the stream ran through the updates: " + streamed);
        assertEquals("received " + stream.group(1) + " sha256 " + stream.group(2), streamArrived);
        assertTrue(hostileSent.matches("sent \\d+") && Long.parseLong(hostileSent.split(" ")[1]) > 4000,
                "the unsolicited TCP/UDP/ICMP ran: " + hostileSent);
        assertEquals("hostile 0 control 1", hostileReached,
                "no unsolicited TCP, UDP or ICMP reached the pod, and the pod's capture saw its own control frame");
        assertTrue(sent.matches("sent \\d+") && Long.parseLong(sent.split(" ")[1]) > 4000, "the flood ran: " + sent);
        assertEquals("received 20", reached, "pod2's 20 datagrams, and none of the internet's, reach the pod");
        assertTrue(leaked.matches("matched 0 of [1-9]\\d* dropped 0 control 1"),
                "frames left with the pod's private source, or the capture missed some or saw nothing: " + leaked);
        String[] echoCounts = echoed.split(" ");
        assertTrue(Long.parseLong(echoCounts[3]) > 0, "the echo worked around the updates: " + echoed);
    }

    /**
     * A boot with a NAT44 file that does not parse fails closed: while the pod sends to the internet nothing leaves
     * with its private source (captured on the internet side), the session file is not touched, and the log names
     * the key that is wrong. Correcting the file brings the NAT back without a restart.
     */
    @Test
    @Order(10)
    void aBootWithABrokenNatFileForwardsNothingUntranslatedAndKeepsTheSessionFile() throws Exception {
        Path box = run.resolve("box");
        Path natFile = box.resolve("etc/io.sluice.nat44.cfg");
        Path sessions = box.resolve("data/nat44/sessions.bin");
        String goodConfig = Files.readString(natFile);
        assertEquals(0, sluice("stop").exit());
        byte[] sessionsBefore = Files.readAllBytes(sessions);
        Files.writeString(natFile, goodConfig + "\ntimeout.udp = soon\n");
        try {
            Result start = sluice("start");
            assertEquals(0, start.exit(), start.all());
            for (int i = 0; i < 150 && !(inNamespace("pod1", "ip", "-4", "addr", "show", "dev", "eth0").out()
                    .contains("10.1.1.3") && sluice("shell", "interface:features GigabitEthernet0/8/0").out()
                    .contains("  nat44-in2out-output\n")); i++) {
                Thread.sleep(200);
            }
            Process capture = traffic("internet", "sniff", "eth0", "10.1.1.0/24", "60");
            Result sent = inNamespace("pod1", "python3", ROOT.resolve("itests/lab/traffic.py").toString(), "flood",
                    "203.0.113.51", "7", "500", "4");
            assertEquals(0, sent.exit(), sent.all());
            String leaked = stop(capture);
            assertTrue(leaked.matches("matched 0 of \\d+ dropped 0 control 1"),
                    "with the NAT refused, frames left with the pod's private source: " + leaked);
            assertTrue(errorCount("nat44-in2out-output", "no-configuration") > 0, "the refused packets are counted");
            String log = Files.readString(box.resolve("data/log/karaf.log"));
            assertTrue(log.contains("timeout.udp") && log.contains("refuses to forward"),
                    "the log names the key that is wrong");
            assertTrue(java.util.Arrays.equals(sessionsBefore, Files.readAllBytes(sessions)),
                    "the session file is kept as it was");
        } finally {
            Files.writeString(natFile, goodConfig);
        }
        for (int i = 0; i < 100; i++) {
            Result curl = inNamespace("pod1", "curl", "-sS", "-m", "2", "http://203.0.113.51/");
            if (curl.exit() == 0 && curl.out().contains("you are 192.168.16.1 ")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the corrected NAT44 file did not bring the pod's traffic back");
    }

    /** One of itests/lab/traffic.py's modes in a lab namespace, once it is ready. */
    private Process traffic(String namespace, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "python3",
                ROOT.resolve("itests/lab/traffic.py").toString()));
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile(run, "traffic-" + arguments[0], ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        for (int i = 0; i < 100 && !Files.readString(output).startsWith("ready"); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.readString(output).startsWith("ready"), command + ": " + Files.readString(output));
        outputs.put(process, output);
        return process;
    }

    private final Map<Process, Path> outputs = new java.util.HashMap<>();

    /** Ends a traffic process (SIGTERM) and returns the count line it prints as it stops. */
    private String stop(Process process) throws Exception {
        return stop(process, 10);
    }

    /** The same, waiting up to {@code seconds} for it to finish what it was doing (a TCP stream ends first). */
    private String stop(Process process, int seconds) throws Exception {
        process.destroy();
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "a traffic process did not stop");
        List<String> lines = Files.readAllLines(outputs.remove(process));
        return lines.get(lines.size() - 1).strip();
    }

    /** Blind RSTs and a flood of flows from the internet, at this box: {@link FirewallStateLab}. */
    @Test
    @Order(12)
    void attacksOnTheFirewallsStateLeaveThePodsFlowsAlone() throws Exception {
        new FirewallStateLab(ROOT, run, this::shell, this::inNamespace, this::errorCount)
                .attacksOnTheStateLeaveThePodsFlowsAlone();
    }

    /**
     * Fragmented UDP both ways and a flood of later fragments, at this box: {@link FragmentsLab}. On the host
     * interfaces (AF_PACKET, AF_XDP) only. Through the lab's DPDK GbE (DPDK's net_af_packet PMD on a veth) the box
     * never sees the reply's fragments: on the wire (tshark on sl-gbe0) they are 1514 + 1514 + 54 bytes, but
     * dpdk-input receives one 3000-byte datagram, reassembled by the kernel for the PMD's packet socket (a fanout
     * group with the defragment flag), cut at the PMD's 2048-byte frame to 1968 bytes and dropped, counted, as
     * ip4-input bad-length. A NIC's PMD (the e1000 of the QEMU image) hands over the fragments as they come.
     */
    @Test
    @Order(15)
    void fragmentedDatagramsEchoThroughTheBoxAndAFragmentFloodFillsOnlyTheLimit() throws Exception {
        assumeTrue(!gbeDriver.equals("dpdk"), "the lab's DPDK GbE (net_af_packet) receives fragments reassembled by"
                + " the kernel and cut at its frame size (ip4-input bad-length): fragments are tested on AF_PACKET"
                + " and AF_XDP");
        new FragmentsLab(ROOT, run, this::shell, this::inNamespace, this::errorCount).run();
    }

    /** Damaged session files at a restart, and one its disk cannot hold: {@link SessionFileLab}. */
    @Test
    @Order(18)
    void damagedSessionFilesAreMovedAsideAndOneTheDiskCannotHoldFailsClosed() throws Exception {
        new SessionFileLab(ROOT, run, this::sluice, this::shell, this::inNamespace, this::errorCount, this::traffic,
                this::stop, this::waitForLab).damagedFilesAreMovedAsideAndAFileTheDiskCannotBackFailsClosed();
    }

    /**
     * VPP's {@code pcap trace rx tx max 200 intfc any file seed.pcapng}: tshark reads the file's interface blocks and
     * finds the seed's SYN twice, as the pod sent it on tap2 and translated to the node's address on the GbE; then
     * a capture of drops names the ACL's counter on a denied datagram ({@link PcapDropLab}).
     */
    @Test
    @Order(13)
    void aPcapTraceOfTheSeedsCurlShowsTheSynOnTap2AndTranslatedOnTheGbe() throws Exception {
        assumeTrue(exec("sh", "-c", "command -v tshark").exit() == 0,
                "tshark (Debian package tshark) is not installed: ./sluice test installs it");
        String started = shell("pcap:trace --rx --tx --max 200 --interface any --file seed.pcapng");
        assertTrue(started.contains("seed.pcapng"), started);
        Result curl = inNamespace("pod1", "curl", "-sS", "-m", "10", "http://203.0.113.51/");
        assertEquals(0, curl.exit(), curl.all());
        String off = shell("pcap:off");
        assertTrue(off.contains("seed.pcapng: ") && !off.contains(": 0 packets written"), off);
        Path file = run.resolve("box/data/pcap/seed.pcapng");
        Result read = exec("tshark", "-r", file.toString(), "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "-T",
                "fields", "-E", "separator=,", "-e", "frame.interface_name", "-e", "ip.src", "-e", "ip.dst");
        assertEquals(0, read.exit(), read.all());
        List<String> syns = read.out().lines().map(String::strip).toList();
        assertTrue(syns.contains("tap2,10.1.1.3,203.0.113.51"), "the pod's SYN as it entered tap2 in " + file
                + ":\n" + read.all());
        assertTrue(syns.contains("GigabitEthernet0/8/0,192.168.16.1,203.0.113.51"),
                "the SYN translated to the node's address as it left the GbE in " + file + ":\n" + read.all());
        assertTrue(shell("pcap:status").contains("pcap capture: off"));
        new PcapDropLab(run, this::shell, this::inNamespace, this::errorCount)
                .aDeniedDatagramIsCapturedWithTheAclsCounterName();
    }

    /** Issue 19: a route, an ACL rule, a NAT mapping and an address set from the console survive stop and start. */
    @Test
    @Order(17)
    void configurationFromTheConsoleIsInForceInEtcAndSurvivesARestart() throws Exception {
        new ConsoleConfigLab(command -> sluice("shell", command), run.resolve("box/etc")).run(() -> {
            assertEquals(0, sluice("stop").exit());
            Result start = sluice("start");
            assertEquals(0, start.exit(), start.all());
            waitForLab();
        });
    }

    /** Issue 18: the churn soak's short form ({@link ChurnSoakLab}), on one driver: the NAT44 table is the same. */
    @Test
    @Order(16)
    void churnOfTwiceTheSessionLimitReturnsToBaselineWithPortExhaustionCounted() throws Exception {
        assumeTrue("dpdk".equals(gbeDriver), "the churn soak runs on the DPDK lab (SeedLabDpdkTest)");
        new ChurnSoakLab(ROOT, run, workers, this::shell, this::inNamespace, this::errorCount, this::waitForNode)
                .sessionsAndPortsReturnToBaselineAndMemoryStaysFlat();
    }

    /** Issue 19: the live monitor in a terminal under traffic, the hardware listing, a ping from the box (LiveConsoleLab). */
    @Test
    @Order(14)
    void theConsolesLiveMonitorHardwareListingAndPingWorkOnTheLab() throws Exception {
        LiveConsoleLab lab = new LiveConsoleLab(run, sshPort, this::shell);
        lab.theLiveMonitorShowsChangingRatesInATerminal();
        lab.runtimeTopShowsThePerThreadFiguresInATerminal();
        lab.theHardwareListingNamesTheDrivers(gbeDriver);
        lab.aPingFromTheBoxGetsReplies();
    }

    @Test
    @Order(20)
    void labDownLeavesNoNamespaceDeviceOrProcess() throws Exception {
        String boxPid = Files.readString(run.resolve("karaf.pid")).strip();
        String serversPid = Files.readString(run.resolve("lab/servers.pid")).strip();
        Result down = sluice("lab", "down");
        labUp = false;
        assertEquals(0, down.exit(), down.all());
        String namespaces = exec("ip", "netns", "list").out();
        for (String ns : List.of("pod1", "pod2", "internet", "internet-far")) {
            assertFalse(namespaces.lines().anyMatch(line -> line.split(" ")[0].equals(ns)), ns + " left: " + namespaces);
        }
        assertNotEquals(0, exec("ip", "link", "show", "sl-gbe0").exit(), "veth sl-gbe0 left behind");
        assertFalse(alive(boxPid), "the box (pid " + boxPid + ") still runs");
        assertFalse(alive(serversPid), "the lab's servers (pid " + serversPid + ") still run");
    }

    // ---- helpers ----

    /** Running, not gone and not a zombie waiting for its reaper. */
    private static boolean alive(String pid) throws IOException {
        Path status = Path.of("/proc", pid, "status");
        if (!Files.exists(status)) {
            return false;
        }
        try {
            return Files.readAllLines(status).stream().noneMatch(line -> line.matches("State:\\s+Z.*"));
        } catch (IOException gone) {
            return false;
        }
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(line -> line.matches("Uid:\\s+0\\s.*"));
        } catch (IOException e) {
            return false;
        }
    }

    private Result sluice(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("sluice").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
        builder.environment().put("SLUICE_RUN", run.toString());
        builder.environment().put("SLUICE_IMAGE", System.getProperty("sluice.distribution"));
        builder.environment().put("SLUICE_SSH_PORT", sshPort);
        if (workers > 1) {
            // ./sluice start (lab up, and every restart of the box) copies these into the box's etc/
            builder.environment().put("SLUICE_ETC", ROOT.resolve("itests/lab/etc/" + workersEtc).toString());
        }
        return collect(builder, 180);
    }

    private String shell(String command) throws Exception {
        Result result = sluice("shell", command);
        assertEquals(0, result.exit(), "./sluice shell '" + command + "':\n" + result.all());
        return result.out();
    }

    private Result inNamespace(String namespace, String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return exec(full.toArray(new String[0]));
    }

    private static Result exec(String... command) throws Exception {
        return collect(new ProcessBuilder(command), 60);
    }

    private static Result collect(ProcessBuilder builder, int seconds) throws Exception {
        Path out = Files.createTempFile("sluice-lab", ".out");
        Path err = Files.createTempFile("sluice-lab", ".err");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(builder.command() + " did not finish in " + seconds + " s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private long errorCount(String node, String counter) throws Exception {
        for (String line : shell("errors:show --all --no-format").lines().toList()) {
            String[] cells = line.split("\t");
            if (cells.length >= 3 && cells[1].strip().equals(node) && cells[2].strip().equals(counter)) {
                return Long.parseLong(cells[0].strip());
            }
        }
        throw new AssertionError("no counter /err/" + node + "/" + counter);
    }

    private void waitForListener(String namespace, String address) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (inNamespace(namespace, "ss", "-ltn").out().contains(address)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing listens on " + address + " in " + namespace);
    }

    /** The first traced packet (its halves joined across a handoff) whose text holds every word: {@link SeedTrace}. */
    private static Map<String, String> packetWith(String trace, String... words) {
        return SeedTrace.packetWith(trace, words);
    }

    /** The block's lines (after the two-space indent) match the patterns, in order. */
    private static void assertLines(String block, String... patterns) {
        List<String> lines = block.lines().map(line -> line.substring(2)).toList();
        assertTrue(lines.size() >= patterns.length, "too few lines:\n" + block);
        for (int i = 0; i < patterns.length; i++) {
            assertTrue(lines.get(i).matches(patterns[i]), "line " + i + ": '" + lines.get(i) + "' !~ " + patterns[i]);
        }
    }
}
