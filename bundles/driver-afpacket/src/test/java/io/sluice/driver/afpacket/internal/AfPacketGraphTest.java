package io.sluice.driver.afpacket.internal;

import io.sluice.nativeio.testing.NamespaceLab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.packet.api.PacketFormat;
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

    private VethLab<AfPacketInputNode> lab;
    private List<Captured> ethernetInput;
    private HostPortComponent component;

    @BeforeEach
    void setUp() {
        assumeTrue(NamespaceLab.isRoot(), "needs root: creates network namespaces and a veth pair");
        lab = VethLab.open(BOX, PEER, GBE, PEER_IF, AfPacketInputNode::new);
        ethernetInput = lab.ethernetInput();
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close(component != null ? component::deactivate : null);
        }
    }

    static Map<String, Object> gbeConfig() {
        return VethLab.portConfig("io.sluice.driver.afpacket~slnod", GBE, BOX);
    }

    @Test
    void macOverrideIsWrittenAndTheFirstArpIsTracedWithItsRingHeader() {
        component = new HostPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        HostPort port = component.port();
        int sw = port.swIfIndex();
        assertEquals(1, sw);
        assertEquals(PacketFormat.parseMac(VethLab.GBE_MAC), port.macAddress());
        assertTrue(NamespaceLab.run("ip", "-n", BOX, "link", "show", GBE).contains("link/ether " + VethLab.GBE_MAC));
        assertEquals(1500, port.mtu());
        assertTrue(port.linkUp());

        String trace = lab.firstArpTraced(AfPacketInputNode.NAME, sw);
        assertTrue(Pattern.compile(": af-packet-input\n"
                + "  af_packet: hw_if_index 1 next-index 4\n"
                + "    tpacket3_hdr:\n"
                + "      status 0x[0-9a-f]+ len 42 snaplen 42 mac \\d+ net \\d+\n"
                + "      sec 0x[0-9a-f]+ nsec 0x[0-9a-f]+ vlan 0 vlan_tpid 0\n"
                + "  ARP: ").matcher(trace).find(), trace);
        assertEquals(VethLab.NAME, lab.stats(sw).name());
    }

    @Test
    void arpRequestInjectedAtTheOutputNodeLeavesOnTheVethAndThePeerLearnsTheBox() {
        component = new HostPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        lab.anArpRequestLeavesAndTheReplyComesBack(component.port().swIfIndex());
    }

    @Test
    void aTracedFrameLeavesWithItsTxRecordAsVppTracesAHostInterface() {
        component = new HostPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        int sw = component.port().swIfIndex();
        lab.aTracedFrameLeavesWithItsTxRecord(sw, "  af_packet: hw_if_index " + sw + " tx-queue 0\n"
                + "    vnet-hdr:\n"
                + "      flags 0x00 gso_type 0x00 hdr_len 0\n"
                + "      gso_size 0 csum_start 0 csum_offset 0\n");
    }

    @Test
    void adminDownDropsWithCountersAndLinkFollowsThePeer() {
        component = new HostPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        HostPort port = component.port();
        int sw = port.swIfIndex();
        lab.table().setAdminUp(sw, false);
        lab.harness().inject(VethLab.NAME + "-output", VethLab.arpRequest(), 0, false);
        lab.engine().runUntilIdle();
        assertEquals(1, lab.harness().error(VethLab.NAME + "-output", "interface-down"));
        lab.peerSendsTo("10.9.0.1", 10);
        lab.runUntil(() -> lab.harness().error(AfPacketInputNode.NAME, "interface-down") > 0);
        assertTrue(lab.harness().error(AfPacketInputNode.NAME, "interface-down") > 0);
        assertTrue(ethernetInput.isEmpty());
        assertTrue(lab.stats(sw).drops() >= 2);
        lab.table().setAdminUp(sw, true);

        assertTrue(port.linkUp());
        // the kernel's link watch applies carrier changes to the flags a moment later (net/core/link_watch.c)
        NamespaceLab.run("ip", "-n", PEER, "link", "set", PEER_IF, "down");
        lab.runUntil(() -> !port.linkUp());
        assertFalse(port.linkUp(), "a veth whose peer is down has no carrier");
        assertFalse(lab.stats(sw).linkUp());
        NamespaceLab.run("ip", "-n", PEER, "link", "set", PEER_IF, "up");
        lab.runUntil(port::linkUp);
        assertTrue(port.linkUp());
        assertEquals(0, lab.harness().outstanding());
    }

    @Test
    void framesLongerThanTheInterfaceMtuAreCountedAsOversize() {
        NamespaceLab.run("ip", "-n", BOX, "link", "set", GBE, "mtu", "3000");
        NamespaceLab.run("ip", "-n", PEER, "link", "set", PEER_IF, "mtu", "3000");
        NamespaceLab.run("ip", "-n", PEER, "neigh", "replace", "10.9.0.1", "lladdr", VethLab.GBE_MAC, "dev", PEER_IF,
                "nud", "permanent");
        component = new HostPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        int sw = component.port().swIfIndex();
        assertEquals(3000, component.port().mtu());
        lab.table().setMtu(sw, 1500);
        lab.peerSendsTo("10.9.0.1", 2000);
        lab.runUntil(() -> lab.harness().error(AfPacketInputNode.NAME, "oversize") > 0);
        assertEquals(1, lab.harness().error(AfPacketInputNode.NAME, "oversize"));
        assertTrue(ethernetInput.isEmpty());
        assertEquals(1, lab.stats(sw).rxErrors());
        assertEquals(0, lab.harness().outstanding());
    }

    @Test
    void hotSwapReopensTheSocketsAndKeepsTheSwIfIndex() {
        component = new HostPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        int sw = component.port().swIfIndex();
        long start = System.nanoTime();
        component.deactivate();
        component = new HostPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        long reopened = System.nanoTime();
        System.out.printf("af_packet hot swap: sockets closed and re-opened in %.1f ms%n", (reopened - start) / 1e6);
        lab.theReopenedPortKeepsItsSwIfIndexAndCarriesTraffic(sw, component.port().swIfIndex(),
                lab.input().deviceInput().ports().size());
    }
}
