package io.sluice.acl.internal;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclRule;
import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Later fragments meet the ACL with their datagram's ports, as ip4-sv-reassembly stamps them (a stand-in does here
 * what that node does for an in-order train; its own test is in the ip4 bundle): a rule on the destination port
 * admits the whole datagram, and the reflect session the first fragment made carries the rest.
 */
class FragmentsTest {
    private static final String STAMP = "test-sv-reassembly-feature";

    @Test
    void aPortRuleAndItsSessionAdmitEveryFragmentOfTheDatagram() {
        try (AclFixture fixture = new AclFixture()) {
            fixture.harness.add(new Stamp());
            fixture.harness.engine().enableFeature(FeatureArc.IP4_UNICAST, STAMP, AclFixture.TAP2, true);
            fixture.manager.define(new Acl("dns-out", 5, List.of(AclRule.parse("permit+reflect proto udp dport 5353"))));
            fixture.manager.bind("tap2", List.of("dns-out"), List.of("dns-out"));
            for (byte[] fragment : train(0x4242, 5353)) {
                fixture.harness.inject(AclFixture.INPUT_START, fragment, AclFixture.TAP2, false);
            }
            fixture.harness.run();
            assertEquals(3, fixture.routed.size(), "all three fragments pass");
            assertEquals(1, fixture.error(AclInputNode.NAME, "acl-new-session"));
            assertEquals(2, fixture.error(AclInputNode.NAME, "acl-exist-session"));

            for (byte[] fragment : train(0x4343, 9999)) {
                fixture.harness.inject(AclFixture.INPUT_START, fragment, AclFixture.TAP2, false);
            }
            fixture.harness.run();
            assertEquals(3, fixture.routed.size(), "no fragment of a datagram to another port passes");
            assertEquals(3, fixture.error(AclInputNode.NAME, "acl-drop"));
            assertEquals(0, fixture.harness.outstanding());
        }
    }

    /** A UDP datagram from the pod, 10.1.1.3:41084 to 31.134.97.51:{@code dport}, as three in-order fragments. */
    private static List<byte[]> train(int id, int dport) {
        return List.of(fragment(id, 0, true, udpHeader(dport, 2 * 1480 + 100)),
                fragment(id, 1480, true, new byte[1480]),
                fragment(id, 2960, false, new byte[100]));
    }

    private static byte[] udpHeader(int dport, int udpLength) {
        byte[] first = new byte[1480];
        ByteBuffer.wrap(first).putShort((short) TestPackets.POD_PORT).putShort((short) dport)
                .putShort((short) udpLength);
        return first;
    }

    private static byte[] fragment(int id, int offset, boolean more, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + payload.length);
        b.putLong(0).putInt(0).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length));
        b.putShort((short) id).putShort((short) ((more ? Ipv4.FLAG_MORE_FRAGMENTS : 0) | offset >>> 3));
        b.put((byte) 64).put((byte) Ipv4.PROTOCOL_UDP).putShort((short) 0);
        b.putInt(TestPackets.POD_IP).putInt(TestPackets.SERVER_IP);
        b.put(payload);
        return b.array();
    }

    /** What ip4-sv-reassembly does to an in-order train: learn from the first fragment, stamp the later ones. */
    private static final class Stamp implements Node {
        private final NodeRegistration registration = NodeRegistration.internal(STAMP, List.of(), List.of(),
                        (r, o, c, out) -> out.append(STAMP))
                .withFeature(FeatureRegistration.on(FeatureArc.IP4_UNICAST).before(AclInputNode.NAME));
        private final Map<Long, Integer> learnt = new HashMap<>();

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
                        learnt.put(key, NetworkOrder.u32(seg, pool.l4Header(bi)));
                    } else {
                        pool.setReassembledL4(bi, learnt.get(key), 0);
                    }
                }
                frame.nexts()[i] = context.featureNext(pool.rxSwIfIndex(bi));
            }
            return frame.count();
        }
    }
}
