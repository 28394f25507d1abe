package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Debian package, as an operator meets it: built from the image by packaging/deb/build-deb.sh, lintian clean,
 * installed with dpkg on this machine, the box started as its systemd unit starts it (its user, its environment,
 * its capabilities: this machine has no systemd running, so the test reads the unit and does what systemd would),
 * then upgraded to a rebuilt package: the operator's configuration, the SSH host key and the session files stay,
 * and the new version boots. Purged at the end, with the system user it made: the machine is left as it was.
 *
 * <p>Needs root (dpkg, a system user, capabilities). It refuses to run on a machine that already has a sluice
 * package installed rather than replace an operator's box.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageTest {

    private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
    private static final Path UNIT = Path.of("/lib/systemd/system/sluice.service");
    private static final Path ETC = Path.of("/etc/sluice");
    private static final Path STATE = Path.of("/var/lib/sluice");

    private Path work;
    private Path firstPackage;
    private Path rebuiltPackage;
    private Path key;
    private int sshPort;
    private Process box;
    private boolean installed;

    @BeforeAll
    void buildBothPackages() throws Exception {
        assumeTrue(isRoot(), "DebianPackageTest needs root: dpkg -i, a system user and capabilities");
        assumeTrue(run("dpkg-query", "-W", "sluice").exit() != 0,
                "a sluice package is installed on this machine already; this test would replace it");
        work = Path.of(System.getProperty("sluice.workdir", "target")).toAbsolutePath().resolve("debian-package");
        deleteRecursively(work);
        Files.createDirectories(work);
        String image = System.getProperty("sluice.distribution");
        String version = Path.of(image).getFileName().toString().replaceAll("^sluice-|\\.tar\\.gz$", "");
        firstPackage = buildPackage(image, version, work.resolve("first"));
        // The same sources built again under a newer version: what an upgrade installs.
        rebuiltPackage = buildPackage(image, version + "+rebuild1", work.resolve("rebuilt"));
        key = work.resolve("admin");
        Result keygen = run("ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-N", "", "-C", "package-test", "-f", key.toString());
        assertEquals(0, keygen.exit(), keygen.all());
        sshPort = BootedBox.freePort();
    }

    private Path buildPackage(String image, String version, Path out) throws Exception {
        Result build = run(ROOT.resolve("packaging/deb/build-deb.sh").toString(), image, version, out.toString(),
                System.getProperty("java.home"));
        assertEquals(0, build.exit(), build.all());
        return Path.of(build.out().strip());
    }

    @AfterAll
    void leaveTheMachineAsItWas() throws Exception {
        stopBox();
        if (installed) {
            run("dpkg", "--purge", "sluice");
        }
        if (work != null && run("getent", "passwd", "sluice").exit() == 0 && installed) {
            run("deluser", "--system", "--quiet", "sluice");
        }
    }

    @Test
    @Order(1)
    void thePackageIsLintianClean() throws Exception {
        Result lintian = run("lintian", "--fail-on", "error,warning", firstPackage.toString());
        assertEquals(0, lintian.exit(), "lintian on " + firstPackage + ":\n" + lintian.all());
        assertFalse(lintian.out().lines().anyMatch(line -> line.matches("[EW]: .*")), lintian.all());
    }

    @Test
    @Order(2)
    void itInstallsTheDebianLayoutWithItsOwnJavaRuntime() throws Exception {
        Result install = run("dpkg", "-i", firstPackage.toString());
        installed = true;
        assertEquals(0, install.exit(), install.all());
        Result java = run("/usr/lib/sluice/runtime/bin/java", "-version");
        assertTrue(java.all().matches("(?s).*version \"25[.\"].*"), "the package's own runtime is a Java 25: " + java.all());
        String conffiles = run("dpkg-query", "-W", "-f", "${Conffiles}", "sluice").out();
        for (String file : List.of("org.apache.karaf.shell.cfg", "keys.properties", "io.sluice.hardware.cfg")) {
            assertTrue(conffiles.contains("/etc/sluice/" + file + " "), file + " is a conffile:\n" + conffiles);
        }
        assertEquals(0, run("getent", "passwd", "sluice").exit(), "the package made its system user");
        assertEquals("sluice", Files.getOwner(STATE.resolve("data")).getName());
        assertEquals("sluice", Files.getOwner(Path.of("/var/log/sluice")).getName());
        assertTrue(Files.isRegularFile(UNIT), "the systemd unit is installed");
    }

    @Test
    @Order(3)
    void theUnitRunsTheBoxAsItsOwnUserWithOnlyItsCapabilities() throws Exception {
        // The operator's edits: a console key and the SSH port.
        edit("org.apache.karaf.shell.cfg", "(?m)^sshPort *=.*$", "sshPort = " + sshPort);
        Files.writeString(ETC.resolve("keys.properties"), "admin = " + Files.readString(Path.of(key + ".pub")).split(" ")[1]
                + ",_g_:admingroup\n", StandardOpenOption.APPEND);
        long bootMillis = startAsTheUnit();
        long pid = boxJvm().pid();
        List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        String uid = field(status, "Uid");
        assertEquals(run("id", "-u", "sluice").out().strip(), uid.split("\\s+")[0], "the JVM runs as sluice: " + uid);
        // CAP_NET_ADMIN (12), CAP_NET_RAW (13), CAP_IPC_LOCK (14), CAP_SYS_NICE (23), CAP_BPF (39): capability.h.
        long expected = (1L << 12) | (1L << 13) | (1L << 14) | (1L << 23) | (1L << 39);
        assertEquals(expected, Long.parseLong(field(status, "CapEff"), 16), "exactly the unit's capabilities");
        assertTrue(Files.readString(Path.of("/var/log/sluice/karaf.log")).contains("io.sluice"),
                "the log is in /var/log/sluice");
        System.out.printf("DebianPackageTest: the packaged box answered node:list %d ms after launch, VmRSS %s%n",
                bootMillis, field(status, "VmRSS"));
    }

    @Test
    @Order(4)
    void anUpgradeKeepsTheConfigurationTheHostKeyAndTheSessions() throws Exception {
        String hostKeyBefore = Files.readString(ETC.resolve("host.key.pub"));
        stopBox();
        String natBefore = sha256(STATE.resolve("data/nat44/sessions.bin"));
        String aclBefore = sha256(STATE.resolve("data/acl/sessions.bin"));
        String shellCfg = Files.readString(ETC.resolve("org.apache.karaf.shell.cfg"));
        String keys = Files.readString(ETC.resolve("keys.properties"));

        Result upgrade = run("dpkg", "-i", rebuiltPackage.toString());
        assertEquals(0, upgrade.exit(), upgrade.all());
        assertTrue(run("dpkg-query", "-W", "-f", "${Version}", "sluice").out().endsWith("+rebuild1"));
        assertEquals(shellCfg, Files.readString(ETC.resolve("org.apache.karaf.shell.cfg")), "the operator's port stays");
        assertEquals(keys, Files.readString(ETC.resolve("keys.properties")), "the operator's keys stay");
        assertEquals(hostKeyBefore, Files.readString(ETC.resolve("host.key.pub")), "the host key stays");
        assertEquals(natBefore, sha256(STATE.resolve("data/nat44/sessions.bin")), "the NAT44 session file stays");
        assertEquals(aclBefore, sha256(STATE.resolve("data/acl/sessions.bin")), "the ACL session file stays");
        assertFalse(Files.exists(STATE.resolve("data/cache")), "the old version's bundle cache is gone");

        // The same host key: the client that trusted it before the upgrade checks it strictly now.
        long bootMillis = startAsTheUnit();
        System.out.printf("DebianPackageTest: after the upgrade, node:list answered %d ms after launch%n", bootMillis);
        Result sessions = ssh("StrictHostKeyChecking=yes", "nat44:sessions");
        assertEquals(0, sessions.exit(), sessions.all());
    }

    @Test
    @Order(5)
    void aPurgeRemovesWhatThePackageAndTheBoxMade() throws Exception {
        stopBox();
        Result purge = run("dpkg", "--purge", "sluice");
        assertEquals(0, purge.exit(), purge.all());
        installed = false;
        for (String path : List.of("/usr/lib/sluice", "/var/lib/sluice", "/var/log/sluice", "/etc/sluice",
                UNIT.toString())) {
            assertFalse(Files.exists(Path.of(path)), path + " is left after the purge");
        }
        run("deluser", "--system", "--quiet", "sluice");
    }

    // ---- helpers ----

    /** ExecStart of the unit, run as systemd runs it: User=, Environment=, AmbientCapabilities= and its bound. */
    private long startAsTheUnit() throws Exception {
        List<String> unit = Files.readAllLines(UNIT);
        List<String> command = new ArrayList<>(List.of("env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        unit.stream().filter(line -> line.startsWith("Environment=")).map(line -> line.substring(12)).forEach(command::add);
        String caps = String.join(",", unit.stream().filter(line -> line.startsWith("AmbientCapabilities="))
                .findFirst().orElseThrow().substring(20).strip().toLowerCase().replace("cap_", "+").split("\\s+"));
        String user = value(unit, "User");
        command.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + value(unit, "Group"), "--init-groups",
                "--inh-caps=" + caps, "--ambient-caps=" + caps, "--bounding-set=-all," + caps, "--no-new-privs"));
        command.addAll(List.of(value(unit, "ExecStart").split(" ")));
        long launched = System.nanoTime();
        box = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("unit-console.log").toFile()).start();
        long deadline = launched + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertTrue(box.isAlive(), "the unit's ExecStart exited: " + Files.readString(work.resolve("unit-console.log")));
            Result nodes = ssh("StrictHostKeyChecking=accept-new", "node:list --no-format");
            if (nodes.exit() == 0 && nodes.out().contains("error-drop")) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launched);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the packaged box gave no console within 120 s; see /var/log/sluice/karaf.log");
    }

    private ProcessHandle boxJvm() {
        return Optional.of(box.toHandle()).filter(p -> p.info().command().orElse("").endsWith("java"))
                .or(() -> box.descendants().filter(p -> p.info().command().orElse("").endsWith("java")).findFirst())
                .orElseThrow();
    }

    /** SIGTERM to the box's JVM (Karaf stops cleanly and syncs its session files), by its pid. */
    private void stopBox() throws Exception {
        if (box == null) {
            return;
        }
        if (box.isAlive()) {
            box.descendants().forEach(ProcessHandle::destroy);
            box.destroy();
            if (!box.waitFor(40, TimeUnit.SECONDS)) {
                box.descendants().forEach(ProcessHandle::destroyForcibly);
                box.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        box = null;
    }

    private Result ssh(String hostKeyChecking, String command) throws Exception {
        return run("ssh", "-q", "-o", "BatchMode=yes", "-o", hostKeyChecking, "-o",
                "UserKnownHostsFile=" + work.resolve("known_hosts"), "-o", "ConnectTimeout=5", "-i", key.toString(),
                "-p", Integer.toString(sshPort), "admin@127.0.0.1", command);
    }

    private static void edit(String file, String regex, String replacement) throws IOException {
        Path path = ETC.resolve(file);
        String before = Files.readString(path);
        String after = before.replaceAll(regex, Matcher.quoteReplacement(replacement));
        assertFalse(before.equals(after), file + " has no line matching " + regex);
        Files.writeString(path, after);
    }

    private static String value(List<String> unit, String key) {
        return unit.stream().filter(line -> line.startsWith(key + "=")).findFirst().orElseThrow()
                .substring(key.length() + 1).strip();
    }

    private static String field(List<String> status, String name) {
        return status.stream().filter(line -> line.startsWith(name + ":")).findFirst().orElseThrow()
                .substring(name.length() + 1).strip();
    }

    private static String sha256(Path file) throws Exception {
        assertTrue(Files.isRegularFile(file), file + " exists");
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static boolean isRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(line -> line.matches("Uid:\\s+0\\s.*"));
    }

    private record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private static Result run(String... command) throws Exception {
        Path out = Files.createTempFile("sluice-deb", ".out");
        Path err = Files.createTempFile("sluice-deb", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 300 s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
