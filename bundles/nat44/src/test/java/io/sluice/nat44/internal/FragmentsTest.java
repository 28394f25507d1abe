package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.Udp;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fragmented 3000-byte UDP datagram through the NAT both ways: every fragment translated (the IPv4 header of the
 * later ones, address and checksum), the UDP checksum in the first fragment right for the reassembled datagram. In
 * front of the NAT stands what ip4-sv-reassembly does for an in-order train (its own test is in the ip4 bundle): the
 * first fragment's ports stamped on the later ones.
 */
class FragmentsTest {
    private static final int MTU = 1500;
    private static final int DATAGRAM = 3000;

    @Test
    void everyFragmentOfA3000ByteUdpDatagramIsTranslatedBothWays() {
        try (TestBed bed = stamped()) {
            bed.dataplane.forceNextPort(25801); // not the inside port: the checksum patch covers a port change too
            byte[] request = Frames.udp("10.1.1.3", 40000, "31.134.97.51", 5353, DATAGRAM - 28, true);
            List<byte[]> out = fragments(request, 0x5151);
            assertEquals(3, out.size());
            for (byte[] fragment : out) {
                bed.harness.inject(TestBed.REWRITE_TO_GBE, fragment, TestBed.TAP2, false);
            }
            bed.harness.run();
            assertEquals(3, bed.gbeOutput.size(), "every fragment leaves: " + bed.dropped.size() + " dropped");
            List<byte[]> translated = new ArrayList<>();
            for (Captured c : bed.gbeOutput) {
                MemorySegment s = MemorySegment.ofArray(c.bytes());
                assertEquals(TestBed.NODE_IP, Ipv4.src(s, Frames.ETH));
                assertTrue(Checksum.ip4HeaderChecksumValid(s, Frames.ETH), "IPv4 header checksum");
                assertEquals(0x5151, Ipv4.id(s, Frames.ETH));
                translated.add(c.bytes());
            }
            MemorySegment datagram = reassemble(translated, Frames.ETH);
            assertEquals(DATAGRAM, Ipv4.totalLength(datagram, 0));
            assertTrue(Checksum.udpChecksumValid(datagram, 0), "UDP checksum over the reassembled datagram");
            int natPort = Udp.srcPort(datagram, 20);
            assertNotEquals(40000, natPort);
            assertEquals(3, bed.error(Nat44In2OutSlowPathNode.NAME, "in2out-packets")
                    + bed.error(Nat44In2OutOutputNode.NAME, "in2out-packets"));

            byte[] reply = Frames.udp("31.134.97.51", 5353, "192.168.16.1", natPort, DATAGRAM - 28, true);
            for (byte[] fragment : fragments(reply, 0x6262)) {
                bed.harness.inject(TestBed.INPUT, fragment, TestBed.GBE, false);
            }
            bed.harness.run();
            assertEquals(3, bed.lookup.size());
            List<byte[]> back = new ArrayList<>();
            for (Captured c : bed.lookup) {
                MemorySegment s = MemorySegment.ofArray(c.bytes());
                assertEquals(ip("10.1.1.3"), Ipv4.dst(s, 0));
                assertTrue(Checksum.ip4HeaderChecksumValid(s, 0), "IPv4 header checksum");
                back.add(c.bytes());
            }
            MemorySegment inside = reassemble(back, 0);
            assertEquals(40000, Udp.dstPort(inside, 20));
            assertTrue(Checksum.udpChecksumValid(inside, 0), "UDP checksum over the reassembled reply");
            assertEquals(3, bed.error(Nat44Out2InNode.NAME, "out2in-packets"));
            assertEquals(0, bed.error(Nat44Out2InNode.NAME, "fragment"));
            assertEquals(0, bed.harness.outstanding());
        }
    }

    @Test
    void laterFragmentsWithoutAStampAreStillDroppedOutboundAndCounted() {
        try (TestBed bed = TestBed.inMemory()) {
            byte[] request = Frames.udp("10.1.1.3", 40001, "31.134.97.51", 5353, DATAGRAM - 28, true);
            for (byte[] fragment : fragments(request, 0x7171)) {
                bed.harness.inject(TestBed.REWRITE_TO_GBE, fragment, TestBed.TAP2, false);
            }
            bed.harness.run();
            assertEquals(1, bed.gbeOutput.size(), "only the first fragment has ports");
            assertEquals(2, bed.error(Nat44In2OutSlowPathNode.NAME, "fragment"));
            assertEquals(0, bed.harness.outstanding());
        }
    }

    /** The seed's box with the stand-in stamping on both arcs of both interfaces, before the NAT. */
    private static TestBed stamped() {
        TestBed bed = TestBed.inMemory();
        bed.harness.add(new Stamp(STAMP_INPUT, FeatureArc.IP4_UNICAST, Nat44Out2InNode.NAME, false));
        bed.harness.add(new Stamp(STAMP_OUTPUT, FeatureArc.IP4_OUTPUT, Nat44In2OutOutputNode.NAME, true));
        for (int sw : new int[] {TestBed.TAP2, TestBed.GBE}) {
            bed.harness.engine().enableFeature(FeatureArc.IP4_UNICAST, STAMP_INPUT, sw, true);
            bed.harness.engine().enableFeature(FeatureArc.IP4_OUTPUT, STAMP_OUTPUT, sw, true);
        }
        return bed;
    }

    private static final String STAMP_INPUT = "test-sv-reassembly-feature";
    private static final String STAMP_OUTPUT = "test-sv-reassembly-output-feature";

    /** RFC 791 fragmentation of an Ethernet frame's IPv4 datagram into MTU-sized Ethernet frames. */
    static List<byte[]> fragments(byte[] frame, int id) {
        MemorySegment s = MemorySegment.ofArray(frame);
        int headerLength = Ipv4.headerLength(s, Frames.ETH);
        int payload = Ipv4.totalLength(s, Frames.ETH) - headerLength;
        int step = (MTU - headerLength) & ~7;
        List<byte[]> out = new ArrayList<>();
        for (int offset = 0; offset < payload; offset += step) {
            int size = Math.min(step, payload - offset);
            byte[] f = new byte[Frames.ETH + headerLength + size];
            System.arraycopy(frame, 0, f, 0, Frames.ETH + headerLength);
            System.arraycopy(frame, Frames.ETH + headerLength + offset, f, Frames.ETH + headerLength, size);
            MemorySegment fs = MemorySegment.ofArray(f);
            Ipv4.setTotalLength(fs, Frames.ETH, headerLength + size);
            Ipv4.setId(fs, Frames.ETH, id);
            Ipv4.setFlagsAndFragmentOffset(fs, Frames.ETH,
                    (offset + size < payload ? Ipv4.FLAG_MORE_FRAGMENTS : 0) | offset >>> 3);
            Checksum.setIp4HeaderChecksum(fs, Frames.ETH);
            out.add(f);
        }
        return out;
    }

    /** The datagram the receiver rebuilds: the first fragment's header, the payloads at their offsets. */
    static MemorySegment reassemble(List<byte[]> fragments, int ip) {
        byte[] first = fragments.getFirst();
        MemorySegment fs = MemorySegment.ofArray(first);
        int headerLength = Ipv4.headerLength(fs, ip);
        int end = 0;
        for (byte[] f : fragments) {
            MemorySegment s = MemorySegment.ofArray(f);
            end = Math.max(end, Ipv4.fragmentOffset(s, ip) * 8 + Ipv4.totalLength(s, ip) - headerLength);
        }
        byte[] datagram = new byte[headerLength + end];
        System.arraycopy(first, ip, datagram, 0, headerLength);
        for (byte[] f : fragments) {
            MemorySegment s = MemorySegment.ofArray(f);
            int at = Ipv4.fragmentOffset(s, ip) * 8;
            System.arraycopy(f, ip + headerLength, datagram, headerLength + at, Ipv4.totalLength(s, ip) - headerLength);
        }
        MemorySegment d = MemorySegment.ofArray(datagram);
        Ipv4.setTotalLength(d, 0, datagram.length);
        Ipv4.setFlagsAndFragmentOffset(d, 0, 0);
        return d;
    }

    /** What ip4-sv-reassembly does to an in-order train: learn from the first fragment, stamp the later ones. */
    private static final class Stamp implements Node {
        private final NodeRegistration registration;
        private final boolean output;
        private final Map<Long, int[]> learnt = new HashMap<>();

        Stamp(String name, String arc, String before, boolean output) {
            this.registration = NodeRegistration.internal(name, List.of(), List.of(), (r, o, c, out) -> out.append(name))
                    .withFeature(FeatureRegistration.on(arc).before(before));
            this.output = output;
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            MemorySegment seg = pool.segment();
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.buffers()[i];
                long ip = pool.l3Header(bi);
                long key = (long) Ipv4.src(seg, ip) << 32 ^ Ipv4.dst(seg, ip) ^ (long) Ipv4.id(seg, ip) << 48;
                if (Ipv4.isFragment(seg, ip)) {
                    if (Ipv4.fragmentOffset(seg, ip) == 0) {
                        learnt.put(key, new int[] {NetworkOrder.u32(seg, pool.l4Header(bi)), 0});
                    } else {
                        int[] facts = learnt.get(key);
                        pool.setReassembledL4(bi, facts[0], facts[1]);
                    }
                }
                frame.nexts()[i] = context.featureNext(output ? pool.txSwIfIndex(bi) : pool.rxSwIfIndex(bi));
            }
            return frame.count();
        }
    }
}
