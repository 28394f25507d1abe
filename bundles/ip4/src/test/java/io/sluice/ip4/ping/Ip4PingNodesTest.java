package io.sluice.ip4.ping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.InterruptibleInput;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PacketFormat;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ip4-ping sends exactly the requests the control plane released, as valid echo requests for ip4-lookup; the
 * replies ip4-local hands to ip4-icmp-echo-reply are matched by source, identifier and sequence, once each.
 */
class Ip4PingNodesTest {
    private static final int BOX = PacketFormat.parseIp4("192.168.16.1");
    private static final int SERVER = PacketFormat.parseIp4("203.0.113.51");

    private final BufferPool pool = new BufferPool(16);
    private final TraceRing ring = new TraceRing(1);
    private final Ip4PingService service = new Ip4PingService(null, null, null);
    private final Frame frame = new Frame();

    @AfterEach
    void tearDown() {
        ring.close();
        pool.close();
    }

    @Test
    void sendsTheReleasedRequestsOnlyAsValidEchoRequestsToIp4Lookup() {
        PingRun run = new PingRun(0x1a2b, BOX, SERVER, 0, 56, 3);
        service.publish(run);
        Ip4PingNode node = new Ip4PingNode(service);
        NodeContext context = new NodeContext(pool, ring, 0, 0, Ip4PingNode.Error.values().length);
        assertEquals(0, node.process(context, frame), "nothing released yet");
        assertEquals(0, node.rxFds(0, new int[4], 0), "nothing to send: the worker may sleep");

        run.due.set(2);
        assertEquals(InterruptibleInput.POLLING_ONLY, node.rxFds(0, new int[4], 0));
        assertEquals(2, node.process(context, frame));
        assertEquals(2, run.sent.get());
        assertEquals(2, context.errorCounts()[Ip4PingNode.Error.ECHO_REQUESTS_SENT.ordinal()]);
        MemorySegment seg = pool.segment();
        for (int i = 0; i < 2; i++) {
            int bi = frame.buffers()[i];
            assertEquals(Ip4PingNode.NEXT_LOOKUP, frame.nexts()[i]);
            long ip = pool.l3Header(bi);
            long icmp = pool.l4Header(bi);
            assertEquals(BOX, Ipv4.src(seg, ip));
            assertEquals(SERVER, Ipv4.dst(seg, ip));
            assertEquals(20 + 8 + 56, Ipv4.totalLength(seg, ip));
            assertTrue(Checksum.ip4HeaderChecksumValid(seg, ip));
            assertEquals(Ipv4.PROTOCOL_ICMP, pool.ipProtocol(bi));
            assertEquals(Icmp.TYPE_ECHO_REQUEST, Icmp.type(seg, icmp));
            assertEquals(0x1a2b, Icmp.echoId(seg, icmp));
            assertEquals(i + 1, Icmp.echoSeq(seg, icmp));
            assertTrue(Icmp.checksumValid(seg, icmp, 8 + 56));
            assertTrue((pool.flags(bi) & BufferPool.FLAG_LOCALLY_ORIGINATED) != 0);
            assertEquals(0, pool.rxSwIfIndex(bi));
        }
        frame.clear();
        assertEquals(0, node.process(context, frame), "sent up to what was released, no more");
    }

    @Test
    void repliesAreMatchedOnceAndTheOthersCountedApart() {
        PingRun run = new PingRun(0x0042, BOX, SERVER, 0, 8, 2);
        service.publish(run);
        NodeContext sendContext = new NodeContext(pool, ring, 0, 0, Ip4PingNode.Error.values().length);
        run.due.set(2);
        new Ip4PingNode(service).process(sendContext, frame);
        int[] requests = {frame.buffers()[0], frame.buffers()[1]};
        frame.clear();

        // The server's answers: each request turned into its reply, as a host does; the first one twice.
        int duplicate = pool.alloc();
        pool.write(duplicate, pool.toBytes(requests[0]), pool.length(requests[0]));
        pool.setIp4Header(duplicate, 0, 20, Ipv4.PROTOCOL_ICMP, BufferPool.L4_VALID);
        for (int bi : new int[] {requests[0], requests[1], duplicate}) {
            answer(bi);
            frame.add(bi, 0);
        }
        int stranger = pool.alloc();
        pool.write(stranger, pool.toBytes(requests[1]), pool.length(requests[1]));
        pool.setIp4Header(stranger, 0, 20, Ipv4.PROTOCOL_ICMP, BufferPool.L4_VALID);
        answer(stranger);
        Ipv4.setSrc(pool.segment(), pool.l3Header(stranger), PacketFormat.parseIp4("198.51.100.7"));
        frame.add(stranger, 0);

        NodeContext context = new NodeContext(pool, ring, 1, 0, Ip4EchoReplyNode.Error.values().length);
        new Ip4EchoReplyNode(service).process(context, frame);
        assertEquals(2, run.replies());
        assertEquals(2, context.errorCounts()[Ip4EchoReplyNode.Error.ECHO_REPLIES_RECEIVED.ordinal()]);
        assertEquals(2, context.errorCounts()[Ip4EchoReplyNode.Error.ECHO_REPLY_UNEXPECTED.ordinal()],
                "the duplicate and the reply from another host");
        for (int i = 0; i < frame.count(); i++) {
            assertEquals(Ip4EchoReplyNode.Next.DROP.ordinal(), frame.nexts()[i], "every reply is freed");
        }
    }

    private void answer(int bi) {
        MemorySegment seg = pool.segment();
        long ip = pool.l3Header(bi);
        long icmp = pool.l4Header(bi);
        int src = Ipv4.src(seg, ip);
        Ipv4.setSrc(seg, ip, Ipv4.dst(seg, ip));
        Ipv4.setDst(seg, ip, src);
        Icmp.setType(seg, icmp, Icmp.TYPE_ECHO_REPLY);
        Icmp.setChecksum(seg, icmp, 0);
        int length = Ipv4.totalLength(seg, ip) - 20;
        Icmp.setChecksum(seg, icmp, Checksum.internetChecksum(seg, icmp, length));
    }
}
