package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The disk image as a machine meets it: packaging/image/boot-test.sh boots it in QEMU (TCG unless
 * SLUICE_QEMU_ACCEL says kvm) with an e1000 at PCI 00:08.0 whose TAP sits in a namespace of this test acting as the
 * internet, and the guest's self-test sends the seed's request from its pod through the box. The e1000 (8086:100e)
 * must have been given to a user-space driver at boot and probed by DPDK's net_e1000_em, and the box must have
 * traced packets entering at dpdk-input on GigabitEthernet0/8/0.
 *
 * <p>The image is not built by the reactor (mmdebstrap needs Debian's archive and root): {@code ./sluice image}
 * makes it in run/image (or where {@code -Dsluice.disk-image=DIR} points). Without it, QEMU or root, the test is
 * skipped and says which is missing. Its namespace (sluice-qemu-inet) and TAP are its own, not the lab's, so it
 * needs no lab lock; it is bounded by SLUICE_QEMU_TIMEOUT (boot-test.sh: 1200 s) and by 30 minutes here. TCG on
 * this 2-core machine under load: 201 s from QEMU's start to the result.
 */
class QemuImageTest {

    private static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
    private static final long BOUND_MINUTES = 30;

    @Test
    void theSeedsRequestRunsThroughTheE1000InQemu() throws Exception {
        Path image = Path.of(System.getProperty("sluice.disk-image", ROOT.resolve("run/image").toString()));
        assumeTrue(Files.isRegularFile(image.resolve("sluice-disk.raw")),
                "no disk image in " + image + ": build it with ./sluice image (root, Debian's archive)");
        assumeTrue(onPath("qemu-system-x86_64") && onPath("qemu-img"),
                "qemu-system-x86_64 or qemu-img missing: apt-get install qemu-system-x86 qemu-utils");
        assumeTrue("root".equals(System.getProperty("user.name")), "the boot test makes a namespace and a TAP: root");

        Path logs = Path.of(System.getProperty("sluice.workdir", "target")).toAbsolutePath().resolve("qemu-image");
        Files.createDirectories(logs);
        Path output = logs.resolve("boot-test.out");
        Process test = new ProcessBuilder(ROOT.resolve("packaging/image/boot-test.sh").toString(), image.toString(),
                logs.toString()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!test.waitFor(BOUND_MINUTES, TimeUnit.MINUTES)) {
            // SIGTERM: the script's trap stops QEMU and removes its namespace.
            test.destroy();
            test.waitFor(60, TimeUnit.SECONDS);
            throw new AssertionError("boot-test.sh did not finish in " + BOUND_MINUTES + " min; see " + output);
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, test.exitValue(), out);
        assertTrue(out.contains("sluice-selftest: PASS"), out);
        // 8086:100e, the e1000 (82540EM), given to a user-space driver at boot, then probed by DPDK's e1000 PMD
        assertTrue(out.contains("0000:00:08.0 (0x8086:0x100e) bound to"), out);
        assertTrue(out.contains("EAL: Probe PCI driver: net_e1000_em (8086:100e) device: 0000:00:08.0"), out);
        assertTrue(out.contains("driver-dpdk: DPDK 22.11"), out);
        assertTrue(out.contains("dpdk-input"), out);
        assertTrue(out.contains("GigabitEthernet0/8/0 rx"), out);
        Process namespaces = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String left = new String(namespaces.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        namespaces.waitFor(30, TimeUnit.SECONDS);
        assertFalse(left.contains("sluice-qemu-inet"), "the boot test left its namespace behind");
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
