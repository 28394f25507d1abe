package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 19's live view and listings on SeedLab's booted box: {@code monitor:interface} in a real terminal (the
 * console over {@code ssh -tt} in a tmux pane, read back with {@code capture-pane}) while pod1 pings the server,
 * {@code interface:hardware} naming the drivers, {@code ip:ping} from the box getting replies. SeedLab runs it
 * (its namespaces, its box, its console port); tmux runs on a socket of its own and is killed at the end.
 */
final class LiveConsoleLab {

    /** A console command through {@code ./sluice shell}, its output (exit status 0 asserted by the caller). */
    interface Shell {
        String run(String command) throws Exception;
    }

    private static final String TMUX_SOCKET = "sluice-live-lab";
    private static final String SESSION = "live";
    /** The console's prompt ends with "()> " (etc/shell.init.script: user@application(subshell)> ). */
    private static final Pattern PROMPT = Pattern.compile("\\(\\)> ?$", Pattern.MULTILINE);
    private static final Pattern REFRESH = Pattern.compile("monitor interface: refresh (\\d+)/3");

    private final Path run;
    private final String sshPort;
    private final Shell shell;

    LiveConsoleLab(Path run, String sshPort, Shell shell) {
        this.run = run;
        this.sshPort = sshPort;
        this.shell = shell;
    }

    /**
     * While pod1 pings at 100 per second, each screen of {@code monitor:interface --interval 1 --count 3 tap2}
     * shows tap2 with a non-zero rx rate and a total that grew since the screen before: the figures change.
     */
    void theLiveMonitorShowsChangingRatesInATerminal() throws Exception {
        Process traffic = new ProcessBuilder("ip", "netns", "exec", "pod1", "ping", "-q", "-i", "0.01", "-w", "60",
                "203.0.113.51").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            newSession("-d", "-s", SESSION, "-x", "160", "-y", "40", "env TERM=xterm-256color ssh -tt -q"
                    + " -o LogLevel=QUIET -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="
                    + run.resolve("known_hosts") + " -o ConnectTimeout=5 -i " + run.resolve("keys/admin") + " -p "
                    + sshPort + " admin@127.0.0.1");
            awaitScreen(screen -> PROMPT.matcher(screen).find(), "the console's prompt");
            tmux("send-keys", "-t", SESSION, "monitor:interface --interval 1 --count 3 --no-format tap2", "Enter");
            Map<Integer, String> rowsByRefresh = new LinkedHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String screen = "";
            while (System.nanoTime() < deadline && !rowsByRefresh.containsKey(3)) {
                screen = capture();
                Matcher refresh = REFRESH.matcher(screen);
                String row = screen.lines().filter(line -> line.startsWith("tap2 ")).reduce((a, b) -> b).orElse(null);
                if (refresh.find() && row != null) {
                    rowsByRefresh.putIfAbsent(Integer.parseInt(refresh.group(1)), row.strip());
                }
                Thread.sleep(100);
            }
            assertTrue(rowsByRefresh.containsKey(3), "the third refresh never showed:\n" + screen);
            List<Long> totals = new ArrayList<>();
            for (String row : rowsByRefresh.values()) {
                String[] cells = row.split("\\s+");
                assertEquals(8, cells.length, "tap2's row: " + row);
                assertTrue(!cells[1].equals("0"), "tap2 receives pod1's pings, rx pps must not be 0: " + row);
                totals.add(Long.parseLong(cells[6]));
            }
            System.out.println("LiveConsoleLab: monitor:interface tap2 under pod1's pings, row by refresh: " + rowsByRefresh);
            assertTrue(totals.size() >= 2 && totals.getLast() > totals.getFirst(),
                    "the screens' rx totals must grow from refresh to refresh: " + rowsByRefresh);
            awaitScreen(s -> PROMPT.matcher(s).find() && s.lastIndexOf("()>") > s.lastIndexOf("refresh 3/3"),
                    "the prompt back after --count 3");
            tmux("send-keys", "-t", SESSION, "logout", "Enter");
        } finally {
            traffic.destroy();
            traffic.waitFor(10, TimeUnit.SECONDS);
            new ProcessBuilder("tmux", "-L", TMUX_SOCKET, "kill-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * While pod1 pings, the third screen of {@code runtime:top --interval 1 --count 3} shows the nodes per thread as
     * {@code runtime:show} numbers them: with several workers a {@code Thread 1 sluice_wk_0} section (the GbE's input
     * runs there in the lab's two-worker configuration) with a node that was called in the interval; with one worker
     * the one table, pod1's virtio-input among its rows.
     */
    void runtimeTopShowsThePerThreadFiguresInATerminal() throws Exception {
        Process traffic = new ProcessBuilder("ip", "netns", "exec", "pod1", "ping", "-q", "-i", "0.01", "-w", "60",
                "203.0.113.51").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            openConsole();
            tmux("send-keys", "-t", SESSION, "runtime:top --interval 1 --count 3 --no-format", "Enter");
            awaitScreen(s -> s.contains("runtime top: refresh 3/3") && s.lastIndexOf("()>") > s.lastIndexOf("refresh 3/3"),
                    "runtime:top's third refresh and the prompt back");
            String screen = capture();
            List<String> lines = screen.substring(screen.lastIndexOf("runtime top: refresh 3/3")).lines().toList();
            System.out.println("LiveConsoleLab: runtime:top under pod1's pings, the third screen:\n" + String.join("\n", lines));
            Matcher workers = Pattern.compile("(\\d+) workers?[ ,]").matcher(lines.get(1));
            assertTrue(workers.find(), "runtime:top's second line says how many workers: " + lines.get(1));
            List<String> section = lines.subList(2, lines.size());
            if (Integer.parseInt(workers.group(1)) > 1) {
                int thread1 = -1;
                for (int i = 0; i < section.size() && thread1 < 0; i++) {
                    thread1 = section.get(i).startsWith("Thread 1 sluice_wk_0 ") ? i : -1;
                }
                assertTrue(thread1 >= 0, "no Thread 1 section:\n" + screen);
                section = section.subList(thread1 + 1, section.size()).stream().takeWhile(line -> !line.isBlank())
                        .toList();
            }
            assertTrue(section.stream().map(line -> line.strip().split("\\s+")).anyMatch(cells -> cells.length == 7
                    && cells[3].matches("[1-9]\\d*")), "a node called in the interval (Calls > 0):\n" + screen);
            if (Integer.parseInt(workers.group(1)) == 1) {
                assertTrue(section.stream().anyMatch(line -> line.startsWith("virtio-input ")), screen);
            }
            tmux("send-keys", "-t", SESSION, "logout", "Enter");
        } finally {
            traffic.destroy();
            traffic.waitFor(10, TimeUnit.SECONDS);
            new ProcessBuilder("tmux", "-L", TMUX_SOCKET, "kill-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The console over {@code ssh -tt} in a new tmux session, at its prompt. */
    private void openConsole() throws Exception {
        newSession("-d", "-s", SESSION, "-x", "160", "-y", "50", "env TERM=xterm-256color ssh -tt -q"
                + " -o LogLevel=QUIET -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="
                + run.resolve("known_hosts") + " -o ConnectTimeout=5 -i " + run.resolve("keys/admin") + " -p "
                + sshPort + " admin@127.0.0.1");
        awaitScreen(screen -> PROMPT.matcher(screen).find(), "the console's prompt");
    }

    /** interface:hardware lists the pod's TAP and the GbE, each with its driver. */
    void theHardwareListingNamesTheDrivers(String gbeDriver) throws Exception {
        String hardware = shell.run("interface:hardware --no-format");
        System.out.println("LiveConsoleLab: interface:hardware --no-format:\n" + hardware);
        assertTrue(hardware.lines().anyMatch(line -> cells(line).size() > 2 && cells(line).get(0).equals("tap2")
                && cells(line).get(2).equals("tap")), hardware);
        assertTrue(hardware.lines().anyMatch(line -> cells(line).size() > 2
                && cells(line).get(0).equals("GigabitEthernet0/8/0") && cells(line).get(2).equals(gbeDriver)), hardware);
    }

    /** ip:ping from the box: the requests leave through the GbE, the server's replies come back to ip4-local. */
    void aPingFromTheBoxGetsReplies() throws Exception {
        String ping = shell.run("ip:ping --count 3 --interval 0.2 203.0.113.51");
        Matcher statistics = Pattern.compile("Statistics: 3 sent, (\\d) received").matcher(ping);
        System.out.println("LiveConsoleLab: ip:ping from the box:\n" + ping);
        assertTrue(statistics.find(), ping);
        assertTrue(Integer.parseInt(statistics.group(1)) > 0, "no reply to the box's ping:\n" + ping);
        assertTrue(ping.contains("bytes from 203.0.113.51: icmp_seq="), ping);
    }

    private static List<String> cells(String line) {
        return List.of(line.split("\t")).stream().map(String::strip).toList();
    }

    private interface ScreenCondition {
        boolean holds(String screen);
    }

    private void awaitScreen(ScreenCondition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = capture();
            if (condition.holds(screen)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("waited 60 s for " + what + "; the pane shows:\n" + screen);
    }

    private String capture() throws Exception {
        return tmux("capture-pane", "-p", "-t", SESSION);
    }

    /**
     * {@code tmux new-session} on the lab's socket. A server stopped by {@code kill-server} a moment before may still
     * be there and take the connection as it exits ("server exited unexpectedly"): then start a new one again.
     */
    private static void newSession(String... arguments) throws Exception {
        String[] command = new String[arguments.length + 1];
        command[0] = "new-session";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        for (int attempt = 1; ; attempt++) {
            try {
                tmux(command);
                return;
            } catch (AssertionError e) {
                if (attempt == 10 || !String.valueOf(e.getMessage()).contains("server exited unexpectedly")) {
                    throw e;
                }
                Thread.sleep(300);
            }
        }
    }

    private static String tmux(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", TMUX_SOCKET));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(command + ": " + out);
        }
        return out;
    }
}
