package io.sluice.example.dscp;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ipv4;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DscpMarkNodeTest {
    private static final int TAP2 = 6;
    private static final int UNCONFIGURED = 7;

    /** Starts ip4-unicast for an IPv4 packet at current data, as ip4-input leaves it. */
    private static final class UnicastStart implements Node {
        private final NodeRegistration registration = NodeRegistration.internal("test-ip4-input", List.of(), List.of(),
                (r, o, c, out) -> out.append("test-ip4-input"))
                .startingArcs(new FeatureArc(FeatureArc.IP4_UNICAST, "test-ip4-input", "ip4-lookup"));

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.buffers()[i];
                context.pool().setL3Offset(bi, context.pool().currentData(bi));
                frame.nexts()[i] = context.featureStart(0, context.pool().rxSwIfIndex(bi));
            }
            return frame.count();
        }
    }

    /** An IPv4 header with TOS {@code tos} (ECN bits included) and a valid checksum, 20 bytes of payload. */
    private static byte[] packet(int tos) {
        byte[] ip = new byte[40];
        ip[0] = 0x45;
        ip[1] = (byte) tos;
        ip[3] = 40;
        ip[8] = 64;
        ip[9] = 17;
        ip[12] = 10; ip[13] = 1; ip[14] = 1; ip[15] = 3;
        ip[16] = (byte) 203; ip[18] = 113; ip[19] = 51;
        MemorySegment seg = MemorySegment.ofArray(ip);
        Checksum.setIp4HeaderChecksum(seg, 0);
        return ip;
    }

    @Test
    void marksTheCodePointKeepsEcnPatchesTheChecksumAndTraces() {
        try (GraphHarness harness = new GraphHarness()) {
            DscpMarkNode node = new DscpMarkNode();
            harness.add(new UnicastStart()).add(node);
            List<GraphHarness.Captured> routed = harness.capture("ip4-lookup");
            harness.engine().enableFeature(FeatureArc.IP4_UNICAST, DscpMarkNode.NAME, TAP2, true);
            harness.engine().enableFeature(FeatureArc.IP4_UNICAST, DscpMarkNode.NAME, UNCONFIGURED, true);
            node.setCodePoint(TAP2, 46);

            harness.inject("test-ip4-input", packet(0x01), TAP2, true);
            harness.run();
            assertEquals(1, routed.size());
            MemorySegment out = MemorySegment.ofArray(routed.get(0).bytes());
            assertEquals(46 << 2 | 1, Ipv4.tos(out, 0), "EF, with the ECN bit kept");
            int stored = Ipv4.checksum(out, 0);
            Checksum.setIp4HeaderChecksum(out, 0);
            assertEquals(Ipv4.checksum(out, 0), stored, "the incremental checksum is the full one");
            assertTrue(harness.trace().contains("ip4-dscp-mark: sw_if_index 6 dscp 0 -> 46 (tos 0x01 -> 0xb9)"),
                    harness.trace());
            assertEquals(1, harness.error(DscpMarkNode.NAME, "marked"));

            harness.inject("test-ip4-input", packet(0), UNCONFIGURED, false);
            harness.run();
            assertEquals(1, routed.size(), "enabled with no code point loaded: dropped, not passed unmarked");
            assertEquals(1, harness.error(DscpMarkNode.NAME, "no-configuration"));
            assertEquals(0, harness.outstanding());
        }
    }
}
