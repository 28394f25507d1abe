package io.sluice.driver.afxdp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.driver.afxdp.api.AfXdpConfig;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.nativeio.testing.NamespaceLab;
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
 * af_xdp-input, GigabitEthernet0/8/0-output and the port component on a veth pair between two namespaces the
 * test creates: the box's side {@value #GBE} in {@value #BOX} (bound through AF_XDP, libxdp's program on it,
 * the lab's MAC written to it) and a peer {@value #PEER_IF} 10.9.0.2/24 in {@value #PEER}. Root only, and only
 * where libxdp loads; run under the lab lock (flock /tmp/sluice-lab.lock).
 */
class AfXdpGraphTest {

    static final String BOX = "sluice-xdp-a";
    static final String PEER = "sluice-xdp-b";
    static final String GBE = "slxdpgbe";
    static final String PEER_IF = "slxdppeer0";
    static final String GBE_MAC = VethLab.GBE_MAC;
    static final String NAME = VethLab.NAME;

    private VethLab<AfXdpInputNode> lab;
    private GraphHarness harness;
    private GraphEngine engine;
    private InterfaceTableImpl table;
    private AfXdpInputNode input;
    private List<Captured> ethernetInput;
    private XskPortComponent component;

    @BeforeEach
    void setUp() {
        assumeTrue(NamespaceLab.isRoot(), "needs root: creates network namespaces, a veth pair and an XDP program");
        assumeTrue(LibXdp.unavailableReason() == null, LibXdp.unavailableReason());
        lab = VethLab.open(BOX, PEER, GBE, PEER_IF, AfXdpInputNode::new);
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
        return VethLab.portConfig("io.sluice.driver.afxdp~slxdp", GBE, BOX);
    }

    @Test
    void theFirstArpFromTheNamespaceArrivesAtAfXdpInputAndIsTracedWithItsDescriptor() {
        component = new XskPortComponent(engine, table, input, gbeConfig());
        XskPort port = component.port();
        int sw = port.swIfIndex();
        assertEquals(PacketFormat.parseMac(GBE_MAC), port.macAddress());
        assertTrue(NamespaceLab.run("ip", "-n", BOX, "link", "show", GBE).contains("link/ether " + GBE_MAC));
        assertTrue(NamespaceLab.run("ip", "-n", BOX, "link", "show", GBE).contains(" xdp"),
                "libxdp's program is attached in native mode");
        System.out.println("af_xdp on a veth: bound " + port.device().boundMode());
        assertTrue(port.linkUp());

        engine.traceAdd(AfXdpInputNode.NAME, 1);
        lab.peerSendsTo("10.9.0.1", 10);
        lab.runUntil(() -> !ethernetInput.isEmpty());
        assertFalse(ethernetInput.isEmpty(), "the peer's ARP request did not arrive");
        Captured arp = ethernetInput.get(0);
        assertEquals(42, arp.bytes().length);
        assertEquals(sw, arp.rxSwIfIndex());
        String trace = harness.trace();
        assertTrue(Pattern.compile(": af_xdp-input\n"
                + "  af_xdp: hw_if_index " + sw + " next-index 4\n"
                + "    xdp_desc: addr 0x[0-9a-f]+ len 42\n"
                + "  ARP: ").matcher(trace).find(), trace);
        InterfaceStats gbe = lab.stats(sw);
        assertTrue(gbe.rxPackets() >= 1 && gbe.rxBytes() >= 42, gbe.toString());
        assertEquals(0, harness.error(AfXdpInputNode.NAME, "kernel-rx-dropped"));
    }

    @Test
    void anArpRequestTheGraphSendsLeavesOnTheVethAndThePeersReplyComesBack() {
        component = new XskPortComponent(engine, table, input, gbeConfig());
        int sw = component.port().swIfIndex();
        harness.inject(NAME + "-output", VethLab.arpRequest(), 0, false);
        lab.runUntil(() -> !ethernetInput.isEmpty());

        String neighbours = NamespaceLab.run("ip", "-n", PEER, "neigh", "show", "10.9.0.1");
        assertTrue(neighbours.contains(GBE_MAC), neighbours);
        assertFalse(ethernetInput.isEmpty(), "the peer's ARP reply did not come back");
        assertEquals(2, ethernetInput.get(0).bytes()[21], "ARP opcode");
        assertEquals(1, lab.stats(sw).txPackets());
        assertEquals(0, lab.stats(sw).txErrors());
        assertEquals(0, harness.outstanding());
    }

    @Test
    void aTracedFrameLeavesWithItsTxRecord() {
        component = new XskPortComponent(engine, table, input, gbeConfig());
        int sw = component.port().swIfIndex();
        harness.inject(NAME + "-output", VethLab.arpRequest(), 0, true);
        lab.runUntil(() -> !ethernetInput.isEmpty());
        String trace = harness.trace();
        assertTrue(Pattern.compile(": " + Pattern.quote(NAME) + "-tx\n"
                + "  af_xdp: hw_if_index " + sw + " tx-queue 0\n"
                + "    buffer 0x[0-9a-f]+:\n"
                + "      current data 0, length 42, buffer-pool 0, ref-count 1, trace handle 0x[0-9a-f]+\n"
                + "    ARP: " + GBE_MAC + " -> ff:ff:ff:ff:ff:ff\n"
                + "    request, type ethernet/IP4, address size 6/4\n").matcher(trace).find(), trace);
        assertEquals(1, lab.stats(sw).txPackets());
        assertEquals(0, harness.outstanding());
    }

    /**
     * More frames than one copy-mode sendto(2) sends (32) and than one frame of the graph holds, so the kick loop
     * and the reclaim of completed frames both run; every frame reaches the peer (its rx_packets counter).
     */
    @Test
    void aThousandFramesTheGraphSendsAllArriveInTheNamespace() {
        component = new XskPortComponent(engine, table, input, gbeConfig());
        XskPort port = component.port();
        int sw = port.swIfIndex();
        long before = lab.peerRxPackets();
        int frames = 1000;
        byte[] frame = broadcast(60);
        for (int i = 0; i < frames; i++) {
            harness.inject(NAME + "-output", frame, 0, false);
            if (i % 100 == 99) {
                engine.runUntilIdle();
            }
        }
        lab.runUntil(() -> lab.stats(sw).txPackets() + lab.stats(sw).txErrors() >= frames);
        assertEquals(frames, lab.stats(sw).txPackets(), "tx errors: " + lab.stats(sw).txErrors());
        lab.waitFor(() -> lab.peerRxPackets() - before >= frames);
        assertEquals(frames, lab.peerRxPackets() - before, "frames the peer received");
        assertEquals(frames, port.device().txPackets());
        assertEquals(0, port.device().txRingFull());
        assertEquals(0, harness.outstanding());
    }

    @Test
    void closingDetachesLibxdpsProgramAndAReopenedPortKeepsItsSwIfIndex() {
        component = new XskPortComponent(engine, table, input, gbeConfig());
        int sw = component.port().swIfIndex();
        component.deactivate();
        component = null;
        assertFalse(NamespaceLab.run("ip", "-n", BOX, "link", "show", GBE).contains(" xdp"),
                "the last socket's deletion unloads the program");
        component = new XskPortComponent(engine, table, input, gbeConfig());
        assertEquals(sw, component.port().swIfIndex());
        assertEquals(1, input.deviceInput().ports().size());
        lab.peerSendsTo("10.9.0.1", 10);
        lab.runUntil(() -> !ethernetInput.isEmpty());
        assertFalse(ethernetInput.isEmpty(), "no traffic after the reopen");
    }

    @Test
    void zeroCopyIsRefusedOnAVethAndCopyModeBinds() {
        AfXdpConfig copy = new AfXdpConfig(0, 256, 256, 2048, AfXdpConfig.BindMode.COPY);
        AfXdpConfig zeroCopy = new AfXdpConfig(0, 256, 256, 2048, AfXdpConfig.BindMode.ZERO_COPY);
        NamespaceLab.run("ip", "-n", BOX, "link", "set", GBE, "up");
        String refused = io.sluice.nativeio.api.NetNamespace.call(BOX, () -> {
            try (AfXdpDevice device = AfXdpDevice.open(GBE, zeroCopy)) {
                return "bound " + device.boundMode();
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        System.out.println("af_xdp zero-copy on a veth: " + refused);
        AfXdpConfig.BindMode bound = io.sluice.nativeio.api.NetNamespace.call(BOX, () -> {
            try (AfXdpDevice device = AfXdpDevice.open(GBE, copy)) {
                return device.boundMode();
            }
        });
        assertEquals(AfXdpConfig.BindMode.COPY, bound);
    }

    /** An Ethernet broadcast of {@code length} bytes with the IEEE local experimental EtherType 0x88b5. */
    static byte[] broadcast(int length) {
        byte[] frame = new byte[length];
        long box = PacketFormat.parseMac(GBE_MAC);
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) 0xff;
            frame[6 + i] = (byte) (box >>> (40 - 8 * i));
        }
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xb5;
        return frame;
    }
}
