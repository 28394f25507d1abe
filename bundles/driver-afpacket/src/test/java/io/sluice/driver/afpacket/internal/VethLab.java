package io.sluice.driver.afpacket.internal;

import io.sluice.nativeio.testing.NamespaceLab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The driver's tests' veth pair: {@code hostEnd} in the test's namespace, {@code podEnd} in namespace
 * {@code namespace}, both up, IPv6 off on both (no chatter: the counters and rings see only what a test sends).
 */
final class VethLab {

    private VethLab() {
    }

    /** Creates the pair, removing a pair a failed run left first. */
    static void create(String namespace, String hostEnd, String podEnd) throws IOException {
        remove(namespace, hostEnd);
        NamespaceLab.run("ip", "netns", "add", namespace);
        NamespaceLab.run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", podEnd, "netns", namespace);
        Files.writeString(Path.of("/proc/sys/net/ipv6/conf/" + hostEnd + "/disable_ipv6"), "1");
        NamespaceLab.run("ip", "netns", "exec", namespace, "sysctl", "-q", "-w",
                "net.ipv6.conf." + podEnd + ".disable_ipv6=1");
        NamespaceLab.run("ip", "link", "set", hostEnd, "up");
        NamespaceLab.run("ip", "-n", namespace, "link", "set", podEnd, "up");
    }

    /** Removes the pair and the namespace, whatever is left of them. */
    static void remove(String namespace, String hostEnd) {
        if (NamespaceLab.isRoot()) {
            NamespaceLab.runQuietly("ip", "link", "del", hostEnd);
            NamespaceLab.runQuietly("ip", "netns", "del", namespace);
        }
    }
}
