package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Boots the image the way an operator does (bin/karaf from the unpacked tar.gz) and manages it over SSH:
 * key login for admin and viewer, role checks, and the stock karaf/karaf password refused. Prints the boot time
 * to a working console and the resident memory.
 */
class SshManagementTest {

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

    private static Path box;
    private static Process karaf;
    private static int sshPort;
    private static KeyPair adminKey;
    private static KeyPair viewerKey;
    private static SshClient client;

    @BeforeAll
    static void bootTheImage() throws Exception {
        Path work = Path.of(System.getProperty("sluice.workdir"), "ssh-box");
        deleteRecursively(work);
        Files.createDirectories(work);
        run(work, "tar", "xzf", System.getProperty("sluice.distribution"), "--strip-components=1");
        box = work;
        adminKey = rsaKeyPair();
        viewerKey = rsaKeyPair();
        Files.writeString(box.resolve("etc/keys.properties"),
                "admin = " + publicKeyBlob(adminKey) + ",_g_:admingroup\n"
                        + "viewer = " + publicKeyBlob(viewerKey) + ",_g_:viewergroup\n",
                StandardOpenOption.APPEND);
        sshPort = freePort();
        Path shellConfig = box.resolve("etc/org.apache.karaf.shell.cfg");
        Files.writeString(shellConfig,
                Files.readString(shellConfig).replaceAll("(?m)^sshPort = .*$", "sshPort = " + sshPort));

        client = SshClient.setUpDefaultClient();
        // The box was created a moment ago by this test; its host key cannot be known in advance.
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();

        ProcessBuilder builder = new ProcessBuilder(box.resolve("bin/karaf").toString(), "server")
                .directory(box.toFile())
                .redirectErrorStream(true)
                .redirectOutput(box.resolve("console.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long start = System.nanoTime();
        karaf = builder.start();
        waitForWorkingConsole();
        long bootMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Thread.sleep(2000);
        System.out.printf("Sluice boot image: %d ms from launch to a console answering node:list over SSH;"
                + " resident memory %d MB (VmRSS, 2 s later)%n", bootMillis, residentMegabytes());
    }

    @AfterAll
    static void stopTheImage() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (karaf != null) {
            // bin/karaf runs java as a child: stop that JVM by its pid, then the script ends by itself.
            List<ProcessHandle> jvms = karaf.descendants().toList();
            for (ProcessHandle jvm : jvms) {
                jvm.destroy();
            }
            karaf.destroy();
            for (ProcessHandle jvm : jvms) {
                jvm.onExit().get(30, TimeUnit.SECONDS);
            }
            karaf.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void adminRunsBundleListAndSluiceCommand() throws Exception {
        Result bundles = exec("admin", adminKey, "bundle:list -t 0");
        assertEquals(0, bundles.exitStatus(), bundles.output());
        assertTrue(bundles.output().contains("Sluice :: graph"), bundles.output());
        Result nodes = exec("admin", adminKey, "node:list --no-format");
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
        try (ClientSession session = client.connect(user, "127.0.0.1", sshPort)
                .verify(10, TimeUnit.SECONDS).getSession()) {
            session.addPublicKeyIdentity(key);
            session.auth().verify(10, TimeUnit.SECONDS);
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
        try (ClientSession session = client.connect("karaf", "127.0.0.1", sshPort)
                .verify(10, TimeUnit.SECONDS).getSession()) {
            session.addPasswordIdentity("karaf");
            assertThrows(SshException.class, () -> session.auth().verify(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void viewerReadsButCannotStopABundle() throws Exception {
        Result nodes = exec("viewer", viewerKey, "node:list --no-format");
        assertEquals(0, nodes.exitStatus(), nodes.output());
        assertTrue(nodes.output().contains("error-drop"), nodes.output());

        Result bundles = exec("viewer", viewerKey, "bundle:list -t 0");
        assertEquals(0, bundles.exitStatus(), bundles.output());

        Result stop = exec("viewer", viewerKey, "bundle:stop io.sluice.sluice-shell");
        assertNotEquals(0, stop.exitStatus(), stop.output());
        // Karaf hides commands the caller's roles may not run.
        assertTrue(stop.output().contains("Command not found"), stop.output());
        Result after = exec("admin", adminKey, "bundle:list -t 0 --no-format");
        assertTrue(after.output().lines().anyMatch(line -> line.contains("Sluice :: shell") && line.contains("Active")),
                after.output());
    }

    private record Result(int exitStatus, String output) {
    }

    private static Result exec(String user, KeyPair key, String command) throws IOException {
        try (ClientSession session = client.connect(user, "127.0.0.1", sshPort)
                .verify(10, TimeUnit.SECONDS).getSession()) {
            session.addPublicKeyIdentity(key);
            session.auth().verify(10, TimeUnit.SECONDS);
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            try (ChannelExec channel = session.createExecChannel(command)) {
                channel.setOut(output);
                channel.setErr(output);
                channel.open().verify(10, TimeUnit.SECONDS);
                channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TimeUnit.SECONDS.toMillis(30));
                Integer status = channel.getExitStatus();
                return new Result(status == null ? -1 : status, output.toString(StandardCharsets.UTF_8));
            }
        }
    }

    private static void waitForWorkingConsole() throws Exception {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!karaf.isAlive()) {
                throw new IllegalStateException("bin/karaf exited with " + karaf.exitValue() + ", see " + box.resolve("console.log"));
            }
            try {
                Result nodes = exec("admin", adminKey, "node:list --no-format");
                if (nodes.exitStatus() == 0 && nodes.output().contains("error-drop")) {
                    return;
                }
            } catch (IOException notYet) {
                // The SSH server is not listening yet, or the realm is not up: try again.
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no working console within " + BOOT_TIMEOUT);
    }

    private static long residentMegabytes() throws IOException {
        Optional<ProcessHandle> jvm = karaf.descendants().filter(p -> p.info().command().orElse("").endsWith("java")).findFirst();
        long pid = jvm.map(ProcessHandle::pid).orElse(karaf.pid());
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    private static KeyPair rsaKeyPair() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
        return generator.generateKeyPair();
    }

    /** keys.properties holds the base64 middle field of an OpenSSH public key line. */
    private static String publicKeyBlob(KeyPair key) {
        return PublicKeyEntry.toString(key.getPublic()).split(" ")[1];
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).inheritIO().start();
        assertEquals(0, process.waitFor(), String.join(" ", command));
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.exists(path)) {
            try (var paths = Files.walk(path)) {
                for (Path each : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(each);
                }
            }
        }
    }
}
