package io.sluice.ip4.node;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ip4-sv-reassembly-feature in a node harness: frames in, arcs, emitted buffers, metadata and counters out. The clock
 * is the test's, so timeouts are steps, not waits.
 */
class Ip4SvReassemblyTest {
    private static final int NEXT_FEATURE = 3;
    private static final int POD = 6;
    private static final int SRC = 0x0a010103;   // 10.1.1.3
    private static final int DST = 0x1f866133;   // 31.134.97.51
    private static final int SPORT = 41084;
    private static final int DPORT = 5353;
    private static final int PORTS = SPORT << 16 | DPORT;

    private final BufferPool pool = new BufferPool(4096);
    private final TraceRing ring = new TraceRing(16);
    private final NodeContext context = new NodeContext(pool, ring, 0, 0, Ip4SvReassemblyError.values().length);
    private final Frame frame = new Frame();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private Ip4SvReassemblyFeatureNode node(SvReassemblySettings settings) {
        context.bindFeatureNext(new int[0], NEXT_FEATURE);
        return new Ip4SvReassemblyFeatureNode(settings, 1, clock::get);
    }

    @AfterEach
    void tearDown() {
        ring.close();
        pool.close();
    }

    /** An IPv4 fragment (no Ethernet header, current data at the IP header) as ip4-input leaves it. */
    private int fragment(int id, int protocol, int offsetBytes, boolean more, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length));
        b.putShort((short) id).putShort((short) ((more ? Ipv4.FLAG_MORE_FRAGMENTS : 0) | offsetBytes >>> 3));
        b.put((byte) 64).put((byte) protocol).putShort((short) 0);
        b.putInt(SRC).putInt(DST);
        b.put(payload);
        byte[] bytes = b.array();
        int bi = pool.alloc();
        pool.write(bi, bytes, bytes.length);
        pool.setRxSwIfIndex(bi, POD);
        Ipv4.recordHeader(pool, bi, 0);
        return bi;
    }

    /** The fragments of one UDP datagram of {@code length} bytes of UDP payload, 1480 bytes each (MTU 1500). */
    private List<Integer> udpTrain(int id, int length) {
        byte[] udp = new byte[8 + length];
        ByteBuffer.wrap(udp).putShort((short) SPORT).putShort((short) DPORT).putShort((short) udp.length);
        List<Integer> train = new ArrayList<>();
        for (int offset = 0; offset < udp.length; offset += 1480) {
            int size = Math.min(1480, udp.length - offset);
            byte[] piece = new byte[size];
            System.arraycopy(udp, offset, piece, 0, size);
            train.add(fragment(id, Ipv4.PROTOCOL_UDP, offset, offset + size < udp.length, piece));
        }
        return train;
    }

    /** Runs one frame of {@code buffers}; returns what left the node, the frame's then the emitted, in order. */
    private List<Integer> run(Ip4SvReassemblyFeatureNode node, List<Integer> buffers) {
        frame.clear();
        for (int bi : buffers) {
            frame.add(bi, -1);
        }
        node.process(context, frame);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < frame.count(); i++) {
            assertEquals(NEXT_FEATURE, frame.nexts()[i], "arc of buffer " + frame.buffers()[i]);
            out.add(frame.buffers()[i]);
        }
        for (int i = 0; i < context.emittedCount(); i++) {
            assertEquals(NEXT_FEATURE, context.emittedNexts()[i]);
            out.add(context.emittedBuffers()[i]);
        }
        context.clearEmitted();
        return out;
    }

    /** Runs one frame and returns the arcs, for the drops. */
    private int[] runArcs(Ip4SvReassemblyFeatureNode node, List<Integer> buffers) {
        frame.clear();
        for (int bi : buffers) {
            frame.add(bi, -1);
        }
        node.process(context, frame);
        int[] arcs = new int[frame.count()];
        System.arraycopy(frame.nexts(), 0, arcs, 0, arcs.length);
        return arcs;
    }

    private long error(Ip4SvReassemblyError error) {
        return context.errorCounts()[error.ordinal()];
    }

    private void free(List<Integer> buffers) {
        for (int bi : buffers) {
            pool.free(bi);
        }
    }

    private void assertStamped(int bi) {
        int info = pool.l4Info(bi);
        assertEquals(BufferPool.L4_NON_FIRST_FRAGMENT | BufferPool.L4_REASSEMBLED, info, "l4 info of " + bi);
        assertEquals(PORTS, pool.reassembledPorts(bi));
    }

    @Test
    void inOrderTrainGetsTheFirstFragmentsPortsOnEveryLaterFragment() {
        Ip4SvReassemblyFeatureNode node = node(SvReassemblySettings.DEFAULTS);
        List<Integer> train = udpTrain(0x1c2d, 8000 - 28);
        List<Integer> out = run(node, train);
        assertEquals(train, out);
        assertEquals(BufferPool.L4_VALID, pool.l4Info(train.get(0)));
        for (int k = 1; k < train.size(); k++) {
            assertStamped(train.get(k));
        }
        assertEquals(train.size() - 1, error(Ip4SvReassemblyError.STAMPED));
        assertEquals(0, error(Ip4SvReassemblyError.HELD));
        assertEquals(0, node.reassemblies(), "a complete datagram leaves no context");
        free(out);
        assertEquals(0, pool.outstanding());
    }

    @Test
    void reversedTrainIsHeldAndReleasedInOffsetOrderAfterItsFirstFragment() {
        Ip4SvReassemblyFeatureNode node = node(SvReassemblySettings.DEFAULTS);
        List<Integer> train = udpTrain(0x2000, 3000 - 28);
        List<Integer> reversed = new ArrayList<>(train.reversed());
        List<Integer> out = run(node, reversed);
        assertEquals(train, out, "the first, then the held ones in offset order");
        for (int k = 1; k < train.size(); k++) {
            assertStamped(train.get(k));
        }
        assertEquals(train.size() - 1, error(Ip4SvReassemblyError.HELD));
        assertEquals(train.size() - 1, error(Ip4SvReassemblyError.RELEASED));
        assertEquals(0, node.heldBuffers());
        free(out);
        assertEquals(0, pool.outstanding());
    }

    @Test
    void laterFragmentsHeldAcrossFramesGoOutWithTheFirstsFrame() {
        Ip4SvReassemblyFeatureNode node = node(SvReassemblySettings.DEFAULTS);
        List<Integer> train = udpTrain(0x2001, 8000 - 28);
        assertEquals(List.of(), run(node, List.of(train.get(3), train.get(1))));
        assertEquals(List.of(), run(node, List.of(train.get(5), train.get(2), train.get(4))));
        assertEquals(5, node.heldBuffers());
        List<Integer> out = run(node, List.of(train.get(0)));
        assertEquals(train, out);
        for (int k = 1; k < train.size(); k++) {
            assertStamped(train.get(k));
        }
        free(out);
        assertEquals(0, pool.outstanding());
    }

    @Test
    void icmpAndTcpFactsAreStampedToo() {
        Ip4SvReassemblyFeatureNode node = node(SvReassemblySettings.DEFAULTS);
        byte[] echo = new byte[1480];
        echo[0] = 8;
        echo[4] = 0x12;
        echo[5] = 0x34;
        int first = fragment(7, Ipv4.PROTOCOL_ICMP, 0, true, echo);
        int later = fragment(7, Ipv4.PROTOCOL_ICMP, 1480, false, new byte[100]);
        byte[] tcp = new byte[1480];
        ByteBuffer.wrap(tcp).putShort((short) 80).putShort((short) 41084);
        tcp[13] = 0x18;
        int tcpFirst = fragment(8, Ipv4.PROTOCOL_TCP, 0, true, tcp);
        int tcpLater = fragment(8, Ipv4.PROTOCOL_TCP, 1480, false, new byte[100]);
        List<Integer> out = run(node, List.of(later, tcpLater, first, tcpFirst));
        assertEquals(List.of(first, tcpFirst, later, tcpLater), out);
        assertEquals(8 << 24, pool.reassembledPorts(later) & 0xffff0000);
        assertEquals(0x1234, pool.reassembledExtra(later) >>> 16);
        assertEquals(80 << 16 | 41084, pool.reassembledPorts(tcpLater));
        assertEquals(0x18, pool.reassembledExtra(tcpLater) & 0xff);
        free(out);
    }

    @Test
    void malformedFragmentsAreDroppedAndCounted() {
        Ip4SvReassemblyFeatureNode node = node(SvReassemblySettings.DEFAULTS);
        int tinyTcpFirst = fragment(1, Ipv4.PROTOCOL_TCP, 0, true, new byte[16]);
        int overlapsTcpHeader = fragment(2, Ipv4.PROTOCOL_TCP, 16, false, new byte[40]);
        int pastTheEnd = fragment(3, Ipv4.PROTOCOL_UDP, 65528, false, new byte[16]);
        int misaligned = fragment(4, Ipv4.PROTOCOL_UDP, 1480, true, new byte[13]);
        int[] arcs = runArcs(node, List.of(tinyTcpFirst, overlapsTcpHeader, pastTheEnd, misaligned));
        for (int arc : arcs) {
            assertEquals(Ip4SvReassembly.NEXT_DROP, arc);
        }
        assertEquals(4, error(Ip4SvReassemblyError.MALFORMED));
        assertEquals(0, node.heldBuffers());
        pool.free(frame.buffers(), 0, frame.count());
        assertEquals(0, pool.outstanding());
    }

    @Test
    void notFragmentsAndPortlessProtocolsPassUntouched() {
        Ip4SvReassemblyFeatureNode node = node(SvReassemblySettings.DEFAULTS);
        byte[] udp = new byte[28];
        ByteBuffer.wrap(udp).putShort((short) SPORT).putShort((short) DPORT);
        int whole = fragment(9, Ipv4.PROTOCOL_UDP, 0, false, udp);
        int gre = fragment(10, 47, 1480, false, new byte[40]);
        List<Integer> out = run(node, List.of(whole, gre));
        assertEquals(List.of(whole, gre), out);
        assertEquals(BufferPool.L4_VALID, pool.l4Info(whole));
        assertEquals(BufferPool.L4_NON_FIRST_FRAGMENT, pool.l4Info(gre));
        assertEquals(0, node.reassemblies());
        free(out);
    }

    @Test
    void aFloodOfDistinctIdsHoldsOnlyTheLimitCountsTheRestAndFreesAllAfterTheTimeout() {
        SvReassemblySettings settings = new SvReassemblySettings(1024, 16, 256, 100);
        Ip4SvReassemblyFeatureNode node = node(settings);
        int flood = 3000;
        int dropped = 0;
        for (int sent = 0; sent < flood; sent += Frame.CAPACITY) {
            List<Integer> burst = new ArrayList<>();
            for (int k = sent; k < Math.min(flood, sent + Frame.CAPACITY); k++) {
                burst.add(fragment(k, Ipv4.PROTOCOL_UDP, 1480, false, new byte[64]));
            }
            int[] arcs = runArcs(node, burst);
            for (int arc : arcs) {
                assertEquals(Ip4SvReassembly.NEXT_DROP, arc);
            }
            dropped += arcs.length;
            pool.free(frame.buffers(), 0, frame.count());
        }
        assertEquals(256, node.heldBuffers());
        assertEquals(256, error(Ip4SvReassemblyError.HELD));
        assertEquals(flood - 256, error(Ip4SvReassemblyError.TABLE_FULL));
        assertEquals(flood - 256, dropped);
        assertEquals(256, pool.outstanding(), "only the held buffers are out");

        clock.addAndGet(settings.timeoutMillis() * 1_000_000L + 1);
        for (int frames = 0; frames * Ip4SvReassembly.SWEEP_PER_FRAME < settings.maxReassemblies(); frames++) {
            run(node, List.of());
        }
        assertEquals(0, node.heldBuffers());
        assertEquals(0, node.reassemblies());
        assertEquals(256, error(Ip4SvReassemblyError.TIMEOUT));
        assertEquals(0, pool.outstanding(), "every held buffer is back in the pool");
    }

    @Test
    void aFullTableOfContextsRefusesNewDatagramsUntilOldOnesExpire() {
        SvReassemblySettings settings = new SvReassemblySettings(8, 4, 1000, 100);
        Ip4SvReassemblyFeatureNode node = node(settings);
        List<Integer> burst = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            burst.add(fragment(100 + k, Ipv4.PROTOCOL_UDP, 1480, false, new byte[64]));
        }
        run(node, burst.subList(0, 8));
        int[] arcs = runArcs(node, burst.subList(8, 10));
        assertEquals(List.of(Ip4SvReassembly.NEXT_DROP, Ip4SvReassembly.NEXT_DROP), List.of(arcs[0], arcs[1]));
        assertEquals(2, error(Ip4SvReassemblyError.TABLE_FULL));
        pool.free(frame.buffers(), 0, frame.count());
        clock.addAndGet(settings.timeoutMillis() * 1_000_000L + 1);
        int late = fragment(200, Ipv4.PROTOCOL_UDP, 1480, false, new byte[64]);
        assertEquals(List.of(), run(node, List.of(late)), "an expired context makes room at once");
        assertEquals(8, error(Ip4SvReassemblyError.TIMEOUT));
        assertEquals(1, node.heldBuffers());
        assertEquals(1, node.clear());
        assertEquals(0, pool.outstanding());
    }

    @Test
    void tooManyFragmentsOfOneDatagramDropThemAll() {
        Ip4SvReassemblyFeatureNode node = node(new SvReassemblySettings(16, 3, 256, 100));
        List<Integer> train = udpTrain(0x3000, 8000 - 28);
        int[] arcs = runArcs(node, List.of(train.get(5), train.get(4), train.get(3), train.get(2)));
        assertEquals(1, arcs.length, "three held, the fourth dropped");
        assertEquals(Ip4SvReassembly.NEXT_DROP, arcs[0]);
        assertEquals(4, error(Ip4SvReassemblyError.TOO_MANY_FRAGMENTS));
        assertEquals(0, node.heldBuffers());
        pool.free(frame.buffers(), 0, frame.count());
        free(List.of(train.get(0), train.get(1)));
        assertEquals(0, pool.outstanding());
    }

    @Test
    void removingTheNodeFreesWhatItHolds() {
        Ip4SvReassemblyFeatureNode node = node(SvReassemblySettings.DEFAULTS);
        List<Integer> train = udpTrain(0x4000, 8000 - 28);
        run(node, train.subList(1, train.size()));
        assertEquals(train.size() - 1, node.heldBuffers());
        assertEquals(train.size() - 1, node.clear());
        pool.free(train.get(0));
        assertEquals(0, pool.outstanding());
        assertTrue(node.reassemblies() == 0);
    }

    @Test
    void tracedFragmentsSayWhatHappened() {
        Ip4SvReassemblyFeatureNode node = node(SvReassemblySettings.DEFAULTS);
        List<Integer> train = udpTrain(0x1c2d, 3000 - 28);
        StringBuilder text = new StringBuilder();
        frame.clear();
        frame.add(train.get(0), -1);
        frame.add(train.get(1), -1);
        frame.setTraced(true);
        for (int bi : List.of(train.get(0), train.get(1))) {
            pool.setTraceHandle(bi, ring.newPacket());
        }
        node.process(context, frame);
        assertEquals(2, ring.used());
        for (int r = 0; r < ring.used(); r++) {
            Ip4SvReassembly.format(ring.segment(), TraceRing.payloadOffset(r), null, text);
            text.append('\n');
        }
        assertEquals("""
                [context 0] first fragment, fragment id 0x1c2d offset 0, ip proto 17, src_port 41084, dst_port 5353
                [context 0] forward, fragment id 0x1c2d offset 1480, ip proto 17, src_port 41084, dst_port 5353
                """, text.toString());
        pool.free(frame.buffers(), 0, frame.count());
        free(train.subList(2, train.size()));
    }
}
