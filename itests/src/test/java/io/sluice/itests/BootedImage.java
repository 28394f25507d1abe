package io.sluice.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * The image booted the way an operator boots it, as SshManagementTest does: the tar.gz unpacked under the
 * module's target directory, an admin key in etc/keys.properties, SSH on a free port, {@code bin/karaf server}.
 * For tests written after that one (the older ones keep their own copy of these steps).
 */
final class BootedImage implements AutoCloseable {

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

    record Result(int exitStatus, String output) {
    }

    /** Changes the unpacked image's files before it boots. */
    interface Configure {
        void apply(Path home) throws IOException;
    }

    private final Path home;
    private final int sshPort;
    private final KeyPair adminKey;
    private final SshClient client;
    private final Process karaf;

    private BootedImage(Path home, int sshPort, KeyPair adminKey, SshClient client, Process karaf) {
        this.home = home;
        this.sshPort = sshPort;
        this.adminKey = adminKey;
        this.client = client;
        this.karaf = karaf;
    }

    /** Unpacks into target/{@code name}, applies {@code configure}, boots, and returns once node:list answers. */
    static BootedImage boot(String name, Configure configure) throws Exception {
        Path home = Path.of(System.getProperty("sluice.workdir"), name);
        deleteRecursively(home);
        Files.createDirectories(home);
        Process untar = new ProcessBuilder("tar", "xzf", System.getProperty("sluice.distribution"), "--strip-components=1")
                .directory(home.toFile()).inheritIO().start();
        if (untar.waitFor() != 0) {
            throw new IllegalStateException("tar could not unpack " + System.getProperty("sluice.distribution"));
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
        KeyPair adminKey = generator.generateKeyPair();
        Files.writeString(home.resolve("etc/keys.properties"),
                "admin = " + PublicKeyEntry.toString(adminKey.getPublic()).split(" ")[1] + ",_g_:admingroup\n",
                StandardOpenOption.APPEND);
        int sshPort = freePort();
        Path shellConfig = home.resolve("etc/org.apache.karaf.shell.cfg");
        Files.writeString(shellConfig,
                Files.readString(shellConfig).replaceAll("(?m)^sshPort = .*$", "sshPort = " + sshPort));
        configure.apply(home);

        SshClient client = SshClient.setUpDefaultClient();
        // The box was created a moment ago by this test; its host key cannot be known in advance.
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("console.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        BootedImage image = new BootedImage(home, sshPort, adminKey, client, builder.start());
        try {
            image.waitForWorkingConsole();
        } catch (Exception e) {
            image.close();
            throw e;
        }
        return image;
    }

    Path home() {
        return home;
    }

    /** Runs one console command line as admin over SSH. */
    Result exec(String command) throws IOException {
        try (ClientSession session = client.connect("admin", "127.0.0.1", sshPort)
                .verify(10, TimeUnit.SECONDS).getSession()) {
            session.addPublicKeyIdentity(adminKey);
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

    private void waitForWorkingConsole() throws Exception {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!karaf.isAlive()) {
                throw new IllegalStateException("bin/karaf exited with " + karaf.exitValue() + ", see "
                        + home.resolve("console.log"));
            }
            try {
                Result nodes = exec("node:list --no-format");
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

    /** Stops the JVM bin/karaf started, by its pid, then the script, which ends by itself. */
    @Override
    public void close() throws Exception {
        client.stop();
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

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.exists(path)) {
            try (var paths = Files.walk(path)) {
                for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(each);
                }
            }
        }
    }
}
