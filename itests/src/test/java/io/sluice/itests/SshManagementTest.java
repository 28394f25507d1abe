package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Boots the image the way an operator does (bin/karaf from the unpacked tar.gz) and manages it over SSH:
 * key login for admin and viewer, role checks, and the stock karaf/karaf password refused. Prints the boot time
 * to a working console and the resident memory.
 */
class SshManagementTest {

    private static BootedBox box;
    private static KeyPair adminKey;
    private static KeyPair viewerKey;

    @BeforeAll
    static void bootTheImage() throws Exception {
        adminKey = BootedBox.rsaKeyPair();
        viewerKey = BootedBox.rsaKeyPair();
        box = BootedBox.boot("ssh-box", Map.of("admin", adminKey, "viewer", viewerKey));
        long bootMillis = box.millisSinceLaunch();
        Thread.sleep(2000);
        System.out.printf("Sluice boot image: %d ms from launch to a console answering node:list over SSH;"
                + " resident memory %d MB (VmRSS, 2 s later)%n", bootMillis, box.residentMegabytes());
    }

    @AfterAll
    static void stopTheImage() throws Exception {
        BootedBox.stop(box);
    }

    @Test
    void adminRunsBundleListAndSluiceCommand() throws Exception {
        BootedBox.Result bundles = box.exec("admin", adminKey, "bundle:list -t 0");
        assertEquals(0, bundles.exitStatus(), bundles.output());
        assertTrue(bundles.output().contains("Sluice :: graph"), bundles.output());
        BootedBox.Result nodes = box.exec("admin", adminKey, "node:list --no-format");
        assertEquals(0, nodes.exitStatus(), nodes.output());
        assertTrue(nodes.output().contains("error-drop"), nodes.output());
    }

    /**
     * An operator who logs in sees the product and its version, in the banner and in every prompt, and a viewer's
     * interactive console starts as cleanly as the admin's (its set-up script calls nothing a viewer may not run).
     */
    @Test
    void theConsoleBannerAndPromptNameSluiceAndItsVersion() throws Exception {
        String image = Path.of(System.getProperty("sluice.distribution")).getFileName().toString();
        String version = image.substring("sluice-".length(), image.length() - ".tar.gz".length());
        String prompt = "@sluice-" + version + "()> ";
        for (String user : List.of("admin", "viewer")) {
            String text = interactiveLogin(user, user.equals("admin") ? adminKey : viewerKey, prompt);
            assertTrue(text.contains("Sluice " + version + ": vector packet processing on the JVM"), text);
            assertTrue(text.contains(user + prompt), text);
            assertTrue(!text.contains("Apache Karaf (") && !text.contains("@root()"), "Karaf's own branding: " + text);
            assertTrue(!text.contains("Error"), user + "'s console did not start cleanly: " + text);
        }
    }

    /** What a terminal shows from login to {@code logout}, escape sequences removed. */
    private static String interactiveLogin(String user, KeyPair key, String prompt) throws Exception {
        try (ClientSession session = box.login(user, key)) {
            ByteArrayOutputStream screen = new ByteArrayOutputStream();
            try (ChannelShell shell = session.createShellChannel()) {
                shell.setOut(screen);
                shell.setErr(screen);
                shell.open().verify(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!screen.toString(StandardCharsets.UTF_8).contains(prompt) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                shell.getInvertedIn().write("logout\r".getBytes(StandardCharsets.UTF_8));
                shell.getInvertedIn().flush();
                shell.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TimeUnit.SECONDS.toMillis(10));
            }
            return screen.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;?]*[a-zA-Z]", "");
        }
    }

    @Test
    void stockKarafPasswordIsRefused() throws Exception {
        try (ClientSession session = box.client().connect("karaf", "127.0.0.1", box.sshPort())
                .verify(10, TimeUnit.SECONDS).getSession()) {
            session.addPasswordIdentity("karaf");
            assertThrows(SshException.class, () -> session.auth().verify(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void viewerReadsButCannotStopABundle() throws Exception {
        BootedBox.Result nodes = box.exec("viewer", viewerKey, "node:list --no-format");
        assertEquals(0, nodes.exitStatus(), nodes.output());
        assertTrue(nodes.output().contains("error-drop"), nodes.output());

        BootedBox.Result bundles = box.exec("viewer", viewerKey, "bundle:list -t 0");
        assertEquals(0, bundles.exitStatus(), bundles.output());

        BootedBox.Result stop = box.exec("viewer", viewerKey, "bundle:stop io.sluice.sluice-shell");
        assertNotEquals(0, stop.exitStatus(), stop.output());
        // Karaf hides commands the caller's roles may not run.
        assertTrue(stop.output().contains("Command not found"), stop.output());
        BootedBox.Result after = box.exec("admin", adminKey, "bundle:list -t 0 --no-format");
        assertTrue(after.output().lines().anyMatch(line -> line.contains("Sluice :: shell") && line.contains("Active")),
                after.output());
    }
}
