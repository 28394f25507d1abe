package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * One boot image unpacked and booted the way an operator does it ({@code bin/karaf server} from the tar.gz), for
 * the tests that manage it from outside over SSH. Each test class gets its own box in its own folder under
 * {@code sluice.workdir}, on a free port, so test classes never share state or a port with another box.
 *
 * <p>Order of use: {@link #unpack}, then the changes to etc/ the test needs ({@link #addKey}, {@link #etc}), then
 * {@link #start} and one of the waits, then {@link #close} in an {@code @AfterAll}.
 */
final class BootedBox implements AutoCloseable {

    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

    private final Path home;
    private final int sshPort;
    private SshClient client;
    private Process karaf;
    private long launchedAt;

    /** What one command line printed (stdout and stderr together) and its exit status (-1 when none came). */
    record Result(int exitStatus, String output) {
    }

    private BootedBox(Path home, int sshPort) {
        this.home = home;
        this.sshPort = sshPort;
    }

    /** A fresh unpack of the image in {@code sluice.workdir/<folder>} (what was there is deleted), SSH on a free port. */
    static BootedBox unpack(String folder) throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("sluice.workdir"), folder);
        deleteRecursively(home);
        Files.createDirectories(home);
        Process untar = new ProcessBuilder("tar", "xzf", System.getProperty("sluice.distribution"), "--strip-components=1")
                .directory(home.toFile()).inheritIO().start();
        assertEquals(0, untar.waitFor(), "tar xzf " + System.getProperty("sluice.distribution"));
        BootedBox box = new BootedBox(home, freePort());
        box.setShellProperty("sshPort", Integer.toString(box.sshPort));
        return box;
    }

    /**
     * The common case: a fresh unpack in {@code folder} that lets each user in with its key, in the group named
     * after it ({@code admin} in admingroup, ...), booted until the admin's console answers. Needs an "admin" key.
     */
    static BootedBox boot(String folder, Map<String, KeyPair> keysByUser) throws Exception {
        return boot(folder, keysByUser, Map.of());
    }

    /**
     * As {@link #boot(String, Map)}, with {@code etcFiles} (file name in etc/ to its whole content) written before
     * the boot, replacing what the image has there: a configuration the box boots with. If the console does not
     * come up, the launched JVM is stopped before the failure is thrown.
     */
    static BootedBox boot(String folder, Map<String, KeyPair> keysByUser, Map<String, String> etcFiles) throws Exception {
        BootedBox box = unpack(folder);
        keysByUser.forEach((user, key) -> {
            try {
                box.addKey(user, key, user + "group");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        for (var file : etcFiles.entrySet()) {
            Files.writeString(box.etc(file.getKey()), file.getValue());
        }
        box.start();
        try {
            box.awaitWorkingConsole("admin", keysByUser.get("admin"));
        } catch (Exception e) {
            box.close();
            throw e;
        }
        return box;
    }

    Path home() {
        return home;
    }

    Path etc(String file) {
        return home.resolve("etc").resolve(file);
    }

    int sshPort() {
        return sshPort;
    }

    /** Replaces the value of one key of etc/org.apache.karaf.shell.cfg (the key must be there already). */
    void setShellProperty(String key, String value) throws IOException {
        Path shellConfig = etc("org.apache.karaf.shell.cfg");
        String before = Files.readString(shellConfig);
        String after = before.replaceAll("(?m)^" + key + " = .*$", key + " = " + value);
        if (after.equals(before) && !before.contains(key + " = " + value)) {
            throw new IllegalArgumentException(shellConfig + " has no line '" + key + " = ...' to replace");
        }
        Files.writeString(shellConfig, after);
    }

    /** Lets {@code user} in with {@code key}, in {@code group} (admingroup, managergroup, viewergroup). */
    void addKey(String user, KeyPair key, String group) throws IOException {
        Files.writeString(etc("keys.properties"), user + " = " + publicKeyBlob(key) + ",_g_:" + group + "\n",
                StandardOpenOption.APPEND);
    }

    /** Launches {@code bin/karaf server} on the test's JDK, its console output in console.log; does not wait. */
    void start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("console.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        launchedAt = System.nanoTime();
        karaf = builder.start();
    }

    /** Milliseconds since {@link #start}. */
    long millisSinceLaunch() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchedAt);
    }

    /**
     * Waits until {@code user} logged in with {@code key} runs {@code node:list} and it lists error-drop: the
     * console, the realm and Sluice's commands are all up.
     */
    void awaitWorkingConsole(String user, KeyPair key) throws Exception {
        awaitUntil("a console answering node:list", () -> {
            try {
                Result nodes = exec(user, key, "node:list --no-format");
                return nodes.exitStatus() == 0 && nodes.output().contains("error-drop");
            } catch (IOException notYet) {
                // The SSH server is not listening yet, or the realm is not up: try again.
                return false;
            }
        });
    }

    /** Waits until the SSH port answers with an SSH identification line (no login needed). */
    void awaitSshBanner() throws Exception {
        awaitUntil("an SSH server", this::sshBannerAnswers);
    }

    private interface Probe {
        boolean ready() throws Exception;
    }

    private void awaitUntil(String what, Probe probe) throws Exception {
        long deadline = launchedAt + BOOT_TIMEOUT.toNanos();
        while (!probe.ready()) {
            if (!karaf.isAlive()) {
                throw new IllegalStateException("bin/karaf exited with " + karaf.exitValue() + ", see " + home.resolve("console.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + BOOT_TIMEOUT + ", see " + home.resolve("console.log"));
            }
            Thread.sleep(100);
        }
    }

    private boolean sshBannerAnswers() {
        try (Socket socket = new Socket("127.0.0.1", sshPort)) {
            socket.setSoTimeout(2000);
            byte[] banner = socket.getInputStream().readNBytes(4);
            return new String(banner, StandardCharsets.US_ASCII).equals("SSH-");
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The SSH client the box's tests share; it accepts the box's host key, which was generated a moment ago. */
    synchronized SshClient client() {
        if (client == null) {
            client = SshClient.setUpDefaultClient();
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
        }
        return client;
    }

    /** An authenticated session from 127.0.0.1; the caller closes it. */
    ClientSession login(String user, KeyPair key) throws IOException {
        return login(user, key, "127.0.0.1");
    }

    /** A session not yet authenticated, from the loopback address {@code from} (any of 127/8); the caller closes it. */
    ClientSession connect(String user, String from) throws IOException {
        return client().connect(user, new InetSocketAddress("127.0.0.1", sshPort), new InetSocketAddress(from, 0))
                .verify(10, TimeUnit.SECONDS).getSession();
    }

    /** An authenticated session from the loopback address {@code from}; the caller closes it. */
    ClientSession login(String user, KeyPair key, String from) throws IOException {
        ClientSession session = connect(user, from);
        try {
            session.addPublicKeyIdentity(key);
            session.auth().verify(10, TimeUnit.SECONDS);
            return session;
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    /**
     * One command line over its own SSH connection, as an operator's {@code ssh box 'cmd'} (Karaf closes the
     * connection when an exec channel's command ends, so a session cannot carry two).
     */
    Result exec(String user, KeyPair key, String command) throws IOException {
        try (ClientSession session = login(user, key); ChannelExec channel = session.createExecChannel(command)) {
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            channel.setOut(output);
            channel.setErr(output);
            channel.open().verify(10, TimeUnit.SECONDS);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TimeUnit.SECONDS.toMillis(30));
            Integer status = channel.getExitStatus();
            return new Result(status == null ? -1 : status, output.toString(StandardCharsets.UTF_8));
        }
    }

    /** The first line of data/log/security.log matching {@code test} within {@code timeout}, if any. */
    Optional<String> awaitSecurityLogLine(Predicate<String> test, Duration timeout) throws Exception {
        Path securityLog = home.resolve("data/log/security.log");
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (Files.exists(securityLog)) {
                Optional<String> line = Files.readAllLines(securityLog).stream().filter(test).findFirst();
                if (line.isPresent()) {
                    return line;
                }
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    /** Resident memory of the box's JVM (VmRSS), in MB. */
    long residentMegabytes() throws IOException {
        Optional<ProcessHandle> jvm = karaf.descendants().filter(p -> p.info().command().orElse("").endsWith("java")).findFirst();
        long pid = jvm.map(ProcessHandle::pid).orElse(karaf.pid());
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    /** Stops the client and exactly the JVM this box launched, by its pid. */
    @Override
    public void close() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (karaf != null) {
            // bin/karaf runs java as a child: stop that JVM by its pid, then the script ends by itself.
            List<ProcessHandle> jvms = karaf.descendants().toList();
            jvms.forEach(ProcessHandle::destroy);
            karaf.destroy();
            for (ProcessHandle jvm : jvms) {
                jvm.onExit().get(30, TimeUnit.SECONDS);
            }
            karaf.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** For an {@code @AfterAll}: closes the box if {@code @BeforeAll} got as far as unpacking it. */
    static void stop(BootedBox box) throws Exception {
        if (box != null) {
            box.close();
        }
    }

    static KeyPair rsaKeyPair() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
        return generator.generateKeyPair();
    }

    /** keys.properties holds the base64 middle field of an OpenSSH public key line. */
    private static String publicKeyBlob(KeyPair key) {
        return PublicKeyEntry.toString(key.getPublic()).split(" ")[1];
    }

    /** A TCP port nothing listens on at the moment, for the box's SSH or another of its servers. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(0));
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

    /** Where {@code program} is on the PATH, if it is: the tests that drive a Debian tool look for it so. */
    static java.util.Optional<Path> onPath(String program) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(directory, program);
            if (Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }
}
