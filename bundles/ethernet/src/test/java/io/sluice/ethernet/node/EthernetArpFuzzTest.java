package io.sluice.ethernet.node;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.ethernet.internal.ArpProxyImpl;
import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.graph.testkit.FuzzCorpus;
import io.sluice.graph.testkit.FuzzInvariants;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.CapturingDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing (issue 18) of ethernet-input and arp-input as the seed has them: the GbE with its
 * address, tap2 with proxy ARP, ip4-input's two variants captured. Byte 0 of the input chooses the port (bit 0:
 * the GbE) and a driver-verified checksum (bit 1); the rest is the frame. Per input: no node threw, no buffer
 * outstanding, the frame went exactly one way (to an ip4-input variant, answered on a port, or dropped) and a
 * drop was counted by the node that chose it ({@link FuzzInvariants}).
 */
class EthernetArpFuzzTest {
    /** Counters of frames answered, not dropped. */
    static final Set<String> PASSING = Set.of("replies-sent", "proxy-replies-sent");

    private final GraphHarness h = new GraphHarness();
    private final InterfaceTableImpl interfaces = new InterfaceTableImpl(h.engine());
    private final CapturingDevice gbeDevice = new CapturingDevice("GigabitEthernet0/8/0", ArpInputNodeTest.GBE_MAC);
    private final CapturingDevice tapDevice = new CapturingDevice("tap2", ArpInputNodeTest.TAP2_MAC);
    private final int gbe = interfaces.register(gbeDevice);
    private final int tap2 = interfaces.register(tapDevice);
    private final List<GraphHarness.Captured> ip4;
    private final List<GraphHarness.Captured> ip4NoChecksum;

    EthernetArpFuzzTest() {
        NeighbourTableImpl neighbours = new NeighbourTableImpl();
        ArpProxyImpl proxy = new ArpProxyImpl();
        new InterfaceOutputArc(h.engine(), interfaces);
        interfaces.setAdminUp(gbe, true);
        interfaces.setAdminUp(tap2, true);
        interfaces.addIp4Address(gbe, ArpInputNodeTest.NODE_IP, 24);
        proxy.setEnabled(tap2, true);
        h.add(new EthernetInputNode(interfaces));
        h.add(new ArpInputNode(interfaces, neighbours, proxy));
        ip4 = h.capture("ip4-input");
        ip4NoChecksum = h.capture("ip4-input-no-checksum");
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    @FuzzTest(maxDuration = "30s")
    void anyFrameGoesOneWayCounted(byte[] input) {
        if (input.length < 1) {
            return;
        }
        byte[] frame = Arrays.copyOfRange(input, 1, Math.min(input.length, 1 + 1514));
        Map<String, Long> before = FuzzInvariants.counters(h.engine());
        int bi = h.inject("ethernet-input", frame, (input[0] & 1) != 0 ? gbe : tap2, (input[0] & 4) != 0);
        if ((input[0] & 2) != 0) {
            h.pool().orFlags(bi, BufferPool.FLAG_IP4_CHECKSUM_VERIFIED);
        }
        h.run();
        String what = "frame " + HexFormat.of().formatHex(frame);
        FuzzInvariants.check(h.engine(), h.pool(), 0, before, PASSING, what);
        long dropped = FuzzInvariants.counters(h.engine()).getOrDefault("error-drop/dropped", 0L)
                - before.getOrDefault("error-drop/dropped", 0L);
        int ways = ip4.size() + ip4NoChecksum.size() + gbeDevice.sent.size() + tapDevice.sent.size();
        assertEquals(1, ways + dropped, what + " went " + ways + " ways and was dropped " + dropped + " times");
        ip4.clear();
        ip4NoChecksum.clear();
        gbeDevice.sent.clear();
        tapDevice.sent.clear();
        if ((input[0] & 4) != 0) {
            h.trace();
            h.engine().traceClear();
        }
    }

    /** The seeds (the seed's ARP both ways, IPv4 to each port, a VLAN tag) pass; -Dsluice.fuzz.writeCorpus=true. */
    @Test
    void seeds() {
        long broadcast = ArpInputNodeTest.BROADCAST;
        long gatewayMac = ArpInputNodeTest.GATEWAY_MAC;
        byte[] ip4ToTap = Frames.ethernet(ArpInputNodeTest.TAP2_MAC, ArpInputNodeTest.POD_MAC, 0x0800, 46);
        ip4ToTap[14] = 0x45;
        byte[] vlan = Frames.ethernet(ArpInputNodeTest.GBE_MAC, gatewayMac, 0x8100, 46);
        List<byte[]> frames = List.of(
                Frames.arp(broadcast, gatewayMac, 1, gatewayMac, ArpInputNodeTest.GATEWAY_IP, 0, ArpInputNodeTest.NODE_IP),
                Frames.arp(ArpInputNodeTest.GBE_MAC, gatewayMac, 2, gatewayMac, ArpInputNodeTest.GATEWAY_IP,
                        ArpInputNodeTest.GBE_MAC, ArpInputNodeTest.NODE_IP),
                Frames.arp(broadcast, ArpInputNodeTest.POD_MAC, 1, ArpInputNodeTest.POD_MAC, ArpInputNodeTest.POD_IP,
                        0, ArpInputNodeTest.POD_GATEWAY),
                ip4ToTap, vlan);
        int[] ports = {1, 1, 0, 0, 1};
        List<byte[]> seeds = new java.util.ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            byte[] input = new byte[1 + frames.get(i).length];
            input[0] = (byte) ports[i];
            System.arraycopy(frames.get(i), 0, input, 1, frames.get(i).length);
            seeds.add(input);
        }
        for (byte[] seed : FuzzCorpus.maybeWrite(EthernetArpFuzzTest.class, "anyFrameGoesOneWayCounted", seeds)) {
            anyFrameGoesOneWayCounted(seed);
        }
    }
}
