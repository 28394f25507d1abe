package io.sluice.ip4.node;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ip4-input leaves its one parse of the header in the metadata, which ACL, NAT and the ip4 nodes read. */
class Ip4InputParseTest {
    private static final int UNICAST_ARC_START = 7;
    private static final int DF = 0x4000;

    private final BufferPool pool = new BufferPool(4);
    private final TraceRing ring = new TraceRing(1);
    private final NodeContext context = new NodeContext(pool, ring, 0, 0, Ip4InputError.values().length);
    private final Frame frame = new Frame();

    @AfterEach
    void tearDown() {
        ring.close();
        pool.close();
    }

    /** A frame's IPv4 packet in a buffer with current data past its Ethernet header, as ethernet-input leaves it. */
    private int received(byte[] ethernetFrame) {
        int bi = pool.alloc();
        pool.write(bi, ethernetFrame, ethernetFrame.length);
        pool.advance(bi, 14);
        frame.add(bi, 0);
        return bi;
    }

    private void run() {
        context.bindFeatureStart(new int[][] {new int[0]}, new int[] {UNICAST_ARC_START});
        new Ip4InputNode().process(context, frame);
    }

    @Test
    void offsetsProtocolAndL4FactsAreRecorded() {
        byte[] withOption = Packets.ip4(1, 2, 0x0a010103, 0x1f866133, Ipv4.PROTOCOL_UDP, 64, DF, new byte[12]);
        withOption[14] = 0x46; // one word of options: the first 4 payload bytes (zeros end the list)
        withOption[24] = 0;
        withOption[25] = 0;
        int checksum = ~Packets.sum(withOption, 14, 24, 0) & 0xffff;
        withOption[24] = (byte) (checksum >>> 8);
        withOption[25] = (byte) checksum;
        int udp = received(withOption);
        int laterFragment = received(Packets.ip4(1, 2, 0x0a010103, 0x1f866133, Ipv4.PROTOCOL_TCP, 64, 185,
                new byte[8]));
        run();
        assertEquals(UNICAST_ARC_START, frame.nexts()[0]);
        assertEquals(14, pool.l3Offset(udp));
        assertEquals(14 + 24, pool.l4Offset(udp));
        assertEquals(BufferPool.dataStart(udp) + 14, pool.l3Header(udp));
        assertEquals(Ipv4.PROTOCOL_UDP, pool.ipProtocol(udp));
        assertEquals(BufferPool.L4_VALID, pool.l4Info(udp));

        assertEquals(UNICAST_ARC_START, frame.nexts()[1]);
        assertEquals(Ipv4.PROTOCOL_TCP, pool.ipProtocol(laterFragment));
        assertEquals(BufferPool.L4_NON_FIRST_FRAGMENT, pool.l4Info(laterFragment));
        pool.free(frame.buffers(), 0, frame.count());
    }
}
