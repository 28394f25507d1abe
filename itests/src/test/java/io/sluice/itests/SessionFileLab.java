package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The session files' faults on the seed lab's booted box ({@link SeedLab} runs them, once per GbE driver):
 * <ul>
 *   <li>a NAT44 file with a corrupt header and an ACL file cut short, found at a restart: both are moved aside
 *   with a log line saying why, and the pod reaches the internet through fresh tables;</li>
 *   <li>a NAT44 session file on a 1 MB tmpfs that cannot hold it: NAT44 starts in refusal, nothing leaves with the
 *   pod's private source (a capture on the internet side), the drops are counted as
 *   nat44-in2out-output/no-configuration, and the log names the file and the bytes; with the file back where it
 *   was and the bundle restarted, the pod is translated again.</li>
 * </ul>
 * Waits have deadlines of tens of seconds; the assertions are on counters, captures and log lines.
 */
final class SessionFileLab {
    private static final String SERVER = "203.0.113.51";

    interface Box {
        SeedLab.Result sluice(String... args) throws Exception;
    }

    interface Shell {
        String run(String command) throws Exception;
    }

    interface Namespace {
        SeedLab.Result run(String namespace, String... command) throws Exception;
    }

    interface Counter {
        long read(String node, String counter) throws Exception;
    }

    /** Starts one of traffic.py's modes in a namespace, once it is ready. */
    interface Traffic {
        Process start(String namespace, String... arguments) throws Exception;
    }

    /** Ends a traffic process and returns the count line it prints as it stops. */
    interface Stop {
        String stop(Process process) throws Exception;
    }

    interface Ready {
        void await() throws Exception;
    }

    private final Path root;
    private final Path run;
    private final Box box;
    private final Shell shell;
    private final Namespace namespace;
    private final Counter errors;
    private final Traffic traffic;
    private final Stop stopTraffic;
    private final Ready labReady;

    SessionFileLab(Path root, Path run, Box box, Shell shell, Namespace namespace, Counter errors, Traffic traffic,
                   Stop stopTraffic, Ready labReady) {
        this.root = root;
        this.run = run;
        this.box = box;
        this.shell = shell;
        this.namespace = namespace;
        this.errors = errors;
        this.traffic = traffic;
        this.stopTraffic = stopTraffic;
        this.labReady = labReady;
    }

    void damagedFilesAreMovedAsideAndAFileTheDiskCannotBackFailsClosed() throws Exception {
        damagedFilesFoundAtARestartAreMovedAsideAndThePodIsTranslated();
        aNatFileTheDiskCannotBackFailsClosedAndComesBack();
    }

    private void damagedFilesFoundAtARestartAreMovedAsideAndThePodIsTranslated() throws Exception {
        Path data = run.resolve("box/data");
        Path nat = data.resolve("nat44/sessions.bin");
        Path acl = data.resolve("acl/sessions.bin");
        assertEquals(0, box.sluice("stop").exit());
        long logBefore = Files.size(data.resolve("log/karaf.log"));
        try (FileChannel channel = FileChannel.open(nat, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {0x5a}), 35); // inside the header's checksum
        }
        try (FileChannel channel = FileChannel.open(acl, StandardOpenOption.WRITE)) {
            channel.truncate(4096);
        }
        SeedLab.Result start = box.sluice("start");
        assertEquals(0, start.exit(), start.all());
        labReady.await();
        curlIsTranslated("after the damaged session files were replaced");
        String log = logSince(data.resolve("log/karaf.log"), logBefore);
        assertTrue(log.contains(nat + ": header checksum mismatch (damaged header); moved aside to " + nat + ".moved-"),
                "the log says why the NAT44 file was moved aside:\n" + tail(log));
        assertTrue(log.contains(acl + ": truncated or extended: 4096 bytes"), "and the ACL's:\n" + tail(log));
        assertEquals(1, movedAside(nat).size());
        assertEquals(1, movedAside(acl).size());
        for (Path aside : Stream.concat(movedAside(nat).stream(), movedAside(acl).stream()).toList()) {
            Files.delete(aside);
        }
        System.out.println("SessionFileLab: a corrupt NAT44 header and a truncated ACL file were moved aside at the"
                + " restart; the pod is translated through fresh tables");
    }

    private void aNatFileTheDiskCannotBackFailsClosedAndComesBack() throws Exception {
        Path config = run.resolve("box/etc/io.sluice.nat44.cfg");
        String good = Files.readString(config);
        Path mount = Files.createDirectories(run.resolve("small-disk"));
        Path logFile = run.resolve("box/data/log/karaf.log");
        assertTrue(exec("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()), "tmpfs mounted");
        try {
            long logBefore = Files.size(logFile);
            Path tooSmall = mount.resolve("sessions.bin");
            Files.writeString(config, good.replaceAll("(?m)^session-file\\s*=.*$", "session-file = " + tooSmall));
            // The running component says when the new file is in ConfigAdmin; only then does a restart read it.
            waitFor(() -> logSince(logFile, logBefore).contains("session-file take effect when the component restarts"),
                    "the new session-file in ConfigAdmin");
            shell.run("bundle:restart io.sluice.sluice-nat44");
            waitFor(() -> logSince(logFile, logBefore).contains("session-file cannot be used: " + tooSmall),
                    "the refusal in karaf.log");
            waitForNode("nat44-in2out-output");
            long refusedBefore = errors.read("nat44-in2out-output", "no-configuration");
            Process capture = traffic.start("internet", "sniff", "eth0", "10.1.1.0/24", "60");
            SeedLab.Result sent = namespace.run("pod1", "python3", root.resolve("itests/lab/traffic.py").toString(),
                    "flood", SERVER, "7", "500", "4");
            assertEquals(0, sent.exit(), sent.all());
            String leaked = stopTraffic.stop(capture);
            assertTrue(leaked.matches("matched 0 of \\d+ dropped 0 control 1"),
                    "with no session file, frames left with the pod's private source: " + leaked);
            long refused = errors.read("nat44-in2out-output", "no-configuration") - refusedBefore;
            assertTrue(refused > 0, "the refused packets are counted");
            String log = logSince(logFile, logBefore);
            assertTrue(log.contains(tooSmall + ": max-sessions ") && log.contains(" bytes free; free "),
                    "the log names the file and the bytes:\n" + tail(log));
            assertTrue(Files.notExists(tooSmall), "no half-made file on the small disk");
            System.out.printf("SessionFileLab: a session file its disk cannot hold: NAT44 refuses, %d packets dropped as"
                    + " no-configuration, none left untranslated (%s)%n", refused, leaked);
        } finally {
            long restoredAt = Files.size(logFile);
            Files.writeString(config, good);
            waitFor(() -> logSince(logFile, restoredAt).contains("NAT44 still refuses to forward"),
                    "the restored session-file in ConfigAdmin");
            shell.run("bundle:restart io.sluice.sluice-nat44");
            waitForNode("nat44-in2out-output");
            assertTrue(exec("umount", mount.toString()), "tmpfs unmounted");
        }
        curlIsTranslated("with the session file back and the bundle restarted");
    }

    private void curlIsTranslated(String when) throws Exception {
        SeedLab.Result curl = null;
        for (int i = 0; i < 150; i++) {
            curl = namespace.run("pod1", "curl", "-sS", "-m", "2", "http://" + SERVER + "/");
            if (curl.exit() == 0 && curl.out().contains("you are 192.168.16.1 ")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("pod1 does not reach the internet translated " + when + ": " + curl.all());
    }

    private void waitForNode(String node) throws Exception {
        waitFor(() -> {
            SeedLab.Result nodes = box.sluice("shell", "node:list --no-format");
            return nodes.exit() == 0 && nodes.out().lines()
                    .anyMatch(line -> line.startsWith(node + " ") && line.contains("active"));
        }, node + " active");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition, String what) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (condition.holds()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + what + " within 30 s");
    }

    private static String logSince(Path log, long offset) throws Exception {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(offset, all.length);
        return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static List<Path> movedAside(Path file) throws Exception {
        try (Stream<Path> files = Files.list(file.getParent())) {
            return files.filter(f -> f.getFileName().toString().startsWith(file.getFileName() + ".moved-")).toList();
        }
    }

    private static boolean exec(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
