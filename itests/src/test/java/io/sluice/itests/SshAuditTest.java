package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
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

    private static BootedBox box;

    @BeforeAll
    static void bootTheImage() throws Exception {
        assumeTrue(BootedBox.onPath("ssh-audit").isPresent(), "ssh-audit is not installed (apt-get install ssh-audit; ./sluice test installs it"
                + " when run as root): the SSH audit cannot run");
        box = BootedBox.unpack("ssh-audit-box");
        box.start();
        box.awaitSshBanner();
    }

    @AfterAll
    static void stopTheImage() throws Exception {
        BootedBox.stop(box);
    }

    @Test
    void sshAuditFindsNoFailure() throws Exception {
        Process audit = new ProcessBuilder("ssh-audit", "--no-colors", "--port=" + box.sshPort(), "127.0.0.1")
                .redirectErrorStream(true).start();
        String report = new String(audit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(audit.waitFor(60, TimeUnit.SECONDS), "ssh-audit did not finish");
        System.out.println("ssh-audit against the box's SSH port " + box.sshPort() + ":\n" + report);
        assertTrue(report.contains("(kex)") && report.contains("(enc)"), "ssh-audit did not audit the server:\n" + report);
        List<String> failures = report.lines().filter(line -> line.contains("-- [fail]")).toList();
        assertTrue(failures.isEmpty(), "ssh-audit failures:\n" + String.join("\n", failures));
        for (String sha1 : List.of("diffie-hellman-group14-sha1", "hmac-sha1", "(key) ssh-rsa ", "-cbc")) {
            assertFalse(report.contains(sha1), "offered: " + sha1 + "\n" + report);
        }
    }
}
