package io.sluice.driver.afpacket.internal;

import io.sluice.nativeio.testing.NamespaceLab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.VethLab;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * af-packet-input, GigabitEthernet0/8/0-output and the port component on a veth pair between two namespaces
 * the test creates: the box's side {@value #GBE} in {@value #BOX} (opened through AF_PACKET with the lab's
 * MAC written to it) and a peer {@value #PEER_IF} 10.9.0.2/24 in {@value #PEER}.
 */
class AfPacketGraphTest {

    static final String BOX = "slnodbox";
    static final String PEER = "slnodpeer";
    static final String GBE = "slnodgbe";
    static final String PEER_IF = "slnodpeer0";
    static final String GBE_MAC = VethLab.GBE_MAC;
    static final String NAME = VethLab.NAME;

    private VethLab<AfPacketInputNode> lab;
    private GraphHarness harness;
    private GraphEngine engine;
    private InterfaceTableImpl table;
    private AfPacketInputNode input;
    private List<Captured> ethernetInput;
    private HostPortComponent component;

    @BeforeEach
    void setUp() {
        assumeTrue(NamespaceLab.isRoot(), "needs root: creates network namespaces and a veth pair");
        lab = VethLab.open(BOX, PEER, GBE, PEER_IF, AfPacketInputNode::new);
        harness = lab.harness();
        engine = lab.engine();
        table = lab.table();
        input = lab.input();
        ethernetInput = lab.ethernetInput();
    }

    @AfterEach
    void tearDown() {
        if (component != null) {
            component.deactivate();
        }
        if (lab != null) {
            lab.close();
        }
    }

    static Map<String, Object> gbeConfig() {
        return VethLab.portConfig("io.sluice.driver.afpacket~slnod", GBE, BOX);
    }

    @Test
    void macOverrideIsWrittenAndTheFirstArpIsTracedWithItsRingHeader() {
        component = new HostPortComponent(engine, table, input, gbeConfig());
        HostPort port = component.port();
        int sw = port.swIfIndex();
        assertEquals(1, sw);
        assertEquals(PacketFormat.parseMac(GBE_MAC), port.macAddress());
        assertTrue(NamespaceLab.run("ip", "-n", BOX, "link", "show", GBE).contains("link/ether " + GBE_MAC));
        assertEquals(1500, port.mtu());
        assertTrue(port.linkUp());

        engine.traceAdd(AfPacketInputNode.NAME, 1);
        lab.peerSendsTo("10.9.0.1", 10);
        lab.runUntil(() -> !ethernetInput.isEmpty());
        assertFalse(ethernetInput.isEmpty(), "the peer's ARP request did not arrive");
        Captured arp = ethernetInput.get(0);
        assertEquals(42, arp.bytes().length);
        assertEquals(sw, arp.rxSwIfIndex());
        String trace = harness.trace();
        assertTrue(Pattern.compile(": af-packet-input\n"
                + "  af_packet: hw_if_index 1 next-index 4\n"
                + "    tpacket3_hdr:\n"
                + "      status 0x[0-9a-f]+ len 42 snaplen 42 mac \\d+ net \\d+\n"
                + "      sec 0x[0-9a-f]+ nsec 0x[0-9a-f]+ vlan 0 vlan_tpid 0\n"
                + "  ARP: ").matcher(trace).find(), trace);
        InterfaceStats gbe = lab.stats(sw);
        assertEquals(NAME, gbe.name());
        assertTrue(gbe.rxPackets() >= 1 && gbe.rxBytes() >= 42, gbe.toString());
    }

    @Test
    void arpRequestInjectedAtTheOutputNodeLeavesOnTheVethAndThePeerLearnsTheBox() {
        component = new HostPortComponent(engine, table, input, gbeConfig());
        int sw = component.port().swIfIndex();
        harness.inject(NAME + "-output", VethLab.arpRequest(), 0, false);
        lab.runUntil(() -> !ethernetInput.isEmpty());

        String neighbours = NamespaceLab.run("ip", "-n", PEER, "neigh", "show", "10.9.0.1");
        assertTrue(neighbours.contains(GBE_MAC), neighbours);
        assertFalse(ethernetInput.isEmpty(), "the peer's ARP reply did not come back");
        byte[] reply = ethernetInput.get(0).bytes();
        assertEquals(2, reply[21], "ARP opcode");
        InterfaceStats gbe = lab.stats(sw);
        assertEquals(1, gbe.txPackets());
        assertEquals(0, gbe.txErrors());
        assertEquals(0, harness.outstanding());
    }

    @Test
    void aTracedFrameLeavesWithItsTxRecordAsVppTracesAHostInterface() {
        component = new HostPortComponent(engine, table, input, gbeConfig());
        int sw = component.port().swIfIndex();
        harness.inject(NAME + "-output", VethLab.arpRequest(), 0, true);
        lab.runUntil(() -> !ethernetInput.isEmpty());
        String trace = harness.trace();
        assertTrue(Pattern.compile(": " + Pattern.quote(NAME) + "-tx\n"
                + "  af_packet: hw_if_index " + sw + " tx-queue 0\n"
                + "    vnet-hdr:\n"
                + "      flags 0x00 gso_type 0x00 hdr_len 0\n"
                + "      gso_size 0 csum_start 0 csum_offset 0\n"
                + "    buffer 0x[0-9a-f]+:\n"
                + "      current data 0, length 42, buffer-pool 0, ref-count 1, trace handle 0x[0-9a-f]+\n"
                + "    ARP: " + GBE_MAC + " -> ff:ff:ff:ff:ff:ff\n"
                + "    request, type ethernet/IP4, address size 6/4\n").matcher(trace).find(), trace);
        assertEquals(1, lab.stats(sw).txPackets());
        assertEquals(0, harness.outstanding());
    }

    @Test
    void adminDownDropsWithCountersAndLinkFollowsThePeer() {
        component = new HostPortComponent(engine, table, input, gbeConfig());
        HostPort port = component.port();
        int sw = port.swIfIndex();
        table.setAdminUp(sw, false);
        harness.inject(NAME + "-output", VethLab.arpRequest(), 0, false);
        engine.runUntilIdle();
        assertEquals(1, harness.error(NAME + "-output", "interface-down"));
        lab.peerSendsTo("10.9.0.1", 10);
        lab.runUntil(() -> harness.error(AfPacketInputNode.NAME, "interface-down") > 0);
        assertTrue(harness.error(AfPacketInputNode.NAME, "interface-down") > 0);
        assertTrue(ethernetInput.isEmpty());
        assertTrue(lab.stats(sw).drops() >= 2);
        table.setAdminUp(sw, true);

        assertTrue(port.linkUp());
        // the kernel's link watch applies carrier changes to the flags a moment later (net/core/link_watch.c)
        NamespaceLab.run("ip", "-n", PEER, "link", "set", PEER_IF, "down");
        lab.runUntil(() -> !port.linkUp());
        assertFalse(port.linkUp(), "a veth whose peer is down has no carrier");
        assertFalse(lab.stats(sw).linkUp());
        NamespaceLab.run("ip", "-n", PEER, "link", "set", PEER_IF, "up");
        lab.runUntil(port::linkUp);
        assertTrue(port.linkUp());
        assertEquals(0, harness.outstanding());
    }

    @Test
    void framesLongerThanTheInterfaceMtuAreCountedAsOversize() {
        NamespaceLab.run("ip", "-n", BOX, "link", "set", GBE, "mtu", "3000");
        NamespaceLab.run("ip", "-n", PEER, "link", "set", PEER_IF, "mtu", "3000");
        NamespaceLab.run("ip", "-n", PEER, "neigh", "replace", "10.9.0.1", "lladdr", GBE_MAC, "dev", PEER_IF, "nud",
                "permanent");
        component = new HostPortComponent(engine, table, input, gbeConfig());
        int sw = component.port().swIfIndex();
        assertEquals(3000, component.port().mtu());
        table.setMtu(sw, 1500);
        lab.peerSendsTo("10.9.0.1", 2000);
        lab.runUntil(() -> harness.error(AfPacketInputNode.NAME, "oversize") > 0);
        assertEquals(1, harness.error(AfPacketInputNode.NAME, "oversize"));
        assertTrue(ethernetInput.isEmpty());
        assertEquals(1, lab.stats(sw).rxErrors());
        assertEquals(0, harness.outstanding());
    }

    @Test
    void hotSwapReopensTheSocketsAndKeepsTheSwIfIndex() {
        component = new HostPortComponent(engine, table, input, gbeConfig());
        int sw = component.port().swIfIndex();
        long start = System.nanoTime();
        component.deactivate();
        component = new HostPortComponent(engine, table, input, gbeConfig());
        long reopened = System.nanoTime();
        System.out.printf("af_packet hot swap: sockets closed and re-opened in %.1f ms%n", (reopened - start) / 1e6);
        assertEquals(sw, component.port().swIfIndex());
        assertEquals(1, input.deviceInput().ports().size());
        lab.peerSendsTo("10.9.0.1", 10);
        lab.runUntil(() -> !ethernetInput.isEmpty());
        assertFalse(ethernetInput.isEmpty(), "no traffic after the swap");
    }
}
