package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The churn soak in its short form, on the seed lab's booted box (for {@link SeedLab}, on the DPDK lab).
 * NAT44 is restarted with a table of {@value #MAX_SESSIONS} sessions and short timeouts (UDP 40 s: longer than a
 * round's sending, so the UDP sessions still hold the table while the TCP connections look for room), then pod1 opens twice as
 * many distinct flows as the table holds, twice over: in each round every UDP source port (1..65535) to one port
 * of the server, port 9 in odd rounds and 10 in even ones, so two rounds make 131070 distinct flows (NAT44-ED: a
 * session per flow, and more endpoints than the pool address's 64512 ports, so port exhaustion; one destination
 * per round leaves the table's last 1024 places for TCP), then short TCP connections to its echo server (more than the
 * table has room left for: the session limit). Each round shows, on counters: the ports run out and the
 * refusals are counted (nat44-in2out-output-slowpath out-of-ports, max-sessions-exceeded); after the timeouts
 * sessions and ports in use are back at their baseline and the pod connects again; the box's resident memory
 * grows by less than {@link #RSS_SLACK_KB} kB from one round to the next (the first warms the JVM up). Round trip
 * times before and after are printed, not asserted. Waits have deadlines of tens of seconds; the configuration is restored
 * at the end.
 *
 * <p>{@link SeedLab} runs it on the DPDK lab in its short form, {@value #SHORT_ROUNDS} rounds. The longer run whose
 * figures are in docs/performance.md sets the rounds with {@code -Dsluice.soak.rounds=N} (docs/testing.md); every
 * round after the first is compared with the first (resident memory), and each prints its figures.
 */
final class ChurnSoakLab {
    static final int MAX_SESSIONS = 65536;
    /** Ports the pool address has per protocol (1024..65535): fewer than pod1's UDP endpoints (1..65535). */
    private static final int UDP_PORTS = 65535 - 1024 + 1;
    /** pod1's UDP endpoints, a flow each per round: more than the pool address's ports. */
    private static final int UDP_ENDPOINTS = 65535;
    /** The room the UDP ports leave in the table (65536 - 64512 = 1024), and a few more: the session limit. */
    private static final int TCP_FLOWS = 1100;
    private static final String SERVER = "203.0.113.51";
    private static final String SLOWPATH = "nat44-in2out-output-slowpath";
    private static final Pattern SESSIONS = Pattern.compile("NAT44 sessions: (\\d+) of (\\d+)");
    private static final Pattern CONNECTED = Pattern.compile("connected (\\d+) failed (\\d+)");
    private static final Pattern RTT = Pattern.compile("rtt min/avg/max/mdev = [\\d.]+/([\\d.]+)/");
    /**
     * Resident memory may grow this much from one round to the next: ZGC commits heap (up to the box's -Xmx512m),
     * the JIT compiles, the ACL file's pages come in. Measured on the DPDK lab: +46 and +64 MB from round 1 to 2,
     * then +20 and +14 MB (4 rounds, docs/performance.md). A coarse bound, twice the largest step seen, which a leak
     * of 1 KB or more per flow (132,170 flows a round) still exceeds in every round.
     */
    private static final long RSS_SLACK_KB = 128 * 1024;
    /** The short form: the first round warms the JVM up, the second must end where the first did. */
    static final int SHORT_ROUNDS = 2;
    /**
     * TCP connections that must get through in a round: the table's room after the UDP flows (1024 sessions, less
     * the few the lab's own traffic may hold), since the policy allows those; the rest are refused and counted.
     */
    private static final int TCP_ALLOWED_AT_LEAST = 1000;

    interface Shell {
        String run(String command) throws Exception;
    }

    interface Namespace {
        SeedLab.Result run(String namespace, String... command) throws Exception;
    }

    interface Counter {
        long read(String node, String counter) throws Exception;
    }

    interface NodeActive {
        void await(String node) throws Exception;
    }

    record Round(long peakUdpPorts, long outOfPorts, long maxSessionsExceeded, String tcp, long secondsToBaseline,
                 long rssKb) {
    }

    private final Path root;
    private final Path run;
    private final Shell shell;
    private final Namespace namespace;
    private final Counter errors;
    private final NodeActive nodeActive;

    /**
     * The pods whose UDP endpoints churn: with several workers each inside address allocates from its own worker's
     * block of the pool address's ports (VPP NAT44-ED's port_per_thread), so one pod can use only 64512 / workers of
     * them; with two workers pod1 (10.1.1.3) and pod2 (10.1.1.4), owned by the two workers (docs/operations.md),
     * together use them all.
     */
    private final List<String> churningPods;

    ChurnSoakLab(Path root, Path run, int workers, Shell shell, Namespace namespace, Counter errors,
                 NodeActive nodeActive) {
        if (workers > 2) {
            throw new IllegalArgumentException("the soak knows two pods, for at most two workers: " + workers);
        }
        this.churningPods = workers == 1 ? List.of("pod1") : List.of("pod1", "pod2");
        this.root = root;
        this.run = run;
        this.shell = shell;
        this.namespace = namespace;
        this.errors = errors;
        this.nodeActive = nodeActive;
    }

    void sessionsAndPortsReturnToBaselineAndMemoryStaysFlat() throws Exception {
        Path natConfig = run.resolve("box/etc/io.sluice.nat44.cfg");
        Path aclConfig = run.resolve("box/etc/io.sluice.acl.sessions.cfg");
        Path log = run.resolve("box/data/log/karaf.log");
        String natGood = Files.readString(natConfig);
        try {
            long logAt = Files.size(log);
            Files.writeString(natConfig, natGood + "\nmax-sessions = " + MAX_SESSIONS
                    + "\nmax-sessions-per-inside-address = " + 2 * MAX_SESSIONS
                    + "\ntimeout.udp = 40\ntimeout.tcp-transitory = 10\ntimeout.tcp-established = 20"
                    + "\ntimeout.icmp = 10\n");
            // The ACL reflects each flow too: its per-host share and its idle timeouts must not be what runs out.
            Files.writeString(aclConfig, "sessions.max-per-host = 250000\ntimeout.udp.idle = 40\n"
                    + "timeout.tcp.transient = 10\ntimeout.tcp.idle = 20\n");
            waitFor(() -> since(log, logAt).contains("max-sessions and session-file take effect"), "the soak's NAT44"
                    + " configuration in ConfigAdmin");
            shell.run("bundle:restart io.sluice.sluice-nat44");
            nodeActive.await("nat44-in2out-output");
            waitFor(() -> sessions()[1] == MAX_SESSIONS, "NAT44 with " + MAX_SESSIONS + " sessions");
            curlIsTranslated();
            String rttBefore = rtt();
            // The baseline is the empty table: the curl's and the ping's sessions expire first.
            long baselineSessions = 0;
            String baselinePorts = "192.168.16.1 0 0 0";
            waitFor(() -> sessions()[0] == baselineSessions && ports().equals(baselinePorts), 120,
                    "the soak's table empty before the first round (" + ports() + ")");

            int rounds = Math.max(SHORT_ROUNDS, Integer.getInteger("sluice.soak.rounds", SHORT_ROUNDS));
            long soakStart = System.nanoTime();
            Round first = round(1, baselineSessions, baselinePorts);
            System.out.printf("ChurnSoakLab: round 1 of %d: %s; ping RTT avg %s ms%n", rounds, first, rtt());
            Round previous = first;
            for (int r = 2; r <= rounds; r++) {
                Round next = round(r, baselineSessions, baselinePorts);
                System.out.printf("ChurnSoakLab: round %d of %d: %s; RSS %+d kB from round %d, %+d kB from round 1;"
                        + " ping RTT avg %s ms%n", r, rounds, next, next.rssKb() - previous.rssKb(), r - 1,
                        next.rssKb() - first.rssKb(), rtt());
                assertTrue(next.rssKb() - previous.rssKb() < RSS_SLACK_KB, "resident memory flat across the rounds: "
                        + previous.rssKb() + " kB after round " + (r - 1) + ", " + next.rssKb() + " kB after round "
                        + r);
                previous = next;
            }
            System.out.printf("ChurnSoakLab: table %d, per round %d UDP flows (to port 9, then 10) + %d TCP connections, %d rounds in %d s;"
                    + " ping RTT avg before %s ms%n", MAX_SESSIONS, UDP_ENDPOINTS, TCP_FLOWS, rounds,
                    (System.nanoTime() - soakStart) / 1_000_000_000L, rttBefore);
        } finally {
            // The ACL judges idleness by the timeouts in force when it looks: with the lab's 600 s back, the soak's
            // reflect sessions (idle for seconds, never swept without traffic) would live again and hold pod1's
            // per-host share. They go first.
            shell.run("acl:sessions-clear");
            long logAt = Files.size(log);
            Files.writeString(natConfig, natGood);
            Files.writeString(aclConfig, "sessions.max-per-host = 125000\ntimeout.udp.idle = 600\n"
                    + "timeout.tcp.transient = 120\ntimeout.tcp.idle = 86400\n");
            for (int i = 0; i < 150 && !since(log, logAt).contains("max-sessions and session-file take effect"); i++) {
                Thread.sleep(200); // the lab's file back in ConfigAdmin (no assertion here: it would hide the test's)
            }
            shell.run("bundle:restart io.sluice.sluice-nat44");
            nodeActive.await("nat44-in2out-output");
            deleteMovedAside(run.resolve("box/data/nat44"));
        }
        curlIsTranslated();
    }

    private Round round(int number, long baselineSessions, String baselinePorts) throws Exception {
        long outOfPortsBefore = errors.read(SLOWPATH, "out-of-ports");
        long maxSessionsBefore = errors.read(SLOWPATH, "max-sessions-exceeded");
        // Every flow once per pass; a pass again refreshes what exists and makes what a dropped frame missed, until
        // the pool address has no UDP port left.
        long udpPorts = 0;
        for (int pass = 0; pass < 4 && !(udpPorts == UDP_PORTS && errors.read(SLOWPATH, "out-of-ports") > outOfPortsBefore);
             pass++) {
            for (String pod : churningPods) {
                SeedLab.Result sent = namespace.run(pod, "python3", root.resolve("itests/lab/churn.py").toString(),
                        "udp", SERVER, number % 2 == 1 ? "9" : "10", "1", "65535", "15000");
                assertEquals(0, sent.exit(), sent.all());
            }
            udpPorts = udpPortsInUse();
        }
        long outOfPorts = errors.read(SLOWPATH, "out-of-ports") - outOfPortsBefore;
        assertEquals(UDP_PORTS, udpPorts, "every UDP port of the pool address in use (UDP from " + churningPods + ")");
        assertTrue(outOfPorts > 0, "port exhaustion is counted");

        SeedLab.Result tcp = namespace.run("pod1", "python3", root.resolve("itests/lab/churn.py").toString(), "tcp",
                SERVER, "7", String.valueOf(TCP_FLOWS), "0.2");
        assertEquals(0, tcp.exit(), tcp.all());
        Matcher connected = CONNECTED.matcher(tcp.out());
        assertTrue(connected.find(), tcp.all());
        assertTrue(Integer.parseInt(connected.group(1)) >= TCP_ALLOWED_AT_LEAST, "the connections the table has room "
                + "for get through: " + tcp.out().strip());
        long maxSessions = errors.read(SLOWPATH, "max-sessions-exceeded") - maxSessionsBefore;
        assertTrue(maxSessions > 0, "the session limit is counted: " + tcp.out().strip());
        assertTrue(sessions()[0] <= MAX_SESSIONS);

        long start = System.nanoTime();
        waitFor(() -> sessions()[0] == baselineSessions && ports().equals(baselinePorts), 120,
                "sessions back to " + baselineSessions + " and ports to " + baselinePorts + " (" + ports() + ")");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        long rss = rssKb();
        curlIsTranslated();
        return new Round(udpPorts, outOfPorts, maxSessions, tcp.out().strip(), seconds, rss);
    }

    /** Sessions in the table and its capacity, from {@code nat44:sessions}. */
    private long[] sessions() throws Exception {
        Matcher m = SESSIONS.matcher(shell.run("nat44:sessions"));
        assertTrue(m.find(), "nat44:sessions has its count line");
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    /** {@code nat44:addresses}' row of the pool address: its TCP, UDP and ICMP ports in use. */
    private String ports() throws Exception {
        java.util.List<String> lines = shell.run("nat44:addresses --no-format").strip().lines().toList();
        return lines.getLast().strip().replaceAll("\\s+", " ");
    }

    private long udpPortsInUse() throws Exception {
        String[] cells = ports().split(" ");
        return Long.parseLong(cells[cells.length - 2]);
    }

    private long rssKb() throws Exception {
        String pid = Files.readString(run.resolve("karaf.pid")).strip();
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmRSS for the box's pid " + pid);
    }

    private String rtt() throws Exception {
        SeedLab.Result ping = namespace.run("pod1", "ping", "-c", "10", "-i", "0.2", "-W", "2", SERVER);
        Matcher m = RTT.matcher(ping.out());
        return m.find() ? m.group(1) : "(no reply: " + ping.out().strip() + ")";
    }

    private void curlIsTranslated() throws Exception {
        SeedLab.Result curl = null;
        for (int i = 0; i < 150; i++) {
            curl = namespace.run("pod1", "curl", "-sS", "-m", "2", "http://" + SERVER + "/");
            if (curl.exit() == 0 && curl.out().contains("you are 192.168.16.1 ")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("pod1 does not reach the internet translated: " + curl.all());
    }

    private static void deleteMovedAside(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("sessions.bin.moved-")).toList()) {
                Files.delete(file);
            }
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition, String what) throws Exception {
        waitFor(condition, 30, what);
    }

    private static void waitFor(Condition condition, int seconds, String what) throws Exception {
        for (int i = 0; i < seconds * 5; i++) {
            if (condition.holds()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + what + " within " + seconds + " s");
    }

    private static String since(Path log, long offset) throws Exception {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(offset, all.length);
        return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
    }
}
