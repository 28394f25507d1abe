package io.sluice.driver.dpdk.internal;

import io.sluice.nativeio.api.Libc;
import io.sluice.nativeio.api.LinuxConstants;
import io.sluice.nativeio.api.NetNamespace;
import io.sluice.nativeio.testing.NamespaceLab;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.Callable;

/** What the namespace labs of this module need: commands, a thread inside a namespace, raw frames there. */
final class Lab {

    private Lab() {
    }

    static boolean isRoot() {
        return NamespaceLab.isRoot();
    }

    /** Runs a command; a non-zero exit fails the test with the command's output. */
    static String run(String... command) {
        return NamespaceLab.run(command);
    }

    /** Runs a clean-up command whose failure (nothing to clean) does not matter. */
    static void quietly(String... command) {
        NamespaceLab.runQuietly(command);
    }

    /** A veth pair: {@code local} here, {@code peer} in a new namespace {@code namespace}; both up, no IPv6. */
    static void vethIntoNamespace(String namespace, String local, String peer) {
        quietly("ip", "netns", "del", namespace);
        quietly("ip", "link", "del", local);
        run("ip", "netns", "add", namespace);
        run("ip", "link", "add", local, "type", "veth", "peer", "name", peer, "netns", namespace);
        // no router solicitations or DAD frames: the frames on the pair are the test's own
        run("sysctl", "-q", "-w", "net.ipv6.conf." + local + ".disable_ipv6=1");
        run("ip", "netns", "exec", namespace, "sysctl", "-q", "-w", "net.ipv6.conf." + peer + ".disable_ipv6=1");
        run("ip", "link", "set", local, "up");
        run("ip", "-n", namespace, "link", "set", peer, "up");
    }

    static void removeNamespace(String namespace, String local) {
        quietly("ip", "netns", "del", namespace);
        quietly("ip", "link", "del", local);
    }

    /** /sys/class/net/{@code ifName}/statistics/{@code counter} as seen inside {@code namespace}. */
    static long counter(String namespace, String ifName, String counter) {
        return Long.parseLong(run("ip", "netns", "exec", namespace, "cat",
                "/sys/class/net/" + ifName + "/statistics/" + counter).trim());
    }

    /** Runs {@code action} on a new thread that first enters {@code /var/run/netns/<namespace>} (setns(2)). */
    static <T> T inNamespace(String namespace, Callable<T> action) {
        return NetNamespace.call(namespace, action);
    }

    /** An AF_PACKET socket bound to an interface of a namespace, sending whole Ethernet frames (packet(7)). */
    static final class RawSender implements AutoCloseable {
        private final int fd;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment callState = Libc.newCallState(arena);
        private final MemorySegment frame = arena.allocate(2048, 64);

        RawSender(String namespace, String ifName) {
            this.fd = inNamespace(namespace, () -> {
                int socket = Libc.socket(LinuxConstants.AF_PACKET, LinuxConstants.SOCK_RAW, 0);
                try (Arena scratch = Arena.ofConfined()) {
                    MemorySegment address = scratch.allocate(LinuxConstants.SOCKADDR_LL_SIZE, 4);
                    address.set(ValueLayout.JAVA_SHORT, LinuxConstants.SLL_FAMILY, (short) LinuxConstants.AF_PACKET);
                    address.set(ValueLayout.JAVA_INT, LinuxConstants.SLL_IFINDEX, Libc.ifNameToIndex(ifName));
                    Libc.bind(socket, address, "AF_PACKET " + ifName);
                }
                return socket;
            });
        }

        /** Sends {@code bytes} as one frame; returns false when the kernel refused it (queue full). */
        boolean send(byte[] bytes) {
            MemorySegment.copy(bytes, 0, frame, ValueLayout.JAVA_BYTE, 0, bytes.length);
            return Libc.sendto(callState, fd, frame, 0, bytes.length, 0, MemorySegment.NULL, 0) == bytes.length;
        }

        @Override
        public void close() {
            Libc.close(fd);
            arena.close();
        }
    }

    /**
     * An Ethernet II frame carrying IPv4/UDP from 10.99.0.1:4000 to 10.99.0.2:5000, {@code length} bytes in
     * all (at least 60), the payload filled with {@code marker}. IPv4 header checksum per RFC 791; UDP
     * checksum 0 (none, RFC 768).
     */
    static byte[] udpFrame(long dstMac, long srcMac, int length, int marker) {
        byte[] f = new byte[length];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dstMac >>> (40 - 8 * i));
            f[6 + i] = (byte) (srcMac >>> (40 - 8 * i));
        }
        f[12] = 0x08;
        int ipLength = length - 14;
        f[14] = 0x45;
        f[16] = (byte) (ipLength >>> 8);
        f[17] = (byte) ipLength;
        f[22] = 64;
        f[23] = 17;
        byte[] src = {10, 99, 0, 1};
        byte[] dst = {10, 99, 0, 2};
        System.arraycopy(src, 0, f, 26, 4);
        System.arraycopy(dst, 0, f, 30, 4);
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        f[24] = (byte) (~sum >>> 8);
        f[25] = (byte) ~sum;
        f[34] = (byte) (4000 >>> 8);
        f[35] = (byte) 4000;
        f[36] = (byte) (5000 >>> 8);
        f[37] = (byte) 5000;
        int udpLength = ipLength - 20;
        f[38] = (byte) (udpLength >>> 8);
        f[39] = (byte) udpLength;
        for (int i = 42; i < length; i++) {
            f[i] = (byte) marker;
        }
        return f;
    }
}
