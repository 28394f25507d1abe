package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Attacks on the firewall's state, sent with scapy (itests/lab/attacks.py) from the internet namespace at the seed
 * lab's booted box ({@link SeedLab} runs them, once per GbE driver), each with the counter that shows it:
 * <ul>
 *   <li>blind RSTs at a live pod1 connection (its 4-tuple, random sequence numbers): nat44-out2in drops them as
 *   tcp-out-of-window, the NAT session stays established, and the connection carries data afterwards;</li>
 *   <li>a flood of distinct UDP 5-tuples at the GbE: the shipped GbE input policy keeps no state for them, so the
 *   ACL's sessions do not grow by the flood and pod1 still opens new connections.</li>
 * </ul>
 * Neither leaks a buffer: {@code buffers:show} comes back to its baseline. Waits have deadlines of tens of seconds
 * and the assertions are on counters, never on timing.
 */
final class FirewallStateLab {
    private static final String SERVER = "203.0.113.51";
    private static final String NODE_IP = "192.168.16.1";
    private static final int ECHO_PORT = 7;
    private static final int RSTS = 200;
    private static final int FLOOD = 5000;
    private static final Pattern ADDED = Pattern.compile("Sessions total: add (\\d+) - del");

    interface Shell {
        String run(String command) throws Exception;
    }

    interface Namespace {
        SeedLab.Result run(String namespace, String... command) throws Exception;
    }

    interface Counter {
        long read(String node, String counter) throws Exception;
    }

    private final Path root;
    private final Path run;
    private final Shell shell;
    private final Namespace namespace;
    private final Counter errors;

    FirewallStateLab(Path root, Path run, Shell shell, Namespace namespace, Counter errors) {
        this.root = root;
        this.run = run;
        this.shell = shell;
        this.namespace = namespace;
        this.errors = errors;
    }

    /** Both attacks, one after the other, then the buffers back to where they were. */
    void attacksOnTheStateLeaveThePodsFlowsAlone() throws Exception {
        String python = scapyPython();
        assumeTrue(python != null, "scapy (Debian python3-scapy) is not installed: ./sluice test installs it");
        long buffersBefore = buffersInUse();
        blindRstsAtALiveConnectionAreDroppedAndItSurvives(python);
        aFloodOfFlowsAtTheGbeCreatesNoSessionAndThePodStillConnects(python);
        long buffers = buffersInUse();
        for (int i = 0; i < 150 && buffers > buffersBefore; i++) {
            Thread.sleep(200);
            buffers = buffersInUse();
        }
        assertEquals(buffersBefore, buffers, "buffers:show back to its baseline after the attacks");
    }

    private void blindRstsAtALiveConnectionAreDroppedAndItSurvives(String python) throws Exception {
        Process client = new ProcessBuilder("ip", "netns", "exec", "pod1", "python3",
                root.resolve("itests/lab/echo-client.py").toString(), SERVER, String.valueOf(ECHO_PORT))
                .redirectError(run.resolve("firewall-echo-client.err").toFile()).start();
        try (var toClient = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8);
             var fromClient = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            String connected = fromClient.readLine();
            assertTrue(connected != null && connected.startsWith("connected from 10.1.1.3:"), String.valueOf(connected));
            toClient.println("before");
            assertEquals("before", fromClient.readLine());
            String podPort = connected.substring(connected.lastIndexOf(':') + 1).strip();
            int outsidePort = outsidePortOf(podPort);
            long outOfWindowBefore = errors.read("nat44-out2in", "tcp-out-of-window");

            Path output = Files.createTempFile(run, "attack-rst", ".out");
            Process storm = new ProcessBuilder("ip", "netns", "exec", "internet", python,
                    root.resolve("itests/lab/attacks.py").toString(), "rst-storm", SERVER, String.valueOf(ECHO_PORT),
                    NODE_IP, String.valueOf(outsidePort), String.valueOf(RSTS), "60")
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                waitForOutput(output, "ready", 60);
                // One echo for the attacker to learn nothing but the 4-tuple from (it sends at 2^30 and more away).
                toClient.println("trigger");
                assertEquals("trigger", fromClient.readLine());
                assertTrue(storm.waitFor(120, TimeUnit.SECONDS), "the RST storm did not end");
                String sent = Files.readString(output).strip();
                assertTrue(sent.lines().anyMatch(line -> line.equals("sent " + RSTS)), "attacks.py rst-storm: " + sent);
            } finally {
                storm.destroy();
                storm.waitFor(10, TimeUnit.SECONDS);
            }
            long dropped = waitForCounter("nat44-out2in", "tcp-out-of-window", outOfWindowBefore + RSTS / 2);
            System.out.printf("FirewallStateLab: %d blind RSTs at the pod's connection, %d dropped as tcp-out-of-window%n",
                    RSTS, dropped - outOfWindowBefore);
            assertTrue(dropped - outOfWindowBefore <= RSTS, "only the storm's RSTs are counted");
            assertTrue(natStateOf(podPort).contains(" tcp established"),
                    "the NAT session stays established: " + natStateOf(podPort));
            toClient.println("after-rsts");
            assertEquals("after-rsts", fromClient.readLine(), "the connection carries data after the RSTs");
        } finally {
            client.destroy();
            client.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private void aFloodOfFlowsAtTheGbeCreatesNoSessionAndThePodStillConnects(String python) throws Exception {
        long addedBefore = aclSessionsAdded();
        long quotaBefore = errors.read("acl-plugin-in-ip4-fa", "session-quota-exceeded");
        SeedLab.Result flood = namespace.run("internet", python, root.resolve("itests/lab/attacks.py").toString(),
                "udp-flood", NODE_IP, "10.1.1.3", String.valueOf(FLOOD));
        assertEquals(0, flood.exit(), flood.all());
        assertTrue(flood.out().lines().anyMatch(line -> line.equals("sent " + FLOOD)), flood.all());
        long grown = aclSessionsAdded() - addedBefore;
        System.out.printf("FirewallStateLab: %d distinct UDP flows at the GbE, ACL sessions added meanwhile: %d%n",
                FLOOD, grown);
        assertTrue(grown < 10, "the flood created no ACL session (" + grown + " added while it ran)");
        assertEquals(quotaBefore, errors.read("acl-plugin-in-ip4-fa", "session-quota-exceeded"),
                "no quota was even approached");
        for (int i = 0; i < 3; i++) {
            SeedLab.Result curl = namespace.run("pod1", "curl", "-sS", "-m", "10", "http://" + SERVER + "/");
            assertEquals(0, curl.exit(), "pod1 opens a new connection after the flood: " + curl.all());
            assertTrue(curl.out().contains("you are " + NODE_IP + " "), curl.out());
        }
    }

    /** A python3 that imports scapy: Debian's, when the one on PATH (a pyenv, say) has no scapy. */
    private static String scapyPython() throws Exception {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process probe = new ProcessBuilder(candidate, "-c", "import scapy.all").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    return candidate;
                }
                probe.destroyForcibly();
            } catch (java.io.IOException absent) {
                // not installed there: try the next
            }
        }
        return null;
    }

    private int outsidePortOf(String podPort) throws Exception {
        List<String> lines = shell.run("nat44:sessions --detail").lines().toList();
        Pattern outside = Pattern.compile("o2i " + Pattern.quote(NODE_IP) + " proto tcp port (\\d+) fib 0");
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).strip().equals("i2o 10.1.1.3 proto tcp port " + podPort + " fib 0")) {
                Matcher m = outside.matcher(lines.get(i + 1).strip());
                assertTrue(m.matches(), lines.get(i + 1));
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no NAT session for 10.1.1.3:" + podPort + " in:\n" + String.join("\n", lines));
    }

    private String natStateOf(String podPort) throws Exception {
        List<String> lines = shell.run("nat44:sessions --detail").lines().toList();
        for (int i = 0; i + 2 < lines.size(); i++) {
            if (lines.get(i).strip().equals("i2o 10.1.1.3 proto tcp port " + podPort + " fib 0")) {
                return lines.get(i + 2).strip();
            }
        }
        throw new AssertionError("no NAT session for 10.1.1.3:" + podPort);
    }

    private long aclSessionsAdded() throws Exception {
        String out = shell.run("acl:sessions");
        Matcher m = ADDED.matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    /** Buffers in use, summed over the workers ({@code buffers:show}'s "In use" column). */
    private long buffersInUse() throws Exception {
        long total = 0;
        for (String line : shell.run("buffers:show --no-format").lines().toList()) {
            String[] cells = line.strip().split("\\s+");
            if (cells.length >= 4 && cells[0].matches("\\d+") && cells[3].matches("\\d+")) {
                total += Long.parseLong(cells[3]);
            }
        }
        return total;
    }

    private long waitForCounter(String node, String counter, long atLeast) throws Exception {
        long value = errors.read(node, counter);
        for (int i = 0; i < 150 && value < atLeast; i++) {
            Thread.sleep(200);
            value = errors.read(node, counter);
        }
        assertTrue(value >= atLeast, "/err/" + node + "/" + counter + " is " + value + ", expected at least " + atLeast);
        return value;
    }

    private static void waitForOutput(Path output, String prefix, int seconds) throws Exception {
        for (int i = 0; i < seconds * 10 && !hasLine(output, prefix); i++) {
            Thread.sleep(100);
        }
        assertTrue(hasLine(output, prefix), "attacks.py: " + Files.readString(output));
    }

    private static boolean hasLine(Path output, String line) throws Exception {
        return Files.readString(output).lines().anyMatch(line::equals);
    }
}
