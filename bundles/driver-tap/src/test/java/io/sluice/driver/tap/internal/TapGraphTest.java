package io.sluice.driver.tap.internal;

import io.sluice.nativeio.testing.NamespaceLab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import io.sluice.vnet.api.PortAttachment;
import io.sluice.vnet.internal.InterfaceTableImpl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * virtio-input, tap2-output and the port component in a namespace lab: the pod {@value #POD} behind TAP
 * {@code tap2} (kernel name {@value #TAP_NAME} while it is in the box), 10.1.1.3 with a default route via
 * the virtual gateway 10.1.1.1, the box-side MAC and pod MAC of the seed. Five padding interfaces come first
 * so that tap2 is sw_if_index 6, as in the seed's trace.
 */
class TapGraphTest {
    /** OSGi Compendium 112.5.16: the component's bundle stopped (an update, the box going down). */
    private static final int BUNDLE_STOPPED = 6;

    static final String POD = "slnodpod1";
    static final String TAP_NAME = "slnodtap2";
    static final String BOX_MAC = "02:fe:16:3f:5f:0f";
    static final String POD_MAC = "00:00:00:00:00:02";
    /** TEST-NET-2 (RFC 5737): the SYN never leaves the lab, it ends in the capture node. */
    static final String SERVER = "198.51.100.80";

    private GraphHarness harness;
    private GraphEngine engine;
    private InterfaceTableImpl table;
    private VirtioInputNode input;
    private List<Captured> ethernetInput;
    private TapPortComponent component;
    private Process client;

    @BeforeEach
    void setUp() {
        assumeTrue(NamespaceLab.isRoot(), "needs root: creates a network namespace and a TAP device");
        NamespaceLab.createNamespace(POD);
        harness = new GraphHarness();
        engine = harness.engine();
        table = new InterfaceTableImpl(engine);
        input = new VirtioInputNode(table);
        harness.add(input);
        ethernetInput = harness.capture("ethernet-input");
        for (int i = 1; i <= 5; i++) {
            table.register(new PaddingDevice("slnodpad" + i));
        }
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.destroyForcibly();
        }
        if (component != null) {
            component.deactivate();
        }
        if (harness != null) {
            harness.close();
        }
        NamespaceLab.runQuietly("ip", "link", "del", TAP_NAME);
        NamespaceLab.runQuietly("ip", "netns", "del", POD);
    }

    static Map<String, Object> podConfig() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", "io.sluice.driver.tap~slnod");
        properties.put("name", "tap2");
        properties.put("tap.name", TAP_NAME);
        properties.put("mac", BOX_MAC);
        properties.put("mtu", "1500");
        properties.put("pod.namespace", POD);
        properties.put("pod.ifname", "eth0");
        properties.put("pod.mac", POD_MAC);
        properties.put("pod.addresses", "10.1.1.3/32");
        properties.put("pod.routes", new String[] {"10.1.1.1/32", "default via 10.1.1.1"});
        return properties;
    }

    private void startPort(Map<String, Object> properties) {
        component = new TapPortComponent(engine, table, input, properties);
    }

    /** The pod's gateway is resolved statically, so the first frame the pod sends is the SYN itself. */
    private static void staticGatewayNeighbour() {
        NamespaceLab.run("ip", "-n", POD, "neigh", "replace", "10.1.1.1", "lladdr", BOX_MAC, "dev", "eth0", "nud", "permanent");
    }

    private void connectFromPod() {
        client = NamespaceLab.start("ip", "netns", "exec", POD, "timeout", "3", "bash", "-c",
                "echo > /dev/tcp/" + SERVER + "/80");
    }

    /** Runs the graph until {@code done} or 5 s pass. */
    private void runUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            engine.runUntilIdle();
            NamespaceLab.sleep(2);
        }
        engine.runUntilIdle();
    }

    private InterfaceStats stats(int sw) {
        return table.stats().get(sw);
    }

    @Test
    void tcpSynFromThePodIsTracedAsInTheSeed() {
        startPort(podConfig());
        int sw = component.port().swIfIndex();
        assertEquals(6, sw);
        staticGatewayNeighbour();
        engine.traceAdd(VirtioInputNode.NAME, 1);
        connectFromPod();
        runUntil(() -> !ethernetInput.isEmpty());

        assertFalse(ethernetInput.isEmpty(), "the pod's SYN did not reach ethernet-input");
        Captured syn = ethernetInput.get(0);
        assertEquals(74, syn.bytes().length);
        assertEquals(6, syn.rxSwIfIndex());
        assertEquals(BOX_MAC + " " + POD_MAC, mac(syn.bytes(), 0) + " " + mac(syn.bytes(), 6));
        String trace = harness.trace();
        assertTrue(trace.contains(": virtio-input\n"
                + "  virtio: hw_if_index 6 next-index 4 vring 0 len 74\n"
                + "    hdr: flags 0x00 gso_type 0x00 hdr_len 0 gso_size 0 csum_start 0 csum_offset 0 num_buffers 1\n"),
                trace);
        assertTrue(trace.contains(": ethernet-input\n"), trace);
        InterfaceStats tap2 = stats(sw);
        assertEquals("tap2", tap2.name());
        assertTrue(tap2.rxPackets() >= 1 && tap2.rxBytes() >= 74, tap2.toString());
        assertEquals(0, tap2.rxErrors());
    }

    @Test
    void arpRequestInjectedAtTap2OutputReachesThePodWhichLearnsTheGatewayAndAnswers() {
        startPort(podConfig());
        int sw = component.port().swIfIndex();
        long podRxBefore = podCounter("rx_packets");
        harness.inject("tap2-output", arpRequest(), 0, false);
        runUntil(() -> !ethernetInput.isEmpty());

        assertTrue(podCounter("rx_packets") > podRxBefore, "the pod's eth0 received nothing");
        String neighbours = NamespaceLab.run("ip", "-n", POD, "neigh", "show", "10.1.1.1");
        assertTrue(neighbours.contains(BOX_MAC), neighbours);
        assertFalse(ethernetInput.isEmpty(), "the pod's ARP reply did not come back through virtio-input");
        byte[] reply = ethernetInput.get(0).bytes();
        assertEquals(0x0806, (reply[12] & 0xff) << 8 | (reply[13] & 0xff));
        assertEquals(2, reply[21], "ARP opcode");
        InterfaceStats tap2 = stats(sw);
        assertEquals(1, tap2.txPackets());
        assertEquals(42, tap2.txBytes());
        assertEquals(0, tap2.txErrors());
        assertEquals(0, harness.outstanding());
    }

    @Test
    void linkFollowsThePodAndAdminDownDropsWithCountersBothWays() {
        startPort(podConfig());
        TapPort port = component.port();
        int sw = port.swIfIndex();
        staticGatewayNeighbour();
        table.setAdminUp(sw, false);
        long podRxBefore = podCounter("rx_packets");
        harness.inject("tap2-output", arpRequest(), 0, false);
        engine.runUntilIdle();
        assertEquals(1, harness.error("tap2-output", "interface-down"));
        assertEquals(podRxBefore, podCounter("rx_packets"));

        connectFromPod();
        runUntil(() -> harness.error(VirtioInputNode.NAME, "interface-down") > 0);
        assertTrue(harness.error(VirtioInputNode.NAME, "interface-down") > 0);
        assertTrue(ethernetInput.isEmpty());
        InterfaceStats down = stats(sw);
        assertTrue(down.drops() >= 2, down.toString());
        assertEquals(0, down.rxPackets());

        table.setAdminUp(sw, true);
        runUntil(() -> !ethernetInput.isEmpty()); // the SYN's retransmission at 1 s
        assertFalse(ethernetInput.isEmpty(), "nothing arrived after admin up");
        assertEquals(0, harness.outstanding());

        // last: setting the pod's link down flushes its routes
        assertTrue(port.linkUp());
        NamespaceLab.run("ip", "-n", POD, "link", "set", "eth0", "down");
        assertFalse(port.linkUp());
        assertFalse(stats(sw).linkUp());
        NamespaceLab.run("ip", "-n", POD, "link", "set", "eth0", "up");
        assertTrue(port.linkUp());
        assertTrue(stats(sw).linkUp());
    }

    @Test
    void framesLongerThanTheInterfaceMtuAreCountedAsOversize() {
        Map<String, Object> properties = podConfig();
        // The largest pod MTU the port takes (a buffer's 2048 data bytes less 18 of Ethernet header and VLAN tag).
        properties.put("pod.mtu", "2030");
        startPort(properties);
        int sw = component.port().swIfIndex();
        staticGatewayNeighbour();
        // 2000 bytes of UDP: a 2042-byte frame, within the pod's MTU of 2030, beyond tap2's 1500 + 18
        NamespaceLab.run("ip", "netns", "exec", POD, "python3", "-c", "import socket; socket.socket(socket.AF_INET,"
                + " socket.SOCK_DGRAM).sendto(b'x' * 2000, ('10.1.1.1', 9))");
        runUntil(() -> harness.error(VirtioInputNode.NAME, "oversize") > 0);
        assertEquals(1, harness.error(VirtioInputNode.NAME, "oversize"));
        assertTrue(ethernetInput.isEmpty());
        assertEquals(1, stats(sw).rxErrors());
        assertEquals(0, harness.outstanding());
    }

    /**
     * An update of the driver (deactivated for any reason but a deleted configuration): the pod keeps its
     * interface, addresses and routes; the new instance attaches to the same TAP. Deleting the configuration
     * removes it.
     */
    @Test
    void hotSwapKeepsThePodInterfaceWithItsAddressesAndTheSwIfIndex() {
        startPort(podConfig());
        int sw = component.port().swIfIndex();
        String ifindexBefore = NamespaceLab.run("ip", "netns", "exec", POD, "cat", "/sys/class/net/eth0/ifindex").strip();
        long start = System.nanoTime();
        component.deactivate(BUNDLE_STOPPED);
        component = null;
        long closed = System.nanoTime();
        String kept = NamespaceLab.run("ip", "-n", POD, "addr", "show", "eth0");
        assertTrue(kept.contains("10.1.1.3/32"), "the pod's interface and address outlive the descriptor: " + kept);
        startPort(podConfig());
        long reopened = System.nanoTime();
        assertEquals(sw, component.port().swIfIndex());
        assertEquals(ifindexBefore, NamespaceLab.run("ip", "netns", "exec", POD, "cat", "/sys/class/net/eth0/ifindex")
                .strip(), "the same interface, never re-created");
        assertTrue(NamespaceLab.run("ip", "-n", POD, "route", "show").contains("default via 10.1.1.1"));
        System.out.printf("tap hot swap: close %.1f ms, attach %.1f ms, pod without carrier %.1f ms (never without"
                + " its interface)%n", (closed - start) / 1e6, (reopened - closed) / 1e6, (reopened - start) / 1e6);

        staticGatewayNeighbour();
        connectFromPod();
        runUntil(() -> !ethernetInput.isEmpty());
        assertFalse(ethernetInput.isEmpty(), "no traffic after the swap");
        assertEquals(sw, ethernetInput.get(0).rxSwIfIndex());
    }

    @Test
    void deletingTheConfigurationRemovesThePodInterface() {
        startPort(podConfig());
        component.deactivate(PortAttachment.CONFIGURATION_DELETED);
        component = null;
        String links = NamespaceLab.run("ip", "-n", POD, "-o", "link", "show");
        assertFalse(links.contains("eth0"), "the pod's interface went with its configuration: " + links);
    }

    private static long podCounter(String name) {
        return Long.parseLong(NamespaceLab.run("ip", "netns", "exec", POD, "cat", "/sys/class/net/eth0/statistics/" + name)
                .trim());
    }

    /** Who has 10.1.1.3? Tell 10.1.1.1 (the box's MAC): RFC 826, 42 bytes. */
    static byte[] arpRequest() {
        byte[] frame = new byte[42];
        long box = PacketFormat.parseMac(BOX_MAC);
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) 0xff;
            frame[6 + i] = (byte) (box >>> (40 - 8 * i));
            frame[22 + i] = frame[6 + i];
        }
        frame[12] = 0x08;
        frame[13] = 0x06;
        frame[15] = 1; // hardware type Ethernet
        frame[16] = 0x08; // protocol IPv4
        frame[18] = 6;
        frame[19] = 4;
        frame[21] = 1; // request
        byte[] sender = {10, 1, 1, 1};
        byte[] target = {10, 1, 1, 3};
        System.arraycopy(sender, 0, frame, 28, 4);
        System.arraycopy(target, 0, frame, 38, 4);
        return frame;
    }

    private static String mac(byte[] frame, int at) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = mac << 8 | (frame[at + i] & 0xff);
        }
        return PacketFormat.formatMac(mac);
    }

    /** An interface that is only there to take a sw_if_index; what is sent to it is freed. */
    private record PaddingDevice(String name) implements Device {
        @Override
        public long macAddress() {
            return 0x02_00_00_00_00_01L;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public boolean linkUp() {
            return false;
        }

        @Override
        public int transmit(BufferPool pool, int[] buffers, int count) {
            pool.free(buffers, 0, count);
            return 0;
        }
    }
}
