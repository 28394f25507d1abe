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
 * and the new version boots. On the seed lab's namespaces (itests/lab/lab.sh, the AF_PACKET GbE), a TCP connection
 * from the pod through the packaged box keeps carrying data across the upgrade, its NAT44 translation restored from
 * /var/lib/sluice; an upgrade to a package with a damaged bundle is rolled back by the unit's trial to the version
 * before it, on the same connection. Purged at the end, with the system user it made, the lab's namespaces and the
 * unit drop-in it wrote: the machine is left as it was.
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
    private static final Path PREVIOUS = Path.of("/var/lib/sluice-previous");
    private static final Path LAB = ROOT.resolve("itests/lab");
    /** The lab's drop-in: what the pods' namespaces need beyond the package's unit (see {@link #labUp()}). */
    private static final Path DROP_IN = Path.of("/etc/systemd/system/sluice.service.d/lab-pods.conf");
    private static final Path UPGRADE_LOG = Path.of("/var/log/sluice/upgrade.log");

    private Path work;
    private Path firstPackage;
    private Path rebuiltPackage;
    private Path brokenPackage;
    private Path labRun;
    private boolean labUp;
    private Process client;
    private java.io.PrintWriter toClient;
    private java.io.BufferedReader fromClient;
    private String connected;
    private String translation;
    private final List<Path> labConfigs = new ArrayList<>();
    private Path key;
    private int sshPort;
    private Process box;
    private boolean installed;
    private boolean madeUser;
    /** /dev/net/tun's mode, owner and group before the test (the unit's ExecStartPre may give the box's group rw). */
    private String tunBefore;

    @BeforeAll
    void buildBothPackages() throws Exception {
        assumeTrue(isRoot(), "DebianPackageTest needs root: dpkg -i, a system user and capabilities");
        assumeTrue(run("dpkg-query", "-W", "sluice").exit() != 0,
                "a sluice package is installed on this machine already; this test would replace it");
        tunBefore = tunMode();
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
        labRun = work.resolve("lab");
    }

    private Path buildPackage(String image, String version, Path out) throws Exception {
        Result build = run(ROOT.resolve("packaging/deb/build-deb.sh").toString(), image, version, out.toString(),
                System.getProperty("java.home"));
        assertEquals(0, build.exit(), build.all());
        return Path.of(build.out().strip());
    }

    @AfterAll
    void leaveTheMachineAsItWas() throws Exception {
        stopClient();
        stopBox();
        if (labUp) {
            run("bash", LAB.resolve("lab.sh").toString(), "down", labRun.toString());
        }
        Files.deleteIfExists(DROP_IN);
        if (Files.isDirectory(DROP_IN.getParent())) {
            try (var left = Files.list(DROP_IN.getParent())) {
                if (left.findAny().isEmpty()) {
                    Files.delete(DROP_IN.getParent());
                }
            }
        }
        if (installed) {
            for (Path config : labConfigs) {
                Files.deleteIfExists(config);
            }
            run("dpkg", "--purge", "sluice");
        }
        if (madeUser && run("getent", "passwd", "sluice").exit() == 0) {
            run("deluser", "--system", "--quiet", "sluice");
        }
        if (tunBefore != null && !tunBefore.equals(tunMode())) {
            String[] before = tunBefore.split(":");
            run("chown", before[1] + ":" + before[2], "/dev/net/tun");
            run("chmod", before[0], "/dev/net/tun");
        }
    }

    /** /dev/net/tun's mode (octal), owner and group, as stat prints them; empty without the node. */
    private static String tunMode() throws Exception {
        return Files.exists(Path.of("/dev/net/tun")) ? run("stat", "-c", "%a:%U:%G", "/dev/net/tun").out().strip() : "";
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
        madeUser = true;
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
        edit("io.sluice.telemetry.cfg", "(?m)^port *=.*$", "port = " + BootedBox.freePort());
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
    void aTcpConnectionThroughThePackagedBoxAndTheConfigurationSurviveAnUpgrade() throws Exception {
        stopBox();
        labUp();
        startAsTheUnit();
        waitForLab();
        openConnectionFromThePod();
        String hostKeyBefore = Files.readString(ETC.resolve("host.key.pub"));

        // What prerm does on an upgrade: the box stops (SIGTERM; Karaf syncs the session files as it stops).
        stopBox();
        long stopped = System.nanoTime();
        // Sent while the box is away: the pod's TCP retransmits it until the box forwards again.
        toClient.println("during-upgrade");
        String natBefore = sha256(STATE.resolve("data/nat44/sessions.bin"));
        String aclBefore = sha256(STATE.resolve("data/acl/sessions.bin"));
        String shellCfg = Files.readString(ETC.resolve("org.apache.karaf.shell.cfg"));
        String keys = Files.readString(ETC.resolve("keys.properties"));
        String hardware = Files.readString(ETC.resolve("io.sluice.hardware.cfg"));

        Result upgrade = run("dpkg", "-i", rebuiltPackage.toString());
        assertEquals(0, upgrade.exit(), upgrade.all());
        assertTrue(run("dpkg-query", "-W", "-f", "${Version}", "sluice").out().endsWith("+rebuild1"));
        assertEquals(shellCfg, Files.readString(ETC.resolve("org.apache.karaf.shell.cfg")), "the operator's port stays");
        assertEquals(keys, Files.readString(ETC.resolve("keys.properties")), "the operator's keys stay");
        assertEquals(hardware, Files.readString(ETC.resolve("io.sluice.hardware.cfg")), "the operator's profile stays");
        assertEquals(hostKeyBefore, Files.readString(ETC.resolve("host.key.pub")), "the host key stays");
        assertEquals(natBefore, sha256(STATE.resolve("data/nat44/sessions.bin")), "the NAT44 session file stays");
        assertEquals(aclBefore, sha256(STATE.resolve("data/acl/sessions.bin")), "the ACL session file stays");
        assertFalse(Files.exists(STATE.resolve("data/cache")), "the old version's bundle cache is gone");
        assertTrue(Files.isExecutable(PREVIOUS.resolve("bin/karaf")), "preinst kept the previous image");
        assertTrue(Files.isRegularFile(STATE.resolve("upgrade/trial/pending")), "postinst made the next start a trial");

        // The same host key: the client that trusted it before the upgrade checks it strictly now.
        long bootMillis = startAsTheUnit();
        waitForLab();
        assertEquals("during-upgrade", fromClient.readLine(), "what the pod sent while the box was away arrives");
        long gapMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        toClient.println("after-upgrade");
        assertEquals("after-upgrade", fromClient.readLine(), "the connection carries data after the upgrade");
        assertEquals(translation, natSessionOf(connected), "the same translation, restored from /var/lib/sluice");
        System.out.printf("DebianPackageTest: after the upgrade, node:list answered %d ms after launch; the pod's TCP "
                + "connection was without the box for %d ms (stop, dpkg -i, boot, retransmission)%n", bootMillis, gapMillis);
        Result sessions = ssh("StrictHostKeyChecking=yes", "nat44:sessions");
        assertEquals(0, sessions.exit(), sessions.all());
        waitForLog("healthy after", 60);
        assertFalse(Files.exists(STATE.resolve("upgrade/trial/pending")), "the trial ended");
        assertTrue(boxJvmCommand().contains("-Dkaraf.home=/usr/lib/sluice "), "the new version runs: " + boxJvmCommand());
    }

    @Test
    @Order(5)
    void anUpgradeThatDoesNotComeUpIsRolledBackToThePreviousVersion() throws Exception {
        brokenPackage = buildBrokenPackage();
        String shellCfg = Files.readString(ETC.resolve("org.apache.karaf.shell.cfg"));
        stopBox();
        Result upgrade = run("dpkg", "-i", brokenPackage.toString());
        assertEquals(0, upgrade.exit(), upgrade.all());
        assertTrue(run("dpkg-query", "-W", "-f", "${Version}", "sluice").out().endsWith("+broken"));
        assertTrue(Files.readString(PREVIOUS.resolve(".version")).strip().endsWith("+rebuild1"),
                "the kept image is the version before");

        launchAsTheUnit();
        // The trial's bound (the lab's drop-in: 90 s) and a stop of at most 30 s, then the previous version boots.
        waitForLog("rolled back to", 180);
        String log = Files.readString(UPGRADE_LOG);
        assertTrue(log.contains("+broken failed: "), "the upgrade log says why:\n" + log);
        waitForConsole(System.nanoTime() + TimeUnit.SECONDS.toNanos(120));
        waitForLab();
        assertTrue(boxJvmCommand().contains("-Dkaraf.home=" + PREVIOUS + " "),
                "the previous version runs: " + boxJvmCommand());
        toClient.println("after-rollback");
        assertEquals("after-rollback", fromClient.readLine(), "the same connection carries data after the rollback");
        assertEquals(translation, natSessionOf(connected), "the same translation after the rollback");
        assertEquals(shellCfg, Files.readString(ETC.resolve("org.apache.karaf.shell.cfg")), "the configuration stays");
        assertTrue(Files.isRegularFile(STATE.resolve("upgrade/trial/rolled-back")), "a restart stays on the previous one");
        System.out.printf("DebianPackageTest: the damaged upgrade, in upgrade.log:%n%s%n", log.strip());
    }

    @Test
    @Order(6)
    void aPurgeRemovesWhatThePackageAndTheBoxMade() throws Exception {
        stopClient();
        stopBox();
        if (labUp) {
            Result down = run("bash", LAB.resolve("lab.sh").toString(), "down", labRun.toString());
            assertEquals(0, down.exit(), down.all());
            labUp = false;
        }
        // The operator's own files in /etc/sluice are theirs to remove (dpkg --purge removes the package's).
        for (Path config : labConfigs) {
            Files.deleteIfExists(config);
        }
        Result purge = run("dpkg", "--purge", "sluice");
        assertEquals(0, purge.exit(), purge.all());
        installed = false;
        for (String path : List.of("/usr/lib/sluice", "/var/lib/sluice", PREVIOUS.toString(), "/var/log/sluice", "/etc/sluice",
                UNIT.toString())) {
            assertFalse(Files.exists(Path.of(path)), path + " is left after the purge");
        }
        assertEquals(tunBefore, tunMode(), "postrm gave /dev/net/tun back as it was before the package");
        run("deluser", "--system", "--quiet", "sluice");
        String namespaces = run("ip", "netns", "list").out();
        for (String ns : List.of("pod1", "pod2", "internet", "internet-far")) {
            assertFalse(namespaces.lines().anyMatch(line -> line.split(" ")[0].equals(ns)), ns + " left: " + namespaces);
        }
    }

    // ---- the lab ----

    /**
     * The seed lab's namespaces and servers (lab.sh), and its configuration added to /etc/sluice as an operator adds
     * files: the AF_PACKET GbE on sl-gbe0, tap2 and tap3 into pod1 and pod2, ACLs, NAT44. The TAP driver sets the
     * pods' addresses and routes with {@code ip -n}, which enters the pod's namespace (setns(2) needs
     * CAP_SYS_ADMIN): the lab's drop-in adds that capability for the pods, and a short trial bound.
     */
    private void labUp() throws Exception {
        // Debian's python3 (with scapy), as ./sluice's lab runs it, not a version manager's shim earlier on the PATH.
        Result up = run("env", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "bash", LAB.resolve("lab.sh").toString(), "up",
                labRun.toString());
        labUp = true;
        assertEquals(0, up.exit(), up.all());
        List<Path> configs = new ArrayList<>();
        try (var common = Files.list(LAB.resolve("etc/common")); var gbe = Files.list(LAB.resolve("etc/gbe-afpacket"))) {
            common.forEach(configs::add);
            gbe.forEach(configs::add);
        }
        for (Path config : configs) {
            Path target = ETC.resolve(config.getFileName());
            if (!Files.exists(target)) {
                labConfigs.add(target);
            }
            Files.copy(config, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals(0, run("chown", "sluice:sluice", target.toString()).exit());
        }
        Files.createDirectories(DROP_IN.getParent());
        Files.writeString(DROP_IN, """
                [Service]
                AmbientCapabilities=CAP_SYS_ADMIN
                CapabilityBoundingSet=CAP_SYS_ADMIN
                Environment=SLUICE_TRIAL_SECONDS=90
                """);
    }

    /** Both pods have their addresses and every port carries its ACL and NAT44 features (./sluice's lab_wait_for_pod). */
    private void waitForLab() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            boolean pods = run("ip", "-n", "pod1", "-4", "addr", "show", "dev", "eth0").out().contains("10.1.1.3")
                    && run("ip", "-n", "pod2", "-4", "addr", "show", "dev", "eth0").out().contains("10.1.1.4");
            if (pods && featuresOn("GigabitEthernet0/8/0", "acl-plugin-in-ip4-fa", "acl-plugin-out-ip4-fa",
                    "nat44-in2out-output") && featuresOn("tap2", "acl-plugin-in-ip4-fa", "nat44-out2in",
                    "acl-plugin-out-ip4-fa")) {
                // The router's ARP request makes the box learn 192.168.16.100, as ./sluice lab up does.
                run("ip", "netns", "exec", "internet", "ping", "-c", "1", "-W", "2", "192.168.16.1");
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the lab's ports did not come up on the packaged box; its interfaces:\n"
                + ssh("StrictHostKeyChecking=yes", "interface:list").all() + "\nkaraf.log's warnings and errors:\n"
                + logProblems());
    }

    /**
     * The last warnings and errors of the box's karaf.log, for a failure's message: the purge at the end removes
     * /var/log/sluice, so a message that only names the file leaves nothing to read.
     */
    private static String logProblems() throws IOException {
        Path log = Path.of("/var/log/sluice/karaf.log");
        if (!Files.exists(log)) {
            return "(no " + log + ")";
        }
        List<String> problems = Files.readAllLines(log).stream()
                .filter(line -> line.contains("| WARN ") || line.contains("| ERROR ") || line.startsWith("\t")
                        || line.contains("Exception"))
                .toList();
        return String.join("\n", problems.subList(Math.max(0, problems.size() - 60), problems.size()));
    }

    private boolean featuresOn(String port, String... features) throws Exception {
        Result listed = ssh("StrictHostKeyChecking=yes", "interface:features " + port);
        if (listed.exit() != 0) {
            return false;
        }
        for (String feature : features) {
            if (!listed.out().contains("  " + feature + "\n")) {
                return false;
            }
        }
        return true;
    }

    /** A connection from pod1 to the internet's TCP echo server, which stays open through what the tests do. */
    private void openConnectionFromThePod() throws Exception {
        client = new ProcessBuilder("ip", "netns", "exec", "pod1", "/usr/bin/python3",
                LAB.resolve("echo-client.py").toString(), "203.0.113.51", "7", "300")
                .redirectError(work.resolve("echo-client.err").toFile()).start();
        toClient = new java.io.PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8);
        fromClient = new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream(),
                StandardCharsets.UTF_8));
        connected = fromClient.readLine();
        assertTrue(connected != null && connected.startsWith("connected from 10.1.1.3:"),
                connected + " " + Files.readString(work.resolve("echo-client.err")));
        toClient.println("before");
        assertEquals("before", fromClient.readLine());
        translation = natSessionOf(connected);
    }

    private void stopClient() throws Exception {
        if (client != null) {
            client.destroy();
            if (!client.waitFor(10, TimeUnit.SECONDS)) {
                client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            client = null;
        }
    }

    /** The outside endpoint NAT44 gave the connection whose inside end is in {@code connected}. */
    private String natSessionOf(String connected) throws Exception {
        String port = connected.substring(connected.lastIndexOf(':') + 1).strip();
        Result sessions = ssh("StrictHostKeyChecking=yes", "nat44:sessions --detail");
        List<String> lines = sessions.out().lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).strip().equals("i2o 10.1.1.3 proto tcp port " + port + " fib 0")) {
                return lines.get(i + 1).strip();
            }
        }
        throw new AssertionError("no NAT session for 10.1.1.3:" + port + " in:\n" + sessions.all());
    }

    /** The same image with a damaged bundle (the graph's jar cut short, as a bad download or disk leaves it). */
    private Path buildBrokenPackage() throws Exception {
        Path unpacked = work.resolve("broken-image");
        Files.createDirectories(unpacked);
        String image = System.getProperty("sluice.distribution");
        assertEquals(0, run("tar", "xzf", image, "-C", unpacked.toString()).exit());
        Path top;
        try (var dirs = Files.list(unpacked)) {
            top = dirs.findFirst().orElseThrow();
        }
        Path jar;
        try (var jars = Files.walk(top.resolve("system/io/sluice/sluice-graph"))) {
            jar = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        byte[] whole = Files.readAllBytes(jar);
        Files.write(jar, java.util.Arrays.copyOf(whole, whole.length / 3));
        Path tarball = work.resolve(top.getFileName() + ".tar.gz");
        assertEquals(0, run("tar", "czf", tarball.toString(), "-C", unpacked.toString(), top.getFileName().toString())
                .exit());
        String version = Path.of(image).getFileName().toString().replaceAll("^sluice-|\\.tar\\.gz$", "");
        Path deb = buildPackage(tarball.toString(), version + "+broken", work.resolve("broken"));
        deleteRecursively(unpacked);
        return deb;
    }

    private void waitForLog(String words, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(UPGRADE_LOG) && Files.readString(UPGRADE_LOG).contains(words)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no '" + words + "' in " + UPGRADE_LOG + " within " + seconds + " s:\n"
                + (Files.exists(UPGRADE_LOG) ? Files.readString(UPGRADE_LOG) : "(no log)")
                + "\nconsole:\n" + Files.readString(work.resolve("unit-console.log")));
    }

    // ---- helpers ----

    /** The unit started as systemd starts it, then the wait for its console: milliseconds from launch to console. */
    private long startAsTheUnit() throws Exception {
        long launched = launchAsTheUnit();
        waitForConsole(launched + TimeUnit.SECONDS.toNanos(120));
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launched);
    }

    /**
     * ExecStart of the unit, run as systemd runs it: User=, Environment=, AmbientCapabilities= and its bound, with the
     * drop-ins in /etc/systemd/system/sluice.service.d/ read after the unit (a later User= or ExecStart= replaces,
     * Environment= and capabilities add up, as systemd.unit(5) merges them). Returns the launch time (nanoTime).
     */
    private long launchAsTheUnit() throws Exception {
        List<String> unit = new ArrayList<>(Files.readAllLines(UNIT));
        if (Files.isDirectory(DROP_IN.getParent())) {
            try (var dropIns = Files.list(DROP_IN.getParent())) {
                for (Path dropIn : dropIns.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
                    unit.addAll(Files.readAllLines(dropIn));
                }
            }
        }
        List<String> environment = new ArrayList<>(List.of("env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        unit.stream().filter(line -> line.startsWith("Environment=")).map(line -> line.substring(12)).forEach(environment::add);
        // ExecStartPre= "+": with full privileges, as root (systemd.service(5)); each must succeed before ExecStart.
        for (String pre : unit.stream().filter(line -> line.startsWith("ExecStartPre=")).map(line -> line.substring(13))
                .toList()) {
            assertTrue(pre.startsWith("+"), "the test runs only a privileged ExecStartPre: " + pre);
            List<String> preCommand = new ArrayList<>(environment);
            preCommand.addAll(List.of(pre.substring(1).split(" ")));
            Result ran = run(preCommand.toArray(String[]::new));
            assertEquals(0, ran.exit(), "ExecStartPre=" + pre + ":\n" + ran.all());
        }
        List<String> command = new ArrayList<>(environment);
        String caps = String.join(",", unit.stream().filter(line -> line.startsWith("AmbientCapabilities="))
                .flatMap(line -> List.of(line.substring(20).strip().toLowerCase().replace("cap_", "+").split("\\s+"))
                        .stream()).distinct().toList());
        String user = value(unit, "User");
        command.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + value(unit, "Group"), "--init-groups",
                "--inh-caps=" + caps, "--ambient-caps=" + caps, "--bounding-set=-all," + caps, "--no-new-privs"));
        command.addAll(List.of(value(unit, "ExecStart").split(" ")));
        long launched = System.nanoTime();
        box = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("unit-console.log").toFile()).start();
        return launched;
    }

    private void waitForConsole(long deadline) throws Exception {
        while (System.nanoTime() < deadline) {
            assertTrue(box.isAlive(), "the unit's ExecStart exited: " + Files.readString(work.resolve("unit-console.log")));
            Result nodes = ssh("StrictHostKeyChecking=accept-new", "node:list --no-format");
            if (nodes.exit() == 0 && nodes.out().contains("error-drop")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the packaged box gave no console in time; its console:\n"
                + Files.readString(work.resolve("unit-console.log")) + "\nkaraf.log's warnings and errors:\n"
                + logProblems());
    }

    /** The box's JVM's command line (the unit's main process, or its child while sluice-service holds a trial). */
    private String boxJvmCommand() throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(boxJvm().pid()), "cmdline")).replace('\0', ' ');
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

    /** The last assignment of {@code key}: a drop-in's replaces the unit's. */
    private static String value(List<String> unit, String key) {
        return unit.stream().filter(line -> line.startsWith(key + "=")).reduce((first, second) -> second).orElseThrow()
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
