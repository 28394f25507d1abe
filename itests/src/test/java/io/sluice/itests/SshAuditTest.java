package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The box's SSH server as an auditor sees it: ssh-audit (Debian package ssh-audit, installed by ./sluice test and
 * CI) against a freshly booted image must report no "fail" finding: no SHA-1 key exchange, MAC or host key
 * algorithm, no weak cipher. Skipped, saying so, when ssh-audit is not installed.
 */
class SshAuditTest {

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

    private static Path box;
    private static Process karaf;
    private static int sshPort;

    @BeforeAll
    static void bootTheImage() throws Exception {
        assumeTrue(onPath("ssh-audit"), "ssh-audit is not installed (apt-get install ssh-audit; ./sluice test installs it"
                + " when run as root): the SSH audit cannot run");
        box = Path.of(System.getProperty("sluice.workdir"), "ssh-audit-box");
        if (Files.exists(box)) {
            try (var paths = Files.walk(box)) {
                for (Path each : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(each);
                }
            }
        }
        Files.createDirectories(box);
        Process untar = new ProcessBuilder("tar", "xzf", System.getProperty("sluice.distribution"), "--strip-components=1")
                .directory(box.toFile()).inheritIO().start();
        assertEquals(0, untar.waitFor(), "tar");
        try (ServerSocket socket = new ServerSocket(0)) {
            sshPort = socket.getLocalPort();
        }
        Path shellConfig = box.resolve("etc/org.apache.karaf.shell.cfg");
        Files.writeString(shellConfig, Files.readString(shellConfig).replaceAll("(?m)^sshPort = .*$", "sshPort = " + sshPort));
        ProcessBuilder builder = new ProcessBuilder(box.resolve("bin/karaf").toString(), "server")
                .directory(box.toFile()).redirectErrorStream(true).redirectOutput(box.resolve("console.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        karaf = builder.start();
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (!sshBannerAnswers()) {
            assertTrue(karaf.isAlive(), "bin/karaf exited; see " + box.resolve("console.log"));
            assertTrue(System.nanoTime() < deadline, "no SSH server within " + BOOT_TIMEOUT);
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopTheImage() throws Exception {
        if (karaf != null) {
            List<ProcessHandle> jvms = karaf.descendants().toList();
            jvms.forEach(ProcessHandle::destroy);
            karaf.destroy();
            for (ProcessHandle jvm : jvms) {
                jvm.onExit().get(30, TimeUnit.SECONDS);
            }
            karaf.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void sshAuditFindsNoFailure() throws Exception {
        Process audit = new ProcessBuilder("ssh-audit", "--no-colors", "--port=" + sshPort, "127.0.0.1")
                .redirectErrorStream(true).start();
        String report = new String(audit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(audit.waitFor(60, TimeUnit.SECONDS), "ssh-audit did not finish");
        System.out.println("ssh-audit against the box's SSH port " + sshPort + ":\n" + report);
        assertTrue(report.contains("(kex)") && report.contains("(enc)"), "ssh-audit did not audit the server:\n" + report);
        List<String> failures = report.lines().filter(line -> line.contains("-- [fail]")).toList();
        assertTrue(failures.isEmpty(), "ssh-audit failures:\n" + String.join("\n", failures));
        for (String sha1 : List.of("diffie-hellman-group14-sha1", "hmac-sha1", "(key) ssh-rsa ", "-cbc")) {
            assertFalse(report.contains(sha1), "offered: " + sha1 + "\n" + report);
        }
    }

    private static boolean sshBannerAnswers() {
        try (Socket socket = new Socket("127.0.0.1", sshPort)) {
            socket.setSoTimeout(2000);
            byte[] banner = new byte[4];
            return socket.getInputStream().readNBytes(banner, 0, 4) == 4 && new String(banner, StandardCharsets.US_ASCII).equals("SSH-");
        } catch (IOException notYet) {
            return false;
        }
    }

    private static boolean onPath(String program) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }
}
