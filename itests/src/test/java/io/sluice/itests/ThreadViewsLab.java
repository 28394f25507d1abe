package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.packet.api.PortBlocks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The console's per-thread views on the seed lab's box (issue 17, "Per-thread views"), run by {@link SeedLab} on its
 * own box: with one worker the views are the one-thread views they always were; with several, as VPP's:
 * {@code interface:rx-placement} gives each receive queue one worker, {@code runtime:show} one section per thread
 * ({@code Thread 0 sluice_main}, {@code Thread 1 sluice_wk_0}, ...) whose sum is its {@code --total},
 * {@code errors:show} counts what every worker counted, and {@code nat44:sessions} heads the sessions by the
 * thread that owns them ({@code -------- thread 1 sluice_wk_0: 2 sessions --------}).
 */
final class ThreadViewsLab {

    private static final Pattern THREAD = Pattern.compile("^Thread (\\d+) (\\S+) \\(lcore ([^)]+)\\)$");
    private static final Pattern HANDOFF_RECEIVED = Pattern.compile("handoff: \\d+ sent, \\d+ refused, (\\d+) received");
    private static final Pattern NAT_THREAD = Pattern.compile("^-------- thread (\\d+) (\\S+): (\\d+) sessions --------$");
    private static final String TOTAL = "Total of ";

    private final int workers;
    /** The lab's queues are steered to their flows' owners (itests/lab/etc/workers-2-steered). */
    private final boolean steered;
    private final String gbeInput;
    private final String className;
    private final FirewallIcmpLab.Shell shell;
    private final FirewallIcmpLab.InNamespace inNamespace;
    private final FirewallIcmpLab.ErrorCount errorCount;

    ThreadViewsLab(int workers, boolean steered, String gbeInput, String className, FirewallIcmpLab.Shell shell,
                   FirewallIcmpLab.InNamespace inNamespace, FirewallIcmpLab.ErrorCount errorCount) {
        this.workers = workers;
        this.steered = steered;
        this.gbeInput = gbeInput;
        this.className = className;
        this.shell = shell;
        this.inNamespace = inNamespace;
        this.errorCount = errorCount;
    }

    /** VPP's thread names: thread 0 is the main thread, the others its workers. */
    static String threadName(int thread) {
        return thread == 0 ? "sluice_main" : "sluice_wk_" + (thread - 1);
    }

    void run() throws Exception {
        long handedOffBefore = steered ? handoffsReceived() : 0;
        // Both directions through the box: pod1's echoes out on the GbE, their answers in on it (and pod2's, when
        // the lab is steered: the two pods are owned by the two workers).
        for (String pod : steered ? List.of("pod1", "pod2") : List.of("pod1")) {
            SeedLab.Result udp = inNamespace.run(pod, "python3", "-c", "import socket; s = socket.socket("
                    + "socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)\nfor i in range(5):\n    s.sendto(b'views', "
                    + "('203.0.113.51', 7)); s.recvfrom(100)");
            assertEquals(0, udp.exit(), pod + ": " + udp.all());
        }
        if (steered) {
            assertEquals(handedOffBefore, handoffsReceived(), "steered: each pod's echoes and their answers arrived on "
                    + "the worker owning them, none handed off:\n" + shell.run("runtime:show --no-format"));
        }
        eachReceiveQueueIsPolledByOneWorker();
        if (steered) {
            anOperatorMovesAPodsQueueWhileItCarriesTraffic();
        }
        runtimeShowsEachThreadAndTheirSum();
        errorsCountWhatEveryWorkerCounted();
        natSessionsAreHeadedByTheirThread();
    }

    /** What the workers received from each other so far (runtime:show's handoff lines, summed). */
    private long handoffsReceived() throws Exception {
        String runtime = shell.run("runtime:show --no-format");
        long received = 0;
        Matcher line = HANDOFF_RECEIVED.matcher(runtime);
        while (line.find()) {
            received += Long.parseLong(line.group(1));
        }
        return received;
    }

    private void eachReceiveQueueIsPolledByOneWorker() throws Exception {
        String placement = shell.run("interface:rx-placement --no-format");
        System.out.printf("%s: interface:rx-placement with %d workers:%n%s", className, workers, placement);
        Set<String> queues = new HashSet<>();
        Map<String, Integer> workerOf = new LinkedHashMap<>();
        Map<String, Integer> workerOfQueue = new LinkedHashMap<>();
        for (String line : placement.lines().toList()) {
            String[] cells = line.split("\t");
            if (cells.length < 4 || !cells[1].strip().matches("\\d+")) {
                continue;
            }
            String queue = cells[0].strip() + " queue " + cells[1].strip();
            assertTrue(queues.add(queue), queue + " is listed twice:\n" + placement);
            assertTrue(cells[3].strip().matches("\\d+"), queue + " has no worker:\n" + placement);
            int worker = Integer.parseInt(cells[3].strip());
            assertTrue(worker < workers, queue + " on worker " + worker + " of " + workers + ":\n" + placement);
            workerOf.putIfAbsent(cells[0].strip(), worker);
            workerOfQueue.put(queue, worker);
        }
        assertTrue(workerOf.containsKey("GigabitEthernet0/8/0") && workerOf.containsKey("tap2"), placement);
        if (steered) {
            for (int q = 0; q < workers; q++) {
                assertEquals(q, workerOfQueue.get("GigabitEthernet0/8/0 queue " + q),
                        "the GbE's queue " + q + ", steered to worker " + q + "'s port block, on worker " + q + ":\n"
                                + placement);
            }
            int pod1 = PortBlocks.insideOwner(0x0a01_0103, workers);
            int pod2 = PortBlocks.insideOwner(0x0a01_0104, workers);
            assertFalse(pod1 == pod2, "the lab's two pods are owned by the two workers");
            assertEquals(pod1, workerOfQueue.get("tap2 queue 0"), "pod1's port on pod1's owner:\n" + placement);
            assertEquals(pod2, workerOfQueue.get("tap3 queue 0"), "pod2's port on pod2's owner:\n" + placement);
        } else if (workers > 1) {
            assertFalse(workerOf.get("GigabitEthernet0/8/0").equals(workerOf.get("tap2")),
                    "the lab places the GbE and the pod's port on different workers (itests/lab/etc/workers-"
                            + workers + "):\n" + placement);
        }
    }

    /**
     * {@code interface:set-rx-placement} on a busy port: pod2's queue moves to the worker that does not own pod2's flows
     * while pod2 sends, so its packets now reach their owner through the NAT44 handoff and none is lost; moved back, it
     * is on pod2's owner again.
     */
    private void anOperatorMovesAPodsQueueWhileItCarriesTraffic() throws Exception {
        int owner = PortBlocks.insideOwner(0x0a01_0104, workers);
        int other = (owner + 1) % workers;
        SeedLab.Result[] during = new SeedLab.Result[1];
        Thread sender = new Thread(() -> {
            try {
                during[0] = inNamespace.run("pod2", "python3", "-c", "import socket, time; s = socket.socket("
                        + "socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)\nfor i in range(600):\n    "
                        + "s.sendto(b'moving', ('203.0.113.51', 7)); s.recvfrom(100); time.sleep(0.005)");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long handedOffBefore = handoffsReceived();
        sender.start();
        Thread.sleep(300);
        String moved = shell.run("interface:set-rx-placement tap3 0 " + other);
        assertTrue(moved.contains("tap3 queue 0: worker " + other), moved);
        sender.join(60_000);
        assertTrue(during[0] != null && during[0].exit() == 0, "pod2's 600 echoes, each answered, while its queue moved: "
                + (during[0] == null ? "no result" : during[0].all()));
        assertEquals(other, queueWorker("tap3", 0), "tap3's queue on worker " + other + " as the operator said");
        SeedLab.Result after = inNamespace.run("pod2", "python3", "-c", "import socket; s = socket.socket("
                + "socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)\nfor i in range(5):\n    s.sendto(b'moved', "
                + "('203.0.113.51', 7)); s.recvfrom(100)");
        assertEquals(0, after.exit(), after.all());
        assertTrue(handoffsReceived() > handedOffBefore, "pod2's packets, polled off its owner, handed to worker "
                + owner + ":\n" + shell.run("runtime:show --no-format"));
        String back = shell.run("interface:set-rx-placement tap3 0 " + owner);
        assertTrue(back.contains("tap3 queue 0: worker " + owner), back);
        assertEquals(owner, queueWorker("tap3", 0), "tap3's queue back on pod2's owner");
        System.out.printf("%s: tap3's queue moved to worker %d under pod2's echoes (600 answered) and back to %d%n",
                className, other, owner);
    }

    /** The worker interface:rx-placement lists for queue {@code queue} of {@code port}, or -1. */
    private int queueWorker(String port, int queue) throws Exception {
        for (String line : shell.run("interface:rx-placement --no-format").lines().toList()) {
            String[] cells = line.split("\t");
            if (cells.length >= 4 && cells[0].strip().equals(port) && cells[1].strip().equals(Integer.toString(queue))
                    && cells[3].strip().matches("\\d+")) {
                return Integer.parseInt(cells[3].strip());
            }
        }
        return -1;
    }

    private void runtimeShowsEachThreadAndTheirSum() throws Exception {
        String runtime = shell.run("runtime:show --total --no-format");
        if (workers == 1) {
            assertFalse(runtime.lines().anyMatch(line -> THREAD.matcher(line).matches()),
                    "one worker: one table, as before:\n" + runtime);
            assertTrue(runtime.contains("ip4-input"), runtime);
            return;
        }
        System.out.printf("%s: runtime:show --total with %d workers:%n%s", className, workers, runtime);
        List<String> threads = new ArrayList<>();
        Map<String, Map<String, Long>> vectors = new LinkedHashMap<>();
        Map<String, String> inputs = new LinkedHashMap<>();
        Map<String, Long> current = null;
        String section = null;
        for (String line : runtime.lines().toList()) {
            Matcher thread = THREAD.matcher(line);
            if (thread.matches()) {
                section = thread.group(1) + " " + thread.group(2);
                threads.add(section);
                current = vectors.computeIfAbsent(section, s -> new LinkedHashMap<>());
            } else if (line.startsWith(TOTAL)) {
                section = "total";
                current = vectors.computeIfAbsent(section, s -> new LinkedHashMap<>());
            } else if (line.startsWith("inputs: ") && section != null) {
                inputs.put(section, line);
            } else if (line.startsWith("barrier: ")) {
                current = null;
            } else if (current != null) {
                String[] cells = line.split("\t");
                if (cells.length >= 4 && cells[3].strip().matches("\\d+")) {
                    current.put(cells[0].strip(), Long.parseLong(cells[3].strip()));
                }
            }
        }
        List<String> expected = new ArrayList<>();
        for (int t = 0; t < workers; t++) {
            expected.add(t + " " + threadName(t));
        }
        assertEquals(expected, threads, "one section per thread, as VPP's show runtime:\n" + runtime);
        assertTrue(vectors.containsKey("total"), "--total adds the sum:\n" + runtime);
        for (String thread : expected) {
            assertTrue(inputs.get(thread).contains("virtio-input") && inputs.get(thread).contains(gbeInput),
                    "every thread runs the device-input nodes, each polling the queues placed on it:\n" + runtime);
        }
        // ip4-input runs where a port is polled: on both threads (the pods' on sluice_main, the GbE's on
        // sluice_wk_0). What follows the NAT's handoffs runs on pod1's owner only, so ip4-lookup is checked by its
        // total, and the handoffs by what the threads received from each other.
        for (String node : List.of("ip4-input", "ip4-lookup")) {
            long sum = 0;
            for (String thread : threads) {
                long here = vectors.get(thread).getOrDefault(node, 0L);
                if (node.equals("ip4-input")) {
                    assertTrue(here > 0, node + " ran on thread " + thread + " (" + (steered
                            ? "each pod's echoes and answers on its owner, the two pods owned by the two threads"
                            : "pod1's echoes in on one, their answers on the other") + "):\n" + runtime);
                }
                sum += here;
            }
            assertEquals(sum, vectors.get("total").getOrDefault(node, -1L), node + ": the total is the threads' sum:\n"
                    + runtime);
        }
        long handedOver = 0;
        Matcher received = HANDOFF_RECEIVED.matcher(runtime);
        while (received.find()) {
            handedOver += Long.parseLong(received.group(1));
        }
        if (!steered) {
            assertTrue(handedOver > 0, "pod1's flows, polled on two threads, meet on their owner through the NAT44 "
                    + "worker handoffs:\n" + runtime);
        }
        for (int w = 0; w < workers; w++) {
            int worker = w;
            assertTrue(runtime.lines().anyMatch(line -> line.startsWith("rx-mode: worker " + worker + " ")),
                    "worker " + w + "'s rx-mode line:\n" + runtime);
        }
    }

    /**
     * Datagrams from the internet at the pod come in on the GbE, which another worker than the pod's polls with
     * several workers, and are dropped by the pod's egress ACL there: errors:show counts them all, whichever worker
     * counted them.
     */
    private void errorsCountWhatEveryWorkerCounted() throws Exception {
        long before = errorCount.of("acl-plugin-out-ip4-fa", "acl-drop");
        SeedLab.Result flood = inNamespace.run("internet", "python3", "-c", "import socket, time; s = socket.socket("
                + "socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(5):\n    s.sendto(b'x', ('10.1.1.3', 9999)); "
                + "time.sleep(0.01)");
        assertEquals(0, flood.exit(), flood.all());
        long dropped = 0;
        for (int i = 0; i < 100 && dropped < 5; i++) {
            dropped = errorCount.of("acl-plugin-out-ip4-fa", "acl-drop") - before;
            if (dropped < 5) {
                Thread.sleep(200);
            }
        }
        assertTrue(dropped >= 5, "the 5 datagrams at the pod dropped by its egress ACL and counted: " + dropped);
    }

    private void natSessionsAreHeadedByTheirThread() throws Exception {
        String sessions = shell.run("nat44:sessions --detail");
        if (workers == 1) {
            assertTrue(sessions.lines().anyMatch(line -> line.equals("-------- thread 0 sluice_main --------")),
                    "one worker: the listing as before:\n" + sessions);
            return;
        }
        System.out.printf("%s: nat44:sessions with %d workers:%n%s%n", className, workers,
                String.join("\n", sessions.lines().filter(line -> !line.startsWith("       ")).toList()));
        List<Integer> headed = new ArrayList<>();
        long headedSessions = 0;
        for (String line : sessions.lines().toList()) {
            Matcher thread = NAT_THREAD.matcher(line);
            if (thread.matches()) {
                int t = Integer.parseInt(thread.group(1));
                assertEquals(threadName(t), thread.group(2), line);
                headed.add(t);
                headedSessions += Long.parseLong(thread.group(3));
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (int t = 0; t < workers; t++) {
            expected.add(t);
        }
        assertEquals(expected, headed, "a heading per thread, as VPP's show nat44 sessions:\n" + sessions);
        long listed = sessions.lines().filter(line -> line.startsWith("    i2o ")).count();
        assertEquals(listed, headedSessions, "the headings count the sessions listed under them:\n" + sessions);
        assertTrue(sessions.contains("external host 203.0.113.51:7"), "pod1's echo session is listed:\n" + sessions);
    }
}
