package io.sluice.driver.tap.internal;

import io.sluice.nativeio.testing.NamespaceLab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.driver.tap.api.PodSide;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Opaque;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TAP in a namespace lab: the kernel side becomes eth0 (10.99.0.2/24) of namespace {@value #NS}, the
 * test plays 10.99.0.1 behind the descriptor.
 */
class TapDeviceTest {

    private static final String NS = "sltst-tap";
    private static final String TAP = "sltsttap0";
    private static final byte[] POD_MAC = HexFormat.ofDelimiter(":").parseHex("02:00:00:99:00:02");
    private static final byte[] GATEWAY_MAC = HexFormat.ofDelimiter(":").parseHex("02:00:00:99:00:01");
    private static final byte[] POD_IP = {10, 99, 0, 2};
    private static final byte[] GATEWAY_IP = {10, 99, 0, 1};
    private static final ValueLayout.OfShort U16_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private TapDevice tap;
    private BufferPool pool;

    @AfterEach
    void cleanUp() {
        if (tap != null) {
            tap.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (NamespaceLab.isRoot()) {
            NamespaceLab.runQuietly("ip", "netns", "del", NS);
            NamespaceLab.runQuietly("ip", "link", "del", TAP);
        }
    }

    private void createPod(boolean checksumOffload) {
        assumeTrue(NamespaceLab.isRoot(), "TAP and namespaces need CAP_NET_ADMIN: run as root");
        NamespaceLab.runQuietly("ip", "netns", "del", NS);
        NamespaceLab.run("ip", "netns", "add", NS);
        pool = new BufferPool(64);
        tap = TapDevice.create(TAP, checksumOffload);
        tap.configureInNamespace(new PodSide(NS, "eth0", "02:00:00:99:00:02", 1500,
                List.of("10.99.0.2/24"), List.of("default via 10.99.0.1")));
    }

    /** Sends one UDP datagram from the pod toward {@code 10.99.0.1:9}; the kernel resolves the MAC first. */
    private static void sendUdpFromPod(String payload) {
        NamespaceLab.run("ip", "netns", "exec", NS, "python3", "-c",
                "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                        + "s.sendto(b'" + payload + "', ('10.99.0.1', 9))");
    }

    /** Receives frames until one with {@code etherType} arrives (IPv6 noise from the pod is skipped). */
    private int receiveUntil(int etherType) {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!tap.awaitReadable(100)) {
                continue;
            }
            int bi = pool.alloc();
            int length = tap.receive(pool, bi);
            if (length > 0 && pool.segment().get(U16_BE, pool.dataOffset(bi) + 12) == (short) etherType) {
                return bi;
            }
            pool.free(bi);
        }
        throw new AssertionError("no frame of ethertype 0x" + Integer.toHexString(etherType) + " in 3 s");
    }

    @Test
    void podArpRequestArrivesWithItsVirtioHeaderAndOurReplyIsLearned() {
        createPod(false);
        sendUdpFromPod("who-has");

        int request = receiveUntil(0x0806);
        MemorySegment segment = pool.segment();
        long frame = pool.dataOffset(request);
        assertEquals(0, pool.currentData(request));
        assertTrue(pool.length(request) >= 42, "an ARP frame is at least 42 bytes");
        long header = BufferPool.dataStart(request) - VirtioNetHeader.SIZE;
        assertEquals(0, VirtioNetHeader.flags(segment, header), "no offload asked: nothing partial");
        assertEquals(VirtioNetHeader.GSO_NONE, VirtioNetHeader.gsoType(segment, header));
        assertEquals(0, pool.opaque(request, Opaque.DRIVER));
        assertEquals(1, segment.get(U16_BE, frame + 20), "ARP opcode request");
        assertEquals(HexFormat.of().formatHex(POD_MAC), hex(segment, frame + 22, 6), "sender MAC");
        assertEquals(HexFormat.of().formatHex(POD_IP), hex(segment, frame + 28, 4), "sender IP");
        assertEquals(HexFormat.of().formatHex(GATEWAY_IP), hex(segment, frame + 38, 4), "target IP");
        pool.free(request);

        int reply = pool.alloc();
        writeArpReply(pool, reply);
        assertTrue(tap.transmit(pool, reply));
        pool.free(reply);

        String neighbour = awaitNeighbour();
        assertTrue(neighbour.contains("lladdr 02:00:00:99:00:01"), "the pod learned our MAC: " + neighbour);
        assertTrue(tap.rxPackets() >= 1);
        assertEquals(1, tap.txPackets());
        assertEquals(42, tap.txBytes());
        assertEquals(0, tap.txErrors());
        assertEquals(0, pool.outstanding(), "every buffer returned");
    }

    private static String awaitNeighbour() {
        String neighbour = "";
        for (int i = 0; i < 50; i++) {
            neighbour = NamespaceLab.run("ip", "-n", NS, "neigh", "show", "10.99.0.1", "dev", "eth0");
            if (neighbour.contains("lladdr")) {
                return neighbour;
            }
            sleep(20);
        }
        return neighbour;
    }

    @Test
    void partialUdpChecksumIsCompletedWhenOffloadIsOn() {
        createPod(true);
        NamespaceLab.run("ip", "-n", NS, "neigh", "replace", "10.99.0.1", "lladdr", "02:00:00:99:00:01", "dev", "eth0");
        sendUdpFromPod("checksum me");

        int bi = receiveUntil(0x0800);
        MemorySegment segment = pool.segment();
        long frame = pool.dataOffset(bi);
        long header = BufferPool.dataStart(bi) - VirtioNetHeader.SIZE;
        assertEquals(17, segment.get(ValueLayout.JAVA_BYTE, frame + 14 + 9), "UDP");
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(segment, header),
                "the pod left the checksum to us");
        assertEquals(14 + 20, VirtioNetHeader.csumStart(segment, header));
        assertEquals(6, VirtioNetHeader.csumOffset(segment, header), "UDP checksum field");
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM,
                VirtioNetHeader.packedFlags(pool.opaque(bi, Opaque.DRIVER)));
        assertTrue((pool.flags(bi) & BufferPool.FLAG_L4_CHECKSUM_CORRECT) != 0);

        assertTrue(Checksum.udpChecksumValid(segment, frame + 14),
                "UDP checksum verifies over pseudo-header and datagram");
        assertEquals(1, tap.rxChecksumsCompleted());
        pool.free(bi);
    }

    @Test
    void transmitWithoutHeadroomForTheHeaderIsCountedNotSent() {
        createPod(false);
        int bi = pool.alloc();
        pool.setData(bi, -BufferPool.HEADROOM + 4, 60);
        assertFalse(tap.transmit(pool, bi));
        assertEquals(1, tap.txErrors());
        assertEquals(0, tap.txPackets());
        pool.free(bi);
    }

    @Test
    void batchReceiveReturnsZeroAndLeaksNothingWhenIdle() {
        createPod(false);
        NamespaceLab.run("ip", "-n", NS, "link", "set", "eth0", "down"); // no IPv6 chatter from the pod
        sleep(50);
        int[] received = new int[8];
        int n;
        while ((n = tap.receive(pool, received, 0, 8)) > 0) {
            pool.free(received, 0, n);
        }
        assertEquals(0, pool.outstanding());
        assertEquals(0, tap.receive(pool, received, 0, 8));
        assertEquals(0, pool.outstanding(), "the buffer tried for the empty read went back");
    }

    @Test
    void theSumTheDeviceCompletesWithGivesTheIpv4HeaderChecksum() {
        // An IPv4 header (192.168.0.1 -> 192.168.0.199, UDP, TTL 64) whose checksum is 0xb861
        byte[] ipv4 = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(ipv4.length + 1);
            MemorySegment.copy(ipv4, 0, segment, ValueLayout.JAVA_BYTE, 1, ipv4.length);
            assertEquals(0xb861, ~Checksum.sum(segment, 1, ipv4.length) & 0xffff);
            segment.set(U16_BE, 1 + 10, (short) 0xb861);
            assertEquals(0xffff, Checksum.sum(segment, 1, ipv4.length));
            // an odd length counts the last byte as the high half of a 16-bit word (RFC 1071)
            assertEquals(0x4500, Checksum.sum(segment, 1, 1));
        }
    }

    private static void writeArpReply(BufferPool pool, int bi) {
        MemorySegment s = pool.segment();
        long f = pool.dataOffset(bi);
        MemorySegment.copy(POD_MAC, 0, s, ValueLayout.JAVA_BYTE, f, 6);
        MemorySegment.copy(GATEWAY_MAC, 0, s, ValueLayout.JAVA_BYTE, f + 6, 6);
        s.set(U16_BE, f + 12, (short) 0x0806);
        s.set(U16_BE, f + 14, (short) 1);      // hardware type Ethernet
        s.set(U16_BE, f + 16, (short) 0x0800); // protocol IPv4
        s.set(ValueLayout.JAVA_BYTE, f + 18, (byte) 6);
        s.set(ValueLayout.JAVA_BYTE, f + 19, (byte) 4);
        s.set(U16_BE, f + 20, (short) 2);      // reply
        MemorySegment.copy(GATEWAY_MAC, 0, s, ValueLayout.JAVA_BYTE, f + 22, 6);
        MemorySegment.copy(GATEWAY_IP, 0, s, ValueLayout.JAVA_BYTE, f + 28, 4);
        MemorySegment.copy(POD_MAC, 0, s, ValueLayout.JAVA_BYTE, f + 32, 6);
        MemorySegment.copy(POD_IP, 0, s, ValueLayout.JAVA_BYTE, f + 38, 4);
        pool.setLength(bi, 42);
    }

    private static String hex(MemorySegment segment, long offset, int length) {
        return HexFormat.of().formatHex(segment.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
