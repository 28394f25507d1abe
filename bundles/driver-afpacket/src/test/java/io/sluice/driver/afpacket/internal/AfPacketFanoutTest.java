package io.sluice.driver.afpacket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.nativeio.api.NetNamespace;
import io.sluice.nativeio.testing.NamespaceLab;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.PortBlocks;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A host port with two receive queues in one fanout group, on a veth pair whose far end ({@value #POD_END}, in
 * namespace {@value #NS}) sends crafted frames through a packet socket of its own. Steered by NAT44 port block, each
 * frame must arrive on the queue of the worker owning its destination port (anything without one on queue 0); by
 * flow hash, every flow on one queue and both queues used. Each frame is told apart by its IPv4 identification.
 */
class AfPacketFanoutTest {

    private static final String NS = "sltst-fan";
    private static final String HOST_END = "sltst-f0";
    private static final String POD_END = "sltst-f1";
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** The IPv4 identification of this test's frames: its high byte, the frame's index in the low one. */
    private static final int MARK = 0x5100;

    private BufferPool pool;
    private AfPacketDevice device;
    private AfPacketDevice peer;

    @BeforeEach
    void createLab() throws Exception {
        assumeTrue(NamespaceLab.isRoot(), "veth pairs, namespaces and AF_PACKET need root");
        VethLab.create(NS, HOST_END, POD_END);
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

    @Test
    void steeredByPortBlockEachFrameArrivesOnTheQueueOfTheWorkerOwningItsPort() {
        PortBlocks blocks = new PortBlocks(2);
        device = AfPacketDevice.open(HOST_END, AfPacketConfig.defaults(), new AfPacketFanout(2, blocks));
        peer = NetNamespace.call(NS, () -> AfPacketDevice.open(POD_END, AfPacketConfig.defaults()));
        int lastOfBlock0 = blocks.last(0);
        Map<Integer, Integer> expected = new LinkedHashMap<>();
        int index = 0;
        for (int port : new int[] {1024, 5000, lastOfBlock0, lastOfBlock0 + 1, 40000, 65535}) {
            expected.put(send(ip(index, 17, 0, udp(40000, port))), blocks.owner(port));
            expected.put(send(ip(++index, 6, 0, tcp(40000, port))), blocks.owner(port));
            index++;
        }
        expected.put(send(ip(index++, 17, 0, udp(40000, 80))), 0); // a well-known port: below every block
        expected.put(send(ip(index++, 1, 0, icmp(0, 60000))), 1); // echo reply: its identifier's block
        expected.put(send(ip(index++, 1, 0, icmp(8, 60000))), 1); // echo request too
        expected.put(send(ip(index++, 1, 0, icmp(3, 60000))), 0); // an error: queue 0, handed off from there
        expected.put(send(ip(index++, 17, 0x2000, udp(40000, 60000))), 0); // a first fragment (MF): with the rest
        expected.put(send(ip(index++, 17, 0x0010, udp(40000, 60000))), 0); // a later fragment: no port
        expected.put(send(ip(index++, 47, 0, udp(40000, 60000))), 0); // GRE: no port

        Map<Integer, Integer> arrived = receive(expected.size());
        assertEquals(expected, arrived, "frame index to the queue it arrived on");
        assertEquals(0, pool.outstanding());
    }

    @Test
    void byFlowHashEachFlowKeepsToOneQueueAndBothQueuesAreUsed() {
        device = AfPacketDevice.open(HOST_END, AfPacketConfig.defaults(), new AfPacketFanout(2, null));
        peer = NetNamespace.call(NS, () -> AfPacketDevice.open(POD_END, AfPacketConfig.defaults()));
        int flows = 32;
        Map<Integer, Integer> flowOfFrame = new HashMap<>();
        int index = 0;
        for (int round = 0; round < 4; round++) {
            for (int flow = 0; flow < flows; flow++) {
                flowOfFrame.put(send(ip(index++, 17, 0, udp(20000 + flow, 53))), flow);
            }
        }
        Map<Integer, Integer> arrived = receive(flowOfFrame.size());
        assertEquals(flowOfFrame.keySet(), arrived.keySet(), "every frame arrived");
        Map<Integer, Set<Integer>> queuesOfFlow = new HashMap<>();
        arrived.forEach((frame, queue) -> queuesOfFlow.computeIfAbsent(flowOfFrame.get(frame), f -> new HashSet<>())
                .add(queue));
        queuesOfFlow.forEach((flow, queues) -> assertEquals(1, queues.size(), "flow " + flow + " on " + queues));
        assertEquals(Set.of(0, 1), new HashSet<>(arrived.values()), "the hash spread 32 flows over both queues");
        assertEquals(arrived.size(), device.rxPackets(0) + device.rxPackets(1) - strays, "counted per queue");
        assertEquals(0, pool.outstanding());
    }

    /** Frames received that were not this test's (none expected: IPv6 is off on both ends). */
    private long strays;

    /** Sends one frame from the peer; returns its index (the low byte of its IPv4 identification). */
    private int send(byte[] frame) {
        int bi = pool.alloc();
        pool.write(bi, frame, frame.length);
        int[] one = {bi};
        assertEquals(1, peer.transmit(pool, one, 0, 1), "the peer sent it");
        pool.free(bi);
        return ((frame[18] & 0xff) << 8 | frame[19] & 0xff) - MARK;
    }

    /** Receives from both queues until {@code count} of this test's frames arrived: frame index to queue. */
    private Map<Integer, Integer> receive(int count) {
        Map<Integer, Integer> arrived = new HashMap<>();
        int[] batch = new int[64];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (arrived.size() < count && System.nanoTime() < deadline) {
            boolean any = false;
            for (int queue = 0; queue < 2; queue++) {
                int n = device.receive(queue, pool, batch, 0, batch.length, false);
                any |= n > 0;
                for (int i = 0; i < n; i++) {
                    MemorySegment data = pool.segment();
                    long frame = pool.dataOffset(batch[i]);
                    int id = data.get(U16_BE, frame + 18) & 0xffff;
                    if (data.get(U16_BE, frame + 12) == 0x0800 && (id & 0xff00) == MARK) {
                        Integer before = arrived.put(id - MARK, queue);
                        assertEquals(null, before, "frame " + (id - MARK) + " arrived once");
                    } else {
                        strays++;
                    }
                    pool.free(batch[i]);
                }
            }
            if (!any) {
                Thread.onSpinWait();
            }
        }
        assertTrue(arrived.size() == count, arrived.size() + " of " + count + " frames arrived");
        return arrived;
    }

    /** An Ethernet and IPv4 header (identification MARK + index, flags-and-offset as given) before {@code l4}. */
    private static byte[] ip(int index, int protocol, int flagsAndOffset, byte[] l4) {
        byte[] f = new byte[14 + 20 + l4.length];
        byte[] dst = {0x02, 0x00, 0x00, 0x00, 0x51, 0x01};
        byte[] src = {0x02, 0x00, 0x00, 0x00, 0x51, 0x02};
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        f[12] = 0x08;
        f[14] = 0x45;
        int total = 20 + l4.length;
        f[16] = (byte) (total >>> 8);
        f[17] = (byte) total;
        f[18] = (byte) ((MARK + index) >>> 8);
        f[19] = (byte) (MARK + index);
        f[20] = (byte) (flagsAndOffset >>> 8);
        f[21] = (byte) flagsAndOffset;
        f[22] = 64;
        f[23] = (byte) protocol;
        byte[] addresses = {(byte) 203, 0, 113, 7, (byte) 192, (byte) 168, 16, 1};
        System.arraycopy(addresses, 0, f, 26, 8);
        Checksum.setIp4HeaderChecksum(MemorySegment.ofArray(f), 14);
        System.arraycopy(l4, 0, f, 34, l4.length);
        return f;
    }

    private static byte[] udp(int sourcePort, int destinationPort) {
        return ports(new byte[16], sourcePort, destinationPort);
    }

    private static byte[] tcp(int sourcePort, int destinationPort) {
        byte[] tcp = ports(new byte[20], sourcePort, destinationPort);
        tcp[12] = 0x50;
        return tcp;
    }

    private static byte[] ports(byte[] header, int sourcePort, int destinationPort) {
        header[0] = (byte) (sourcePort >>> 8);
        header[1] = (byte) sourcePort;
        header[2] = (byte) (destinationPort >>> 8);
        header[3] = (byte) destinationPort;
        return header;
    }

    /** ICMP of {@code type} whose identifier (bytes 4-5: an echo's, unused in an error) is {@code identifier}. */
    private static byte[] icmp(int type, int identifier) {
        byte[] icmp = new byte[16];
        icmp[0] = (byte) type;
        icmp[4] = (byte) (identifier >>> 8);
        icmp[5] = (byte) identifier;
        return icmp;
    }
}
