package io.sluice.vnet.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.Node;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.nativeio.testing.NamespaceLab;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import io.sluice.vnet.internal.InterfaceTableImpl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What a host-interface driver's graph test (AF_PACKET, AF_XDP) sets up the same way: two namespaces, a veth
 * pair between them (the box's side in the box's namespace, the peer's side 10.9.0.2/24 and up), a graph with
 * the driver's input node and a capture of ethernet-input, and the port configuration of the lab's
 * GigabitEthernet0/8/0 with its MAC. Root only; run under the lab lock. Closing removes both namespaces, and
 * with them the veth.
 *
 * @param <N> the driver's input node
 */
public final class VethLab<N extends Node> implements AutoCloseable {

    public static final String NAME = "GigabitEthernet0/8/0";
    public static final String GBE_MAC = "08:00:27:44:9f:d8";
    /** How long a wait for traffic may take on a loaded machine: the waits end as soon as it arrived. */
    private static final long DEADLINE_NANOS = 30_000_000_000L;

    private final String box;
    private final String peer;
    private final String gbe;
    private final String peerIf;
    private final GraphHarness harness = new GraphHarness();
    private final InterfaceTableImpl table;
    private final N input;
    private final List<Captured> ethernetInput;

    private VethLab(String box, String peer, String gbe, String peerIf, Function<InterfaceTable, N> inputNode) {
        this.box = box;
        this.peer = peer;
        this.gbe = gbe;
        this.peerIf = peerIf;
        this.table = new InterfaceTableImpl(harness.engine());
        this.input = inputNode.apply(table);
        harness.add(input);
        this.ethernetInput = harness.capture("ethernet-input");
    }

    /** Creates the namespaces and the veth pair, then the graph with {@code inputNode}'s node on the table. */
    public static <N extends Node> VethLab<N> open(String box, String peer, String gbe, String peerIf,
                                                   Function<InterfaceTable, N> inputNode) {
        NamespaceLab.createNamespace(box);
        NamespaceLab.createNamespace(peer);
        NamespaceLab.run("ip", "link", "add", gbe, "netns", box, "type", "veth", "peer", "name", peerIf, "netns", peer);
        NamespaceLab.run("ip", "-n", peer, "addr", "add", "10.9.0.2/24", "dev", peerIf);
        NamespaceLab.run("ip", "-n", peer, "link", "set", peerIf, "up");
        return new VethLab<>(box, peer, gbe, peerIf, inputNode);
    }

    /** The port configuration of {@link #NAME} on the box's side, with {@link #GBE_MAC} written to it. */
    public static Map<String, Object> portConfig(String pid, String gbe, String box) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", pid);
        properties.put("host.ifname", gbe);
        properties.put("name", NAME);
        properties.put("namespace", box);
        properties.put("mac", GBE_MAC);
        return properties;
    }

    public GraphHarness harness() {
        return harness;
    }

    public GraphEngine engine() {
        return harness.engine();
    }

    public InterfaceTableImpl table() {
        return table;
    }

    public N input() {
        return input;
    }

    /** What reached ethernet-input. */
    public List<Captured> ethernetInput() {
        return ethernetInput;
    }

    public String box() {
        return box;
    }

    public String peerIf() {
        return peerIf;
    }

    public String gbe() {
        return gbe;
    }

    /** Runs the graph until {@code done} holds or the deadline passed, then once more until idle. */
    public void runUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            harness.engine().runUntilIdle();
            NamespaceLab.sleep(2);
        }
        harness.engine().runUntilIdle();
    }

    /** Waits, without running the graph, until {@code done} holds or the deadline passed. */
    public void waitFor(BooleanSupplier done) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            NamespaceLab.sleep(20);
        }
    }

    /** The peer sends one UDP datagram to {@code address}: its kernel first asks for 10.9.0.1 by ARP. */
    public void peerSendsTo(String address, int payload) {
        NamespaceLab.run("ip", "netns", "exec", peer, "python3", "-c", "import socket; socket.socket(socket.AF_INET,"
                + " socket.SOCK_DGRAM).sendto(b'x' * " + payload + ", ('" + address + "', 9))");
    }

    /** The peer side's kernel rx_packets counter. */
    public long peerRxPackets() {
        return Long.parseLong(NamespaceLab.run("ip", "netns", "exec", peer, "cat",
                "/sys/class/net/" + peerIf + "/statistics/rx_packets").trim());
    }

    public InterfaceStats stats(int sw) {
        return table.stats().get(sw);
    }

    /**
     * The peer's first frame (its kernel's ARP request for 10.9.0.1) with a trace of {@code inputNode} armed: it
     * arrives at ethernet-input on {@code sw}, counted; returns the trace for the driver's lines.
     */
    public String firstArpTraced(String inputNode, int sw) {
        harness.engine().traceAdd(inputNode, 1);
        peerSendsTo("10.9.0.1", 10);
        runUntil(() -> !ethernetInput.isEmpty());
        assertFalse(ethernetInput.isEmpty(), "the peer's ARP request did not arrive");
        Captured arp = ethernetInput.get(0);
        assertEquals(42, arp.bytes().length);
        assertEquals(sw, arp.rxSwIfIndex());
        InterfaceStats gbeStats = stats(sw);
        assertTrue(gbeStats.rxPackets() >= 1 && gbeStats.rxBytes() >= 42, gbeStats.toString());
        return harness.trace();
    }

    /** An ARP request the graph sends on {@code sw} leaves on the veth, the peer learns the box and replies. */
    public void anArpRequestLeavesAndTheReplyComesBack(int sw) {
        harness.inject(NAME + "-output", arpRequest(), 0, false);
        runUntil(() -> !ethernetInput.isEmpty());
        String neighbours = NamespaceLab.run("ip", "-n", peer, "neigh", "show", "10.9.0.1");
        assertTrue(neighbours.contains(GBE_MAC), neighbours);
        assertFalse(ethernetInput.isEmpty(), "the peer's ARP reply did not come back");
        assertEquals(2, ethernetInput.get(0).bytes()[21], "ARP opcode");
        assertEquals(1, stats(sw).txPackets());
        assertEquals(0, stats(sw).txErrors());
        assertEquals(0, harness.outstanding());
    }

    /**
     * A traced ARP request leaves {@code sw} with its tx record: {@code <if>-tx}, then {@code driverLines} (a
     * pattern of the driver's lines, from its port line on), then the buffer and the frame's decode.
     */
    public void aTracedFrameLeavesWithItsTxRecord(int sw, String driverLines) {
        harness.inject(NAME + "-output", arpRequest(), 0, true);
        runUntil(() -> !ethernetInput.isEmpty());
        String trace = harness.trace();
        assertTrue(Pattern.compile(": " + Pattern.quote(NAME) + "-tx\n" + driverLines
                + "    buffer 0x[0-9a-f]+:\n"
                + "      current data 0, length 42, buffer-pool 0, ref-count 1, trace handle 0x[0-9a-f]+\n"
                + "    ARP: " + GBE_MAC + " -> ff:ff:ff:ff:ff:ff\n"
                + "    request, type ethernet/IP4, address size 6/4\n").matcher(trace).find(), trace);
        assertEquals(1, stats(sw).txPackets());
        assertEquals(0, harness.outstanding());
    }

    /** After a port was closed and opened again: the same sw_if_index, polled once, and traffic arrives. */
    public void theReopenedPortKeepsItsSwIfIndexAndCarriesTraffic(int swBefore, int swAfter, int portsPolled) {
        assertEquals(swBefore, swAfter);
        assertEquals(1, portsPolled);
        peerSendsTo("10.9.0.1", 10);
        runUntil(() -> !ethernetInput.isEmpty());
        assertFalse(ethernetInput.isEmpty(), "no traffic after the reopen");
    }

    /** Who has 10.9.0.2? Tell 10.9.0.1 (the box's GbE MAC): RFC 826, 42 bytes. */
    public static byte[] arpRequest() {
        byte[] frame = new byte[42];
        long boxMac = PacketFormat.parseMac(GBE_MAC);
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) 0xff;
            frame[6 + i] = (byte) (boxMac >>> (40 - 8 * i));
            frame[22 + i] = frame[6 + i];
        }
        frame[12] = 0x08;
        frame[13] = 0x06;
        frame[15] = 1;
        frame[16] = 0x08;
        frame[18] = 6;
        frame[19] = 4;
        frame[21] = 1;
        byte[] sender = {10, 9, 0, 1};
        byte[] target = {10, 9, 0, 2};
        System.arraycopy(sender, 0, frame, 28, 4);
        System.arraycopy(target, 0, frame, 38, 4);
        return frame;
    }

    /** {@code first} (closing the test's port component, when it has one), then {@link #close()}. */
    public void close(Runnable first) {
        try {
            if (first != null) {
                first.run();
            }
        } finally {
            close();
        }
    }

    /** Closes the graph and removes both namespaces (the veth goes with them). */
    @Override
    public void close() {
        harness.close();
        NamespaceLab.runQuietly("ip", "netns", "del", peer);
        NamespaceLab.runQuietly("ip", "netns", "del", box);
    }
}
