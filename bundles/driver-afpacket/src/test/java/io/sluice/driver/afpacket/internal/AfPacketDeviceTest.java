package io.sluice.driver.afpacket.internal;

import io.sluice.nativeio.api.NetNamespace;
import io.sluice.nativeio.testing.NamespaceLab;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.packet.api.BufferPool;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A veth pair: {@value #HOST_END} stays in the test's namespace and is bound by the device under test,
 * {@value #POD_END} lives in namespace {@value #NS} (10.98.0.2/24).
 */
class AfPacketDeviceTest {

    private static final String NS = "sltst-afp";
    private static final String HOST_END = "sltst-a0";
    private static final String POD_END = "sltst-b0";
    private static final int EXPERIMENTAL_ETHERTYPE = 0x88b5; // IEEE 802 local experimental
    private static final ValueLayout.OfShort U16_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private BufferPool pool;
    private AfPacketDevice device;
    private AfPacketDevice peer;

    @BeforeEach
    void createLab() throws Exception {
        assumeTrue(NamespaceLab.isRoot(), "veth pairs, namespaces and AF_PACKET need root");
        VethLab.create(NS, HOST_END, POD_END);
        NamespaceLab.run("ip", "-n", NS, "address", "add", "10.98.0.2/24", "dev", POD_END);
        pool = new BufferPool(1024);
    }

    @AfterEach
    void removeLab() {
        if (device != null) {
            device.close();
            device = null;
        }
        if (peer != null) {
            peer.close();
            peer = null;
        }
        if (pool != null) {
            pool.close();
            pool = null;
        }
        VethLab.remove(NS, HOST_END);
    }

    private static void sendUdpFromPod() {
        NamespaceLab.run("ip", "netns", "exec", NS, "python3", "-c",
                "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                        + "s.sendto(b'sluice', ('10.98.0.1', 9))");
    }

    /** Receives until a frame of {@code etherType} arrives; returns its buffer (the others are freed). */
    private int receiveUntil(AfPacketDevice from, int etherType, long timeoutMillis) {
        int[] received = new int[64];
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            from.awaitReadable(10);
            int n = from.receive(pool, received, 0, received.length);
            int found = -1;
            for (int i = 0; i < n; i++) {
                int bi = received[i];
                if (found < 0 && pool.segment().get(U16_BE, pool.dataOffset(bi) + 12) == (short) etherType) {
                    found = bi;
                } else {
                    pool.free(bi);
                }
            }
            if (found >= 0) {
                return found;
            }
        }
        return -1;
    }

    @ParameterizedTest
    @EnumSource(AfPacketConfig.RxRing.class)
    void arpRequestFromThePodArrivesInTheRing(AfPacketConfig.RxRing ring) {
        device = AfPacketDevice.open(HOST_END, AfPacketConfig.defaults().withRxRing(ring));
        sendUdpFromPod();
        long start = System.nanoTime();
        int bi = receiveUntil(device, 0x0806, 3000);
        assertTrue(bi >= 0, "an ARP request reached the ring");
        MemorySegment s = pool.segment();
        long frame = pool.dataOffset(bi);
        assertEquals(0, pool.currentData(bi));
        assertEquals("ffffffffffff", hex(s, frame, 6), "broadcast");
        assertEquals("0a620002", hex(s, frame + 28, 4), "sender 10.98.0.2");
        assertEquals("0a620001", hex(s, frame + 38, 4), "asks for 10.98.0.1");
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "a 1 ms block timeout hands it over promptly");
        assertTrue(device.rxPackets() >= 1);
        assertTrue(device.rxBytes() >= 42);
        pool.free(bi);
        assertEquals(0, pool.outstanding());
    }

    /**
     * A TPACKET_V2 slot is handed over as the kernel writes it: with a block timeout of a second (which a V3 ring
     * would wait for on a quiet link) the frame is there at once, and poll(2) on the socket reports it.
     */
    @Test
    void aV2RingHandsEachFrameOverWithoutWaitingForTheBlockTimeout() {
        device = AfPacketDevice.open(HOST_END, new AfPacketConfig(128 * 1024, 4, 1000, 1024,
                AfPacketConfig.TxMode.SENDMMSG, AfPacketConfig.RxRing.V2));
        sendUdpFromPod();
        long start = System.nanoTime();
        assertTrue(device.awaitReadable(500), "poll(2) on the socket reports the frame");
        int bi = receiveUntil(device, 0x0806, 3000);
        long waited = System.nanoTime() - start;
        assertTrue(bi >= 0, "the ARP request reached the ring");
        assertTrue(waited < 500_000_000L, "handed over in " + waited / 1_000_000 + " ms, not after the 1 s block timeout");
        pool.free(bi);
    }

    @Test
    void framesForAnotherMacArriveInPromiscuousMode() {
        device = AfPacketDevice.open(HOST_END, AfPacketConfig.defaults());
        NamespaceLab.run("ip", "-n", NS, "neigh", "replace", "10.98.0.1", "lladdr", "02:00:00:98:00:01", "dev", POD_END);
        sendUdpFromPod();
        int bi = receiveUntil(device, 0x0800, 3000);
        assertTrue(bi >= 0, "the UDP frame to a MAC that is not the veth's reached the ring");
        assertEquals("020000980001", hex(pool.segment(), pool.dataOffset(bi), 6));
        assertEquals("736c75696365", hex(pool.segment(), pool.dataOffset(bi) + 42, 6), "payload 'sluice'");
        pool.free(bi);
    }

    /**
     * A veth with its default offloads hands over the pod's UDP with the checksum left to "hardware"
     * (TP_STATUS_CSUMNOTREADY): the device completes it, so what the box forwards is valid.
     */
    @Test
    void checksumsLeftToHardwareAreCompleted() {
        NamespaceLab.run("ip", "netns", "exec", NS, "ethtool", "-K", POD_END, "tx", "on");
        device = AfPacketDevice.open(HOST_END, AfPacketConfig.defaults());
        NamespaceLab.run("ip", "-n", NS, "neigh", "replace", "10.98.0.1", "lladdr", "02:00:00:98:00:01", "dev", POD_END);
        sendUdpFromPod();
        int bi = receiveUntil(device, 0x0800, 3000);
        assertTrue(bi >= 0, "the pod's UDP reached the ring");
        long ip = pool.dataOffset(bi) + 14;
        assertEquals(17, io.sluice.packet.api.Ipv4.protocol(pool.segment(), ip));
        assertNotEquals(0, io.sluice.packet.api.Udp.checksum(pool.segment(), ip + 20), "a checksum, not 'none'");
        assertTrue(io.sluice.packet.api.Checksum.udpChecksumValid(pool.segment(), ip), "a complete checksum");
        assertEquals(1, device.rxChecksumsCompleted(), "the kernel marked it CSUMNOTREADY and the device completed it");
        pool.free(bi);
    }

    @ParameterizedTest
    @EnumSource(AfPacketConfig.TxMode.class)
    void transmittedFramesReachThePeerIntactAndDoNotLoopBack(AfPacketConfig.TxMode mode) throws Exception {
        device = AfPacketDevice.open(HOST_END, AfPacketConfig.defaults().withTxMode(mode));
        peer = NetNamespace.call(NS, () -> AfPacketDevice.open(POD_END, AfPacketConfig.defaults()));
        long before = podRxPackets();

        int frames = 100;
        int[] buffers = new int[frames];
        assertEquals(frames, pool.alloc(buffers, 0, frames));
        for (int i = 0; i < frames; i++) {
            writeTestFrame(buffers[i], i, 60 + i * 10);
        }
        assertEquals(frames, device.transmit(pool, buffers, 0, frames));
        pool.free(buffers, 0, frames);
        assertEquals(frames, device.txPackets());
        assertEquals(0, device.txErrors());

        int[] received = new int[frames];
        int[] batch = new int[64];
        int got = 0;
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (got < frames && System.nanoTime() < deadline) {
            peer.awaitReadable(10);
            int n = peer.receive(pool, batch, 0, batch.length);
            for (int i = 0; i < n; i++) {
                int bi = batch[i];
                boolean ours = pool.segment().get(U16_BE, pool.dataOffset(bi) + 12) == (short) EXPERIMENTAL_ETHERTYPE;
                if (ours && got < frames) {
                    received[got++] = bi;
                } else {
                    pool.free(bi); // IPv6 noise from the pod side
                }
            }
        }
        assertEquals(frames, got, "the peer received every frame");
        for (int i = 0; i < frames; i++) {
            int bi = received[i];
            int sequence = pool.segment().get(ValueLayout.JAVA_INT_UNALIGNED, pool.dataOffset(bi) + 14);
            assertEquals(60 + sequence * 10, pool.length(bi), "frame " + sequence + " kept its length");
            byte[] expected = testFrame(sequence, 60 + sequence * 10);
            assertArrayEquals(expected, pool.toBytes(bi), "frame " + sequence + " intact");
        }
        pool.free(received, 0, frames);
        assertTrue(podRxPackets() - before >= frames, "the pod's rx_packets counted them");
        assertEquals(-1, receiveUntil(device, EXPERIMENTAL_ETHERTYPE, 100), "our own frames are not received");
        assertEquals(0, pool.outstanding());
    }

    @Test
    void aSmallUnreadRingDropsAndTheDropsAreCounted() {
        device = AfPacketDevice.open(HOST_END, new AfPacketConfig(4096, 1, 1000, 1024, AfPacketConfig.TxMode.TX_RING));
        peer = NetNamespace.call(NS, () -> AfPacketDevice.open(POD_END, AfPacketConfig.defaults()));
        int frames = 200;
        int[] buffers = new int[frames];
        pool.alloc(buffers, 0, frames);
        for (int i = 0; i < frames; i++) {
            writeTestFrame(buffers[i], i, 1000);
        }
        assertEquals(frames, peer.transmit(pool, buffers, 0, frames));
        pool.free(buffers, 0, frames);
        sleep(50);
        assertTrue(device.rxKernelDrops() > 0, "a 4 KiB ring cannot hold 200 kB: the kernel dropped frames");
    }

    private long podRxPackets() throws Exception {
        return Long.parseLong(NamespaceLab.run("ip", "netns", "exec", NS, "cat",
                "/sys/class/net/" + POD_END + "/statistics/rx_packets").trim());
    }

    private void writeTestFrame(int bi, int sequence, int length) {
        pool.write(bi, testFrame(sequence, length), length);
    }

    /** Broadcast, local experimental ethertype, a sequence number, then a byte pattern. */
    private static byte[] testFrame(int sequence, int length) {
        byte[] frame = new byte[length];
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) 0xff;
        }
        frame[6] = 0x02;
        frame[11] = 0x01;
        frame[12] = (byte) (EXPERIMENTAL_ETHERTYPE >>> 8);
        frame[13] = (byte) EXPERIMENTAL_ETHERTYPE;
        frame[14] = (byte) sequence; // little-endian int, read back with JAVA_INT_UNALIGNED
        frame[15] = (byte) (sequence >>> 8);
        for (int i = 18; i < length; i++) {
            frame[i] = (byte) (i * 7 + sequence);
        }
        return frame;
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
