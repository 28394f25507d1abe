package io.sluice.driver.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.driver.dpdk.api.HardwareProfile;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.internal.InterfaceTableImpl;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DPDK driver on a veth pair through DPDK's net_af_packet PMD: sltdp0 here is the port, sltdp1 is its
 * peer in namespace sltdp-lab. Frames sent from the namespace come out of dpdk-input; frames sent through
 * the Device arrive in the namespace. Needs root and Debian's dpdk package; the EAL starts once for the
 * whole class (this module runs each test class in its own JVM).
 */
class DpdkLabTest {

    private static final String NAMESPACE = "sltdp-lab";
    private static final String PORT_IF = "sltdp0";
    private static final String PEER_IF = "sltdp1";
    private static final String NAME = "GigabitEthernet0/8/0";
    private static final long PEER_MAC = 0x02_00_00_00_00_01L;

    private static Rte rte;
    private static DpdkPort port;
    private static GraphHarness harness;
    private static InterfaceTable interfaces;
    private static int swIfIndex;
    private static List<GraphHarness.Captured> received;
    private static MbufPool mbufs;
    private static HardwareProfile profile;
    private static DpdkInputNode input;

    @BeforeAll
    static void startDpdk() {
        assumeTrue(Lab.isRoot(), "needs root: creates a network namespace and a veth pair");
        try {
            rte = Rte.bind();
        } catch (DpdkUnavailableException e) {
            assumeTrue(false, "DPDK is not usable here: " + e.getMessage());
        }
        Lab.vethIntoNamespace(NAMESPACE, PORT_IF, PEER_IF);
        profile = HardwareProfileReader.parse("dpdk-lab-test", String.join("\n",
                "dpdk.lcores = 1",
                "dpdk.eal-args = --no-huge --no-shconf --no-pci --no-telemetry",
                "port.gbe.driver = dpdk",
                "port.gbe.name = " + NAME,
                "port.gbe.vdev = net_af_packet0,iface=" + PORT_IF + ",framecnt=4096"));
        Eal.start(rte, Eal.arguments(profile));
        mbufs = MbufPool.open(rte, profile.dpdkMbufs());
        port = DpdkPort.open(rte, mbufs, profile.ports().get(0));

        harness = new GraphHarness();
        interfaces = new InterfaceTableImpl(harness.engine());
        swIfIndex = interfaces.register(port);
        port.setSwIfIndex(swIfIndex);
        interfaces.setAdminUp(swIfIndex, true);
        input = new DpdkInputNode(interfaces);
        input.setPorts(List.of(port));
        harness.add(input);
        // IPv4 addressed to the port skips ethernet-input, as in the seed's SYN-ACK trace.
        received = harness.capture("ip4-input");
        harness.capture("ethernet-input");
    }

    @AfterAll
    static void stopDpdk() {
        if (port != null) {
            port.stop();
        }
        if (harness != null) {
            harness.close();
        }
        Lab.removeNamespace(NAMESPACE, PORT_IF);
    }

    /**
     * What an update of driver-dpdk does to its port: the old instance lets it go running, the next one takes it
     * over (rte_eth_dev_configure refuses a started port) with its queues, so frames that arrived while no instance
     * polled are received by the next one and the link never went down.
     */
    @Test
    void aPortLeftRunningIsTakenOverByTheNextInstanceWithWhatItReceivedMeanwhile() throws InterruptedException {
        received.clear();
        harness.engine().withBarrier(() -> {
            input.setPorts(List.of());
            port.leaveRunning();
            return null;
        });
        interfaces.unregister(swIfIndex);
        byte[] meanwhile = Lab.udpFrame(port.macAddress(), PEER_MAC, 60, 0x5a);
        try (Lab.RawSender sender = new Lab.RawSender(NAMESPACE, PEER_IF)) {
            assertTrue(sender.send(meanwhile), "the namespace's socket sent a frame while no instance polled");
        }
        Thread.sleep(100);
        DpdkPort next = DpdkPort.open(rte, mbufs, profile.ports().get(0));
        assertTrue(next.tookOverRunningPort(), "the next instance took the running port over");
        port = next;
        swIfIndex = interfaces.register(port);
        port.setSwIfIndex(swIfIndex);
        interfaces.setAdminUp(swIfIndex, true);
        input.setPorts(List.of(port));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (received.isEmpty() && System.nanoTime() < deadline) {
            if (harness.run() == 0) {
                Thread.sleep(1);
            }
        }
        assertEquals(1, received.size(), "the frame that arrived between the instances was kept in the queue");
        assertArrayEquals(java.util.Arrays.copyOfRange(meanwhile, 14, meanwhile.length), received.get(0).bytes());
        assertEquals(0, harness.outstanding(), "every buffer freed");
    }

    @Test
    void framesSentInTheNamespaceComeOutOfDpdkInput() throws InterruptedException {
        received.clear();
        harness.engine().traceClear();
        harness.engine().traceAdd(DpdkInputNode.NAME, 3);
        long rxBefore = interfaces.counters(0).rxPackets[swIfIndex];
        byte[][] frames = new byte[5][];
        try (Lab.RawSender sender = new Lab.RawSender(NAMESPACE, PEER_IF)) {
            for (int i = 0; i < frames.length; i++) {
                frames[i] = Lab.udpFrame(port.macAddress(), PEER_MAC, 60, 0xa0 + i);
                assertTrue(sender.send(frames[i]), "the namespace's socket sent frame " + i);
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (received.size() < frames.length && System.nanoTime() < deadline) {
            if (harness.run() == 0) {
                Thread.sleep(1);
            }
        }
        assertEquals(frames.length, received.size(), "IPv4 frames through dpdk-input straight into ip4-input");
        for (int i = 0; i < frames.length; i++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(frames[i], 14, frames[i].length), received.get(i).bytes(),
                    "frame " + i + " arrives unchanged, its Ethernet header stepped over");
            assertEquals(swIfIndex, received.get(i).rxSwIfIndex(), "rx sw_if_index stamped");
        }
        assertEquals(frames.length, interfaces.counters(0).rxPackets[swIfIndex] - rxBefore, "interface rx packets");
        assertEquals(0, harness.outstanding(), "every buffer freed");

        String trace = harness.trace();
        assertTrue(trace.contains(": dpdk-input\n  " + NAME + " rx queue 0\n"), trace);
        assertTrue(trace.contains("  buffer 0x"), trace);
        assertTrue(trace.contains(": current data 14, length 46, free-list 0, clone-count 0, totlen-nifb 0, trace 0x"), trace);
        assertTrue(trace.contains("l2-hdr-offset 0 l3-hdr-offset 14 \n"), trace);
        assertTrue(trace.contains("  PKT MBUF: port " + port.portId() + ", nb_segs 1, pkt_len 60\n"), trace);
        assertTrue(trace.contains("    buf_len 2176, data_len 60, ol_flags 0x0, data_off 128, phys_addr 0x"), trace);
        assertTrue(trace.contains("    packet_type 0x0 l2_len 0 l3_len 0 outer_l2_len 0 outer_l3_len 0\n"), trace);
        assertTrue(trace.contains("  IP4: 02:00:00:00:00:01 -> "), trace);
        assertTrue(trace.contains("  UDP: 10.99.0.1 -> 10.99.0.2\n"), trace);
        assertEquals(3, trace.split(" rx queue 0").length - 1, "three packets traced, as asked");
    }

    @Test
    void framesTransmittedThroughTheDeviceArriveInTheNamespace() throws InterruptedException {
        harness.engine().traceClear();
        long before = Lab.counter(NAMESPACE, PEER_IF, "rx_packets");
        int count = 10;
        String output = InterfaceTable.outputNodeName(NAME);
        for (int i = 0; i < count; i++) {
            harness.inject(output, Lab.udpFrame(PEER_MAC, port.macAddress(), 74, i), 0, i == 0);
        }
        harness.run();
        assertEquals(0, harness.outstanding(), "the device freed every buffer");
        assertEquals(0, harness.error(InterfaceTable.txNodeName(NAME), "tx-failed"), "nothing refused");

        long deadline = System.nanoTime() + 5_000_000_000L;
        long arrived = 0;
        while (arrived < count && System.nanoTime() < deadline) {
            arrived = Lab.counter(NAMESPACE, PEER_IF, "rx_packets") - before;
            if (arrived < count) {
                Thread.sleep(20);
            }
        }
        assertEquals(count, arrived, "frames counted by the peer in the namespace");
        assertTrue(port.stats().opackets() >= count, "DPDK counted them sent: " + port.stats());

        String trace = harness.trace();
        assertTrue(trace.contains(": " + NAME + "-tx\n  " + NAME + " tx queue 0\n"), trace);
        assertTrue(trace.contains(": current data 0, length 74, free-list 0"), trace);
        assertTrue(trace.contains("  PKT MBUF: port 65535, nb_segs 1, pkt_len 74\n"), trace);
        assertTrue(trace.contains("    buf_len 2176, data_len 74, ol_flags 0x0, data_off 128, phys_addr 0x"), trace);
        assertTrue(!trace.contains("phys_addr 0x0\n"), "the real mbuf's address was captured: " + trace);
        assertTrue(trace.contains("  UDP: 10.99.0.1 -> 10.99.0.2\n"), trace);
    }

    @Test
    void anAdministrativelyDownInterfaceDropsWhatItReceives() throws InterruptedException {
        interfaces.setAdminUp(swIfIndex, false);
        try {
            received.clear();
            try (Lab.RawSender sender = new Lab.RawSender(NAMESPACE, PEER_IF)) {
                assertTrue(sender.send(Lab.udpFrame(port.macAddress(), PEER_MAC, 60, 0x55)));
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (harness.error(DpdkInputNode.NAME, "interface-down") == 0 && System.nanoTime() < deadline) {
                if (harness.run() == 0) {
                    Thread.sleep(1);
                }
            }
            assertEquals(1, harness.error(DpdkInputNode.NAME, "interface-down"));
            assertEquals(0, received.size(), "nothing reached ip4-input");
            assertEquals(0, harness.outstanding());
        } finally {
            interfaces.setAdminUp(swIfIndex, true);
        }
    }
}
