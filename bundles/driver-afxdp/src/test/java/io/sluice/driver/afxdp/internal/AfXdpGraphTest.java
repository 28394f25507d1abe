package io.sluice.driver.afxdp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.driver.afxdp.api.AfXdpConfig;
import io.sluice.nativeio.testing.NamespaceLab;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.testkit.VethLab;
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

    private VethLab<AfXdpInputNode> lab;
    private XskPortComponent component;

    @BeforeEach
    void setUp() {
        assumeTrue(NamespaceLab.isRoot(), "needs root: creates network namespaces, a veth pair and an XDP program");
        assumeTrue(LibXdp.unavailableReason() == null, LibXdp.unavailableReason());
        lab = VethLab.open(BOX, PEER, GBE, PEER_IF, AfXdpInputNode::new);
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close(component != null ? component::deactivate : null);
        }
    }

    @Test
    void theFirstArpFromTheNamespaceArrivesAtAfXdpInputAndIsTracedWithItsDescriptor() {
        component = new XskPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        XskPort port = component.port();
        int sw = port.swIfIndex();
        assertEquals(PacketFormat.parseMac(VethLab.GBE_MAC), port.macAddress());
        assertTrue(NamespaceLab.run("ip", "-n", BOX, "link", "show", GBE).contains("link/ether " + VethLab.GBE_MAC));
        assertTrue(NamespaceLab.run("ip", "-n", BOX, "link", "show", GBE).contains(" xdp"),
                "libxdp's program is attached in native mode");
        System.out.println("af_xdp on a veth: bound " + port.device().boundMode());
        assertTrue(port.linkUp());

        String trace = lab.firstArpTraced(AfXdpInputNode.NAME, sw);
        assertTrue(Pattern.compile(": af_xdp-input\n"
                + "  af_xdp: hw_if_index " + sw + " next-index 4\n"
                + "    xdp_desc: addr 0x[0-9a-f]+ len 42\n"
                + "  ARP: ").matcher(trace).find(), trace);
        assertEquals(0, lab.harness().error(AfXdpInputNode.NAME, "kernel-rx-dropped"));
    }

    @Test
    void anArpRequestTheGraphSendsLeavesOnTheVethAndThePeersReplyComesBack() {
        component = new XskPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        lab.anArpRequestLeavesAndTheReplyComesBack(component.port().swIfIndex());
    }

    @Test
    void aTracedFrameLeavesWithItsTxRecord() {
        component = new XskPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        int sw = component.port().swIfIndex();
        lab.aTracedFrameLeavesWithItsTxRecord(sw, "  af_xdp: hw_if_index " + sw + " tx-queue 0\n");
    }

    /**
     * More frames than one copy-mode sendto(2) sends (32) and than one frame of the graph holds, so the kick loop
     * and the reclaim of completed frames both run; every frame reaches the peer (its rx_packets counter).
     */
    @Test
    void aThousandFramesTheGraphSendsAllArriveInTheNamespace() {
        component = new XskPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        XskPort port = component.port();
        int sw = port.swIfIndex();
        long before = lab.peerRxPackets();
        int frames = 1000;
        byte[] frame = broadcast(60);
        for (int i = 0; i < frames; i++) {
            lab.harness().inject(VethLab.NAME + "-output", frame, 0, false);
            if (i % 100 == 99) {
                lab.engine().runUntilIdle();
            }
        }
        lab.runUntil(() -> lab.stats(sw).txPackets() + lab.stats(sw).txErrors() >= frames);
        assertEquals(frames, lab.stats(sw).txPackets(), "tx errors: " + lab.stats(sw).txErrors());
        lab.waitFor(() -> lab.peerRxPackets() - before >= frames);
        assertEquals(frames, lab.peerRxPackets() - before, "frames the peer received");
        assertEquals(frames, port.device().txPackets());
        assertEquals(0, port.device().txRingFull());
        assertEquals(0, lab.harness().outstanding());
    }

    @Test
    void closingDetachesLibxdpsProgramAndAReopenedPortKeepsItsSwIfIndex() {
        component = new XskPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        int sw = component.port().swIfIndex();
        component.deactivate();
        component = null;
        assertFalse(NamespaceLab.run("ip", "-n", BOX, "link", "show", GBE).contains(" xdp"),
                "the last socket's deletion unloads the program");
        component = new XskPortComponent(lab.engine(), lab.table(), lab.input(), gbeConfig());
        lab.theReopenedPortKeepsItsSwIfIndexAndCarriesTraffic(sw, component.port().swIfIndex(),
                lab.input().deviceInput().ports().size());
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
        long box = PacketFormat.parseMac(VethLab.GBE_MAC);
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) 0xff;
            frame[6 + i] = (byte) (box >>> (40 - 8 * i));
        }
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xb5;
        return frame;
    }

    static Map<String, Object> gbeConfig() {
        return VethLab.portConfig("io.sluice.driver.afxdp~slxdp", GBE, BOX);
    }
}
