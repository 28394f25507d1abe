package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 15's anti-spoofing and neighbour-table attacks on SeedLab's booted box and namespaces (run by SeedLab, once
 * per GbE driver), sent with scapy (itests/lab/spoof.py):
 * <ol>
 *   <li>pod2 sends to the internet server from another pod's address and from an internet address: the server's
 *   listener gets none of them (and gets pod2's own datagrams, so it could have), ip4-source-check-via-rx counts
 *   them as {@code src-check-miss};</li>
 *   <li>the internet sends from 10.1.1.x to the pool address and to pod1, and from martians: pod1's listener gets
 *   none (and gets pod2's datagrams), counted as {@code src-check-miss} and {@code martian-source} on the GbE;</li>
 *   <li>pod2 floods the box's proxy ARP with thousands of invented senders (the last ones claiming pod1's, the
 *   server's and the gateway's addresses): pod2's share of the neighbour table holds at most its limit, what did not
 *   fit is evicted or refused and counted, the GbE's gateway entry stays, and pod1 still reaches the server (no
 *   claimed address pulled its traffic into pod2);</li>
 *   <li>afterwards the buffers in use are back to their baseline;</li>
 *   <li>first of all, the state a restart leaves (the GbE's gateway not resolved yet, made here by adding the
 *   gateway as a static neighbour and deleting it): pod2's burst of 20 datagrams still reaches the server. The
 *   first one's ARP answer used to wait up to 100 ms in the neighbour learn queue while ip4-arp dropped the rest,
 *   and the lab saw "legit 0" whenever it ran right after a restart of the box.</li>
 * </ol>
 * Every wait has a deadline of tens of seconds and every assertion is on counters or counts, not on time.
 */
final class AntiSpoofingLab {

    interface Shell {
        String run(String command) throws Exception;
    }

    interface InNamespace {
        SeedLab.Result run(String namespace, String... command) throws Exception;
    }

    private static final String SCAPY_PYTHON = "/usr/bin/python3";
    private static final String POD_MAC = "00:00:00:00:00:02";
    private static final String TAP3_MAC = "02:fe:16:3f:5f:10";
    private static final String ROUTER_MAC = "08:00:27:02:a5:36";
    private static final String BOX_GBE_MAC = "08:00:27:44:9f:d8";
    private static final String CHECK = "ip4-source-check-via-rx";
    private static final String GBE = "GigabitEthernet0/8/0";
    private static final String GATEWAY = "192.168.16.100";
    private static final int SPOOFED = 50;
    private static final int LEGIT = 20;
    private static final int ARP_FLOOD = 5000;
    /** The lab's io.sluice.ethernet.neighbours.cfg. */
    private static final int POD_NEIGHBOUR_SHARE = 1024;
    private static final int LISTEN_SECONDS = 40;

    private final Shell shell;
    private final InNamespace inNamespace;
    private final Path script;
    private final Path run;

    AntiSpoofingLab(Shell shell, InNamespace inNamespace, Path root, Path run) {
        this.shell = shell;
        this.inNamespace = inNamespace;
        this.script = root.resolve("itests/lab/spoof.py");
        this.run = run;
    }

    void run() throws Exception {
        assumeTrue(inNamespace.run("pod2", SCAPY_PYTHON, "-c", "import scapy.all").exit() == 0,
                "scapy (Debian package python3-scapy) is not installed for " + SCAPY_PYTHON);
        long buffersBaseline = buffersInUse();
        aBurstToAGatewayNotResolvedYetReachesTheServer();
        spoofedSourcesFromAPodNeverReachTheInternet();
        spoofedSourcesFromTheInternetNeverReachThePod();
        anArpFloodFromAPodFillsOnlyItsShareAndTheGatewayStays();
        waitFor(() -> buffersInUse() <= buffersBaseline, "buffers in use back to the baseline " + buffersBaseline);
        System.out.println("anti-spoofing lab: " + String.join("; ", figures) + "; buffers in use " + buffersBaseline
                + " before, " + buffersInUse() + " after");
    }

    /** What each attack did, printed at the end for the record (docs/operations.md quotes it). */
    private final List<String> figures = new ArrayList<>();

    private void aBurstToAGatewayNotResolvedYetReachesTheServer() throws Exception {
        shell.run("ip:neighbor add " + GBE + " " + GATEWAY + " " + ROUTER_MAC);
        waitFor(() -> gatewayEntry().contains("static"), "the gateway as a static neighbour");
        shell.run("ip:neighbor del " + GBE + " " + GATEWAY);
        waitFor(() -> gatewayEntry().isEmpty(), "the gateway gone from the neighbour table");
        long arpDropsBefore = errorCount("ip4-arp", "drop");
        Process listener = listen("internet", 5153);
        String counts;
        try {
            send("pod2", POD_MAC, TAP3_MAC, "10.1.1.4", "203.0.113.51", 5153, LEGIT, "legit");
            waitFor(() -> gatewayEntry().contains("dynamic"), "the gateway learned again");
        } finally {
            counts = finish(listener);
        }
        figures.add("burst to an unresolved gateway: server got " + counts + ", ip4-arp drop +"
                + (errorCount("ip4-arp", "drop") - arpDropsBefore));
        assertTrue(counts.matches("legit [1-9]\\d* spoof 0"),
                "a burst to the gateway while it is resolved must not be lost whole: " + counts);
    }

    /** The GbE gateway's row of ip:neighbors, or "" when the table has none. */
    private String gatewayEntry() throws Exception {
        return shell.run("ip:neighbors --no-format").lines()
                .filter(line -> line.matches(GBE + "\\s+" + GATEWAY.replace(".", "\\.") + "\\s.*")).findFirst()
                .orElse("");
    }

    private void spoofedSourcesFromAPodNeverReachTheInternet() throws Exception {
        long missesBefore = errorCount(CHECK, "src-check-miss");
        Process listener = listen("internet", 5151);
        try {
            send("pod2", POD_MAC, TAP3_MAC, "10.1.1.4", "203.0.113.51", 5151, LEGIT, "legit");
            send("pod2", POD_MAC, TAP3_MAC, "10.1.1.3", "203.0.113.51", 5151, SPOOFED, "spoof");
            send("pod2", POD_MAC, TAP3_MAC, "198.51.100.7", "203.0.113.51", 5151, SPOOFED, "spoof");
            waitFor(() -> errorCount(CHECK, "src-check-miss") - missesBefore >= 2 * SPOOFED,
                    "the spoofed datagrams counted as src-check-miss");
        } finally {
            String counts = finish(listener);
            figures.add("pod2 spoofing: server got " + counts + ", src-check-miss +"
                    + (errorCount(CHECK, "src-check-miss") - missesBefore));
            assertTrue(counts.matches("legit [1-9]\\d* spoof 0"),
                    "the server gets pod2's own datagrams and none with a spoofed source: " + counts);
        }
    }

    private void spoofedSourcesFromTheInternetNeverReachThePod() throws Exception {
        long missesBefore = errorCount(CHECK, "src-check-miss");
        long martiansBefore = errorCount(CHECK, "martian-source");
        Process listener = listen("pod1", 5152);
        try {
            send("pod2", POD_MAC, TAP3_MAC, "10.1.1.4", "10.1.1.3", 5152, LEGIT, "legit");
            send("internet", ROUTER_MAC, BOX_GBE_MAC, "10.1.1.4", "10.1.1.3", 5152, SPOOFED, "spoof");
            send("internet", ROUTER_MAC, BOX_GBE_MAC, "10.1.1.4", "192.168.16.1", 5152, SPOOFED, "spoof");
            List<String> martians = List.of("127.0.0.1", "0.1.2.3", "224.0.0.5", "255.255.255.255", "192.168.16.1");
            for (String martian : martians) {
                send("internet", ROUTER_MAC, BOX_GBE_MAC, martian, "10.1.1.3", 5152, SPOOFED / 10, "spoof");
            }
            waitFor(() -> errorCount(CHECK, "src-check-miss") - missesBefore >= 2 * SPOOFED,
                    "the GbE's datagrams from 10.1.1.4 counted as src-check-miss");
            waitFor(() -> errorCount(CHECK, "martian-source") - martiansBefore >= martians.size() * (SPOOFED / 10),
                    "the martians counted as martian-source");
        } finally {
            String counts = finish(listener);
            figures.add("internet spoofing: pod1 got " + counts + ", src-check-miss +"
                    + (errorCount(CHECK, "src-check-miss") - missesBefore) + ", martian-source +"
                    + (errorCount(CHECK, "martian-source") - martiansBefore));
            assertTrue(counts.matches("legit [1-9]\\d* spoof 0"),
                    "pod1 gets pod2's datagrams and none of the internet's spoofed ones: " + counts);
        }
    }

    private void anArpFloodFromAPodFillsOnlyItsShareAndTheGatewayStays() throws Exception {
        long evictionsBefore = neighbourCounter("evictions");
        long overflowsBefore = neighbourCounter("learn-queue-overflows");
        long dropped = evictionsBefore + overflowsBefore;
        SeedLab.Result flood = inNamespace.run("pod2", SCAPY_PYTHON, script.toString(), "arpflood", "eth0",
                String.valueOf(ARP_FLOOD), "10.1.1.1");
        assertEquals(0, flood.exit(), flood.all());
        waitFor(() -> neighbourCounter("evictions") + neighbourCounter("learn-queue-overflows") > dropped,
                "the flood beyond pod2's share evicted or refused, and counted");
        long pod2Dynamic = shell.run("ip:neighbors --no-format").lines()
                .filter(line -> line.startsWith("tap3") && line.contains("dynamic")).count();
        figures.add("ARP flood of " + ARP_FLOOD + ": pod2 holds " + pod2Dynamic + " learned neighbours, evictions +"
                + (neighbourCounter("evictions") - evictionsBefore) + ", learn-queue-overflows +"
                + (neighbourCounter("learn-queue-overflows") - overflowsBefore));
        assertTrue(pod2Dynamic <= POD_NEIGHBOUR_SHARE, "pod2 holds " + pod2Dynamic + " learned neighbours");
        // The pod's traffic makes the box resolve the gateway again if its entry had aged out meanwhile.
        SeedLab.Result curl = inNamespace.run("pod1", "curl", "-sS", "-m", "10", "http://203.0.113.51/");
        assertEquals(0, curl.exit(), "pod1 still reaches the server: " + curl.all());
        assertTrue(curl.out().contains("you are 192.168.16.1 "), curl.out());
        SeedLab.Result ping = inNamespace.run("pod1", "ping", "-c", "2", "-W", "3", "203.0.113.51");
        assertEquals(0, ping.exit(), ping.all());
        waitFor(() -> shell.run("ip:neighbors --no-format").lines().anyMatch(line -> line.matches(
                "GigabitEthernet0/8/0\\s+192\\.168\\.16\\.100\\s+08:00:27:02:a5:36\\s.*")), "the gateway's entry");
        String fib = shell.run("ip:fib");
        assertTrue(fib.lines().noneMatch(line -> line.contains("203.0.113.51/32")),
                "pod2's claim of the server's address routes nothing:\n" + fib);
    }

    private void send(String namespace, String srcMac, String dstMac, String src, String dst, int port, int count,
                      String kind) throws Exception {
        SeedLab.Result sent = inNamespace.run(namespace, SCAPY_PYTHON, script.toString(), "udp", "eth0", srcMac, dstMac,
                src, dst, String.valueOf(port), String.valueOf(count), kind);
        assertEquals(0, sent.exit(), sent.all());
        assertEquals("sent " + count, sent.out().strip(), sent.all());
    }

    /** The listener, started and ready; it ends by itself after {@value #LISTEN_SECONDS} s. */
    private Process listen(String namespace, int port) throws Exception {
        Path output = Files.createTempFile(run, "spoof-listen", ".out");
        Process process = new ProcessBuilder("ip", "netns", "exec", namespace, SCAPY_PYTHON, script.toString(),
                "listen", String.valueOf(port), String.valueOf(LISTEN_SECONDS))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        outputs.put(process, output);
        waitFor(() -> Files.readString(output).startsWith("ready"), "the listener in " + namespace);
        return process;
    }

    private final Map<Process, Path> outputs = new HashMap<>();

    /** Stops the listener (it prints its counts on SIGTERM) and returns its last line. */
    private String finish(Process listener) throws Exception {
        listener.destroy();
        assertTrue(listener.waitFor(30, TimeUnit.SECONDS), "the listener did not stop");
        Path output = outputs.remove(listener);
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        Files.deleteIfExists(output);
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }

    private long errorCount(String node, String counter) throws Exception {
        for (String line : shell.run("errors:show --all --no-format").lines().toList()) {
            String[] cells = line.split("\t");
            if (cells.length >= 3 && cells[1].strip().equals(node) && cells[2].strip().equals(counter)) {
                return Long.parseLong(cells[0].strip());
            }
        }
        throw new AssertionError("no counter /err/" + node + "/" + counter);
    }

    private long neighbourCounter(String counter) throws Exception {
        for (String line : shell.run("ip:neighbors --counters --no-format").lines().toList()) {
            String[] cells = line.strip().split("\\s+");
            if (cells.length == 2 && cells[1].equals(counter)) {
                return Long.parseLong(cells[0]);
            }
        }
        throw new AssertionError("no neighbour counter " + counter);
    }

    /** The sum of every worker's buffers in use ({@code buffers:show}). */
    private long buffersInUse() throws Exception {
        long inUse = 0;
        for (String line : shell.run("buffers:show --no-format").lines().toList()) {
            String[] cells = line.strip().split("\\s+");
            if (cells.length >= 4 && cells[0].matches("\\d+")) {
                inUse += Long.parseLong(cells[3]);
            }
        }
        return inUse;
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls for up to 60 s: generous on a loaded machine, and only a wait, never a measure. */
    private static void waitFor(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }
}
