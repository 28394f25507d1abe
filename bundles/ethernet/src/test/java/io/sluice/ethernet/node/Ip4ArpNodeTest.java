package io.sluice.ethernet.node;

import io.sluice.vnet.testkit.CapturingDevice;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.CapturingDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ip4ArpNodeTest {
    static final long GBE_MAC = 0x080027449fd8L;
    static final int NODE_IP = 0xc0a81001;
    static final int GATEWAY_IP = 0xc0a81064;

    private GraphHarness h;
    private InterfaceTableImpl interfaces;
    private CapturingDevice gbeDevice;
    private int gbe;

    @BeforeEach
    void setUp() {
        h = new GraphHarness();
        interfaces = new InterfaceTableImpl(h.engine());
        new InterfaceOutputArc(h.engine(), interfaces);
        gbeDevice = new CapturingDevice("GigabitEthernet0/8/0", GBE_MAC);
        gbe = interfaces.register(gbeDevice);
        interfaces.setAdminUp(gbe, true);
        h.add(new Ip4ArpNode(interfaces));
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, h.outstanding(), "buffers leaked");
        h.close();
    }

    private void unresolved(int target, boolean traced) {
        BufferPool pool = h.pool();
        int bi = h.inject("ip4-arp", new byte[60], 2, traced);
        pool.setTxSwIfIndex(bi, gbe);
        pool.setOpaque(bi, Ip4ArpNode.OPAQUE_RESOLVE, target);
    }

    @Test
    void missSendsOneBroadcastRequestFromTheSubnetAddressAndDropsThePacket() {
        interfaces.addIp4Address(gbe, 0x0a000001, 8);
        interfaces.addIp4Address(gbe, NODE_IP, 24);
        unresolved(GATEWAY_IP, true);
        h.run();
        assertEquals(1, h.error("ip4-arp", "request-sent"));
        assertEquals(1, gbeDevice.sent.size());
        assertArrayEquals(Frames.arp(0xffffffffffffL, GBE_MAC, 1, GBE_MAC, NODE_IP, 0, GATEWAY_IP), gbeDevice.sent.get(0));
        assertTrue(h.trace().contains("resolving 192.168.16.100 on GigabitEthernet0/8/0"), h.trace());
    }

    @Test
    void requestsForOneAddressAreThrottledToOneASecond() {
        interfaces.addIp4Address(gbe, NODE_IP, 24);
        for (int i = 0; i < 5; i++) {
            unresolved(GATEWAY_IP, false);
        }
        unresolved(GATEWAY_IP + 1, false);
        h.run();
        assertEquals(2, h.error("ip4-arp", "request-sent"));
        assertEquals(4, h.error("ip4-arp", "drop"));
        assertEquals(2, gbeDevice.sent.size());
    }

    @Test
    void interfaceWithoutAddressCannotAsk() {
        unresolved(GATEWAY_IP, false);
        h.run();
        assertEquals(1, h.error("ip4-arp", "no-source-address"));
        assertEquals(0, gbeDevice.sent.size());
    }
}
