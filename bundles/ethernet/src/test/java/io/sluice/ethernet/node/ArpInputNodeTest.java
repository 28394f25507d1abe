package io.sluice.ethernet.node;

import io.sluice.vnet.testkit.CapturingDevice;
import io.sluice.ethernet.api.ArpProxy;
import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ethernet.internal.ArpProxyImpl;
import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.CapturingDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArpInputNodeTest {
    static final long BROADCAST = 0xffffffffffffL;
    static final long TAP2_MAC = 0x02fe163f5f0fL;
    static final long POD_MAC = 0x000000000002L;
    static final long GBE_MAC = 0x080027449fd8L;
    static final long GATEWAY_MAC = 0x08002702a536L;
    static final int POD_IP = 0x0a010103;
    static final int POD_GATEWAY = 0x0a010101; // virtual: no interface owns it
    static final int NODE_IP = 0xc0a81001;
    static final int GATEWAY_IP = 0xc0a81064;

    private GraphHarness h;
    private InterfaceTableImpl interfaces;
    private NeighbourTableImpl neighbours;
    private ArpProxy proxy;
    private CapturingDevice gbeDevice;
    private CapturingDevice tapDevice;
    private int gbe;
    private int tap2;

    @BeforeEach
    void setUp() {
        h = new GraphHarness();
        interfaces = new InterfaceTableImpl(h.engine());
        neighbours = new NeighbourTableImpl();
        proxy = new ArpProxyImpl();
        new InterfaceOutputArc(h.engine(), interfaces);
        gbeDevice = new CapturingDevice("GigabitEthernet0/8/0", GBE_MAC);
        tapDevice = new CapturingDevice("tap2", TAP2_MAC);
        gbe = interfaces.register(gbeDevice);
        tap2 = interfaces.register(tapDevice);
        interfaces.setAdminUp(gbe, true);
        interfaces.setAdminUp(tap2, true);
        interfaces.addIp4Address(gbe, NODE_IP, 24);
        h.add(new EthernetInputNode(interfaces));
        h.add(new ArpInputNode(interfaces, neighbours, proxy));
        h.capture("ip4-input");
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, h.outstanding(), "buffers leaked");
        h.close();
    }

    @Test
    void requestForTheBoxAddressIsAnsweredOnTheSameInterfaceAndTheSenderLearned() {
        h.inject("ethernet-input", Frames.arp(BROADCAST, GATEWAY_MAC, 1, GATEWAY_MAC, GATEWAY_IP, 0, NODE_IP), gbe, true);
        h.run();
        assertEquals(1, h.error("arp-input", "replies-sent"));
        assertEquals(1, gbeDevice.sent.size());
        assertArrayEquals(Frames.arp(GATEWAY_MAC, GBE_MAC, 2, GBE_MAC, NODE_IP, GATEWAY_MAC, GATEWAY_IP),
                gbeDevice.sent.get(0));
        assertTrue(h.trace().contains("request, type ethernet/IP4, address size 6/4\n"
                + "  08:00:27:02:a5:36/192.168.16.100 -> 00:00:00:00:00:00/192.168.16.1"), h.trace());
        assertEquals(NeighbourTable.NO_MAC, neighbours.mac(gbe, GATEWAY_IP), "learned only when maintained");
        neighbours.maintain(System.nanoTime());
        assertEquals(GATEWAY_MAC, neighbours.mac(gbe, GATEWAY_IP));
    }

    @Test
    void podGatewayIsAnsweredWithTheTapMacWhenProxyArpIsOn() {
        byte[] request = Frames.arp(BROADCAST, POD_MAC, 1, POD_MAC, POD_IP, 0, POD_GATEWAY);
        h.inject("ethernet-input", request, tap2, false);
        h.run();
        assertEquals(1, h.error("arp-input", "l3-dst-address-not-local"), "proxy off: not ours");
        assertEquals(0, tapDevice.sent.size());

        proxy.setEnabled(tap2, true);
        h.inject("ethernet-input", request, tap2, false);
        h.run();
        assertEquals(1, h.error("arp-input", "proxy-replies-sent"));
        assertArrayEquals(Frames.arp(POD_MAC, TAP2_MAC, 2, TAP2_MAC, POD_GATEWAY, POD_MAC, POD_IP), tapDevice.sent.get(0));
        assertEquals(0, gbeDevice.sent.size());
        neighbours.maintain(System.nanoTime());
        assertEquals(POD_MAC, neighbours.mac(tap2, POD_IP));
    }

    @Test
    void proxyArpAnswersForSingleHostsOnly() {
        // Found by SeedGraphFuzzTest (bench): the pod's request for 255.72.75.233 got a proxy reply. Nobody
        // owns a multicast, class E, broadcast, loopback or this-network address (RFC 1122 section 3.2.1.3).
        proxy.setEnabled(tap2, true);
        int[] targets = {0xff484be9, 0xffffffff, 0xe0000001, 0x7f000001, 0x00000001};
        for (int target : targets) {
            h.inject("ethernet-input", Frames.arp(BROADCAST, POD_MAC, 1, POD_MAC, POD_IP, 0, target), tap2, false);
        }
        h.run();
        assertEquals(targets.length, h.error("arp-input", "l3-dst-address-not-local"));
        assertEquals(0, h.error("arp-input", "proxy-replies-sent"));
        assertEquals(0, tapDevice.sent.size());
    }

    @Test
    void replyToTheBoxIsLearnedAndCounted() {
        h.inject("ethernet-input", Frames.arp(GBE_MAC, GATEWAY_MAC, 2, GATEWAY_MAC, GATEWAY_IP, GBE_MAC, NODE_IP), gbe, false);
        h.run();
        assertEquals(1, h.error("arp-input", "replies-received"));
        neighbours.maintain(System.nanoTime());
        assertEquals(GATEWAY_MAC, neighbours.mac(gbe, GATEWAY_IP));
        assertEquals(0, gbeDevice.sent.size());
    }

    @Test
    void malformedAndSuspiciousPacketsAreCountedByKind() {
        byte[] badHardware = Frames.arp(BROADCAST, GATEWAY_MAC, 1, GATEWAY_MAC, GATEWAY_IP, 0, NODE_IP);
        badHardware[15] = 6; // IEEE 802 hardware type
        byte[] badProtocol = Frames.arp(BROADCAST, GATEWAY_MAC, 1, GATEWAY_MAC, GATEWAY_IP, 0, NODE_IP);
        badProtocol[16] = (byte) 0x86;
        badProtocol[17] = (byte) 0xdd;
        h.inject("ethernet-input", badHardware, gbe, false);
        h.inject("ethernet-input", badProtocol, gbe, false);
        h.inject("ethernet-input", Frames.arp(BROADCAST, GATEWAY_MAC, 1, 0x020000000001L, GATEWAY_IP, 0, NODE_IP), gbe, false);
        h.inject("ethernet-input", Frames.arp(BROADCAST, GATEWAY_MAC, 1, GATEWAY_MAC, GATEWAY_IP, 0, GATEWAY_IP), gbe, false);
        h.inject("ethernet-input", Frames.arp(BROADCAST, GATEWAY_MAC, 1, GATEWAY_MAC, NODE_IP, 0, 0xc0a81002), gbe, false);
        h.inject("ethernet-input", Frames.arp(BROADCAST, GATEWAY_MAC, 3, GATEWAY_MAC, GATEWAY_IP, 0, NODE_IP), gbe, false);
        h.inject("ethernet-input", Frames.arp(GBE_MAC, GATEWAY_MAC, 2, GATEWAY_MAC, GATEWAY_IP, GBE_MAC, 0xc0a81009), gbe, false);
        byte[] runt = new byte[30];
        System.arraycopy(Frames.arp(BROADCAST, GATEWAY_MAC, 1, GATEWAY_MAC, GATEWAY_IP, 0, NODE_IP), 0, runt, 0, 30);
        h.inject("ethernet-input", runt, gbe, false);
        h.run();
        assertEquals(1, h.error("arp-input", "l2-type-not-ethernet"));
        assertEquals(1, h.error("arp-input", "l3-type-not-ip4"));
        assertEquals(1, h.error("arp-input", "l2-address-mismatch"));
        assertEquals(1, h.error("arp-input", "gratuitous-arp"));
        assertEquals(1, h.error("arp-input", "l3-src-address-is-local"));
        assertEquals(1, h.error("arp-input", "opcode-not-request"));
        assertEquals(1, h.error("arp-input", "l3-dst-address-not-local"));
        assertEquals(1, h.error("arp-input", "too-short"));
        assertEquals(0, gbeDevice.sent.size());
    }
}
