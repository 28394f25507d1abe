package io.sluice.bench.seed;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclRule;
import io.sluice.acl.api.AclService;
import io.sluice.acl.testkit.AclTestkit;
import io.sluice.ethernet.api.ArpProxy;
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
import io.sluice.vnet.testkit.VnetTestkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seed's box in memory on one worker (seed/POD_TO_INTERNET.md), every node of its path: GigabitEthernet0/8/0
 * (sw_if_index 1, 192.168.16.1/24, default route via 192.168.16.100) and tap2 (the pod 10.1.1.3/32 behind it),
 * the reflective ACL on both ports' input (acl 3), the global list on the GbE's output (14 denies and a permit:
 * the seed's "acl 2 rule 14"), nothing but sessions on the pod's output, NAT44 from tap2 to the node address on
 * the GbE's output. The driver's part is a {@link FrameSource} per port, the wire's a {@link SeedPort} that
 * frees. The same shape as the robustness tests' FuzzBox, with sinks that keep nothing.
 */
final class SeedBox implements AutoCloseable {
    static final long GBE_MAC = 0x080027449fd8L;
    static final long GATEWAY_MAC = 0x08002702a536L;
    static final long TAP2_MAC = 0x02fe163f5f0fL;
    static final long POD_MAC = 0x000000000002L;
    static final int NODE_IP = 0xc0a81001;      // 192.168.16.1
    static final int GATEWAY_IP = 0xc0a81064;   // 192.168.16.100
    static final int POD_IP = 0x0a010103;       // 10.1.1.3

    final TestGraph graph = TestGraph.withBuffersPerWorker(4096);
    final GraphRuntime runtime = graph.runtime();
    final SeedPort gbePort = new SeedPort("GigabitEthernet0/8/0", GBE_MAC);
    final SeedPort tapPort = new SeedPort("tap2", TAP2_MAC);
    final FrameSource fromPod;
    final FrameSource fromInternet;
    final AclTestkit acl;
    final Nat44Testkit nat;
    final BufferPool pool = graph.pool(0);

    /** {@code aclSessions}: the ACL's session limit; {@code natSessions}: the NAT44 table's capacity. */
    SeedBox(long aclSessions, int natSessions) {
        InterfaceTable interfaces = VnetTestkit.interfaceTable(runtime);
        NeighbourTable neighbours = EthernetTestkit.neighbourTable();
        ArpProxy proxy = EthernetTestkit.arpProxy();
        int gbe = interfaces.register(gbePort);
        int tap2 = interfaces.register(tapPort);
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
        graph.addNode(Ip4Testkit.ip4IcmpError(interfaces, 1_000_000, Long.MAX_VALUE / 4));

        acl = AclTestkit.standalone(runtime, interfaces, aclSessions);
        graph.addNode(acl.inputNode());
        graph.addNode(acl.outputNode());
        seedAclPolicy(acl.service());

        nat = Nat44Testkit.inside2Outside(natSessions, System.currentTimeMillis(), new int[] {NODE_IP}, tap2, gbe,
                65_536, 16);
        graph.addNode(nat.out2InNode());
        graph.addNode(nat.fastPathNode());
        graph.addNode(nat.slowPathNode());
        runtime.enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", gbe, true);
        runtime.enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", tap2, true);
        runtime.enableFeature(FeatureArc.IP4_OUTPUT, "nat44-in2out-output", gbe, true);

        fromPod = new FrameSource("seed-tap2-rx", tap2);
        fromInternet = new FrameSource("seed-gbe-rx", gbe);
        graph.addNode(fromPod);
        graph.addNode(fromInternet);
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

    /** One pass of the worker: the armed sources, then every frame they made, to the ports. */
    int run() {
        return graph.runOnce(0);
    }

    /** Every non-zero error counter, by node/counter: a packet the benchmark meant to forward that was dropped. */
    Map<String, Long> errors() {
        Map<String, Long> counters = new TreeMap<>();
        for (ErrorCount error : runtime.errors()) {
            if (error.count() != 0) {
                counters.merge(error.node() + "/" + error.error(), error.count(), Long::sum);
            }
        }
        return counters;
    }

    @Override
    public void close() {
        graph.close();
        nat.close();
        acl.close();
    }
}
