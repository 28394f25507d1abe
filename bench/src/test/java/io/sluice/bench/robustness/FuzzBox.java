package io.sluice.bench.robustness;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclRule;
import io.sluice.acl.api.AclService;
import io.sluice.acl.testkit.AclTestkit;
import io.sluice.ethernet.api.ArpProxy;
import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ethernet.testkit.EthernetTestkit;
import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.testkit.TestGraph;
import io.sluice.ip4.testkit.Ip4Testkit;
import io.sluice.nat44.testkit.Nat44Testkit;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.testkit.CapturingDevice;
import io.sluice.vnet.testkit.VnetTestkit;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seed's box in memory (seed/POD_TO_INTERNET.md), every node of the path from the wire: GigabitEthernet0/8/0
 * (sw_if_index 1, 192.168.16.1/24, default route via 192.168.16.100) and tap2 (2, the pod 10.1.1.3/32 behind it,
 * proxy ARP), the ACLs of the seed (reflective on the pod port, the global list on the GbE's egress), NAT44 from
 * tap2 to the node address. Nothing in it depends on the wall clock or a secure random: the NAT's ports come from
 * a seeded generator and ICMP errors are not rate limited, so two boxes fed alike answer alike (only ip4-arp's
 * one-second throttle reads the clock).
 *
 * <p>Each frame goes into a buffer filled with a poison byte around it; a write there, or a poison byte sent,
 * shows a node working outside the packet.
 */
final class FuzzBox implements AutoCloseable {
    static final long GBE_MAC = 0x080027449fd8L;
    static final long GATEWAY_MAC = 0x08002702a536L;
    static final long TAP2_MAC = 0x02fe163f5f0fL;
    static final long POD_MAC = 0x000000000002L;
    static final int NODE_IP = 0xc0a81001;      // 192.168.16.1
    static final int GATEWAY_IP = 0xc0a81064;   // 192.168.16.100
    static final int POD_IP = 0x0a010103;       // 10.1.1.3
    /** ip4-arp drops the packet it cannot send yet and makes a request in a new buffer: one frame in, two outcomes. */
    static final String ARP_REQUESTS_NODE = "ip4-arp";
    static final String ARP_REQUESTS_COUNTER = "request-sent";

    final byte poison;
    private final MemorySegment poisonFill;
    private final TestGraph graph = TestGraph.withBuffersPerWorker(1024);
    final GraphRuntime runtime = graph.runtime();
    private final InterfaceTable interfaces = VnetTestkit.interfaceTable(runtime);
    private final NeighbourTable neighbours = EthernetTestkit.neighbourTable();
    private final ArpProxy proxy = EthernetTestkit.arpProxy();
    private final CapturingDevice gbeDevice = new CapturingDevice("GigabitEthernet0/8/0", GBE_MAC);
    private final CapturingDevice tapDevice = new CapturingDevice("tap2", TAP2_MAC);
    final int gbe = interfaces.register(gbeDevice);
    final int tap2 = interfaces.register(tapDevice);
    private final AclTestkit acl;
    private final Nat44Testkit nat;
    final BufferPool pool = graph.pool(0);
    private final int baseline;
    /** What the GbE was handed for the last frame. */
    final List<byte[]> sentGbe = new ArrayList<>();
    /** What tap2 was handed for the last frame. */
    final List<byte[]> sentTap = new ArrayList<>();
    /** The buffer the last frame was received into. */
    private int lastBuffer;

    FuzzBox(byte poison, long portSeed) {
        this.poison = poison;
        this.poisonFill = MemorySegment.ofArray(new byte[BufferPool.HEADROOM + BufferPool.DATA_SIZE]).fill(poison);
        interfaces.setAdminUp(gbe, true);
        interfaces.setAdminUp(tap2, true);
        interfaces.addIp4Address(gbe, NODE_IP, 24);
        EthernetTestkit.endInterfaceOutputArcs(runtime, interfaces);
        Ip4Testkit.Fib fib = Ip4Testkit.fib(interfaces, neighbours);
        neighbours.addStatic(gbe, GATEWAY_IP, GATEWAY_MAC);
        neighbours.addStatic(tap2, POD_IP, POD_MAC);
        fib.api().addRoute(0, 0, 0, GATEWAY_IP, gbe);
        fib.api().addRoute(0, POD_IP, 32, 0, tap2);
        proxy.setEnabled(tap2, true);
        graph.addNode(EthernetTestkit.ethernetInput(interfaces));
        graph.addNode(EthernetTestkit.arpInput(interfaces, neighbours, proxy));
        graph.addNode(EthernetTestkit.ip4Arp(interfaces));
        graph.addNode(Ip4Testkit.ip4Input());
        graph.addNode(Ip4Testkit.ip4InputNoChecksum());
        graph.addNode(fib.lookupNode());
        graph.addNode(fib.rewriteNode(interfaces));
        graph.addNode(Ip4Testkit.ip4Local());
        graph.addNode(Ip4Testkit.icmpEchoReply());
        graph.addNode(Ip4Testkit.ip4IcmpError(interfaces, 1_000_000, Long.MAX_VALUE / 4));

        acl = AclTestkit.standalone(runtime, interfaces);
        graph.addNode(acl.inputNode());
        graph.addNode(acl.outputNode());
        seedAclPolicy(acl.service());

        nat = Nat44Testkit.inside2Outside(4096, 1_700_000_000_000L, new int[] {NODE_IP}, tap2, gbe, 10_000, portSeed);
        graph.addNode(nat.out2InNode());
        graph.addNode(nat.fastPathNode());
        graph.addNode(nat.slowPathNode());
        runtime.enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", gbe, true);
        runtime.enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", tap2, true);
        runtime.enableFeature(FeatureArc.IP4_OUTPUT, "nat44-in2out-output", gbe, true);
        baseline = pool.freeCount();
    }

    /** The seed's ACLs: the pod opens connections anywhere (reflected); the GbE's egress passes the global list. */
    private static void seedAclPolicy(AclService service) {
        service.define(new Acl("pod-reflect", 3, List.of(AclRule.parse("permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0"))));
        List<AclRule> global = new ArrayList<>();
        for (int r = 0; r < 14; r++) {
            global.add(AclRule.parse("deny dst 10.200." + r + ".0/24"));
        }
        global.add(AclRule.parse("permit"));
        service.define(new Acl("global", 2, global));
        service.define(new Acl("pod-ingress", 1, List.of(AclRule.parse("deny src 0.0.0.0/0 dst 0.0.0.0/0"))));
        service.bind("tap2", List.of("pod-reflect"), List.of("pod-ingress"));
        service.bind("GigabitEthernet0/8/0", List.of("pod-reflect"), List.of("global"));
    }

    /**
     * Receives {@code frame} on {@code rx} with buffer flags {@code flags} and runs the graph until it is idle;
     * {@link #sentGbe} and {@link #sentTap} then hold what the ports were handed. Exceptions propagate.
     */
    void receive(byte[] frame, int rx, int flags, boolean traced) {
        int bi = pool.alloc();
        lastBuffer = bi;
        MemorySegment.copy(poisonFill, 0, pool.segment(), BufferPool.dataStart(bi) - BufferPool.HEADROOM,
                poisonFill.byteSize());
        pool.write(bi, frame, frame.length);
        pool.setRxSwIfIndex(bi, rx);
        pool.orFlags(bi, flags);
        graph.inject(EthernetGraph.ETHERNET_INPUT, bi, traced);
        graph.runUntilIdle();
        sentGbe.clear();
        sentGbe.addAll(gbeDevice.sent);
        sentTap.clear();
        sentTap.addAll(tapDevice.sent);
        gbeDevice.sent.clear();
        tapDevice.sent.clear();
    }

    int sentCount() {
        return sentGbe.size() + sentTap.size();
    }

    /** Buffers not back in the pool after the last frame. */
    int leaked() {
        return baseline - pool.freeCount();
    }

    /**
     * Where a node wrote outside what the last packet ever held: before its first byte (its current data when it
     * left the graph, or data start) in the headroom, or after its last (the frame as received, or as it left).
     * A freed buffer keeps its bytes and metadata until it is handed out again. Null when nowhere.
     */
    String writtenOutside(int receivedLength) {
        int bi = lastBuffer;
        MemorySegment seg = pool.segment();
        long dataStart = BufferPool.dataStart(bi);
        int first = Math.min(0, pool.currentData(bi));
        int end = Math.max(receivedLength, pool.currentData(bi) + pool.length(bi));
        long headroomStart = dataStart - BufferPool.HEADROOM;
        long before = MemorySegment.mismatch(seg, headroomStart, dataStart + first, poisonFill, 0,
                BufferPool.HEADROOM + first);
        if (before >= 0) {
            return "headroom byte " + (before - BufferPool.HEADROOM) + " of the data start";
        }
        if (end < BufferPool.DATA_SIZE) {
            long after = MemorySegment.mismatch(seg, dataStart + end, dataStart + BufferPool.DATA_SIZE, poisonFill,
                    BufferPool.HEADROOM + end, poisonFill.byteSize());
            if (after >= 0) {
                return "byte " + (end + after) + " after the data start, the packet ending at " + end;
            }
        }
        return null;
    }

    /** Every error counter, by node/counter. */
    Map<String, Long> counters() {
        Map<String, Long> counters = new TreeMap<>();
        for (ErrorCount error : runtime.errors()) {
            counters.merge(error.node() + "/" + error.error(), error.count(), Long::sum);
        }
        return counters;
    }

    /** The frame received once more, traced, and the trace (state may have moved on since). */
    String replayTraced(byte[] frame, int rx, int flags) {
        try {
            runtime.traceClear();
            receive(frame, rx, flags, true);
            return runtime.traceShow(5);
        } catch (RuntimeException | Error e) {
            return "(the replay threw " + e + ")";
        }
    }

    @Override
    public void close() {
        graph.close();
        nat.close();
        acl.close();
    }
}
