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
import io.sluice.vnet.api.Device;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.testkit.VnetTestkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seed's box in memory on one worker (seed/POD_TO_INTERNET.md), every node of its path from ethernet-input:
 * GigabitEthernet0/8/0 (sw_if_index 1, 192.168.16.1/24, default route via 192.168.16.100) and tap2 (2, the pod
 * 10.1.1.3/32 behind it, proxy ARP), the reflective ACL on both ports' input (acl 3), the global list on the
 * GbE's output (14 denies and a permit: the seed's "acl 2 rule 14"), nothing but sessions on the pod's output,
 * NAT44 from tap2 to the node address on the GbE's output. The wire is the two {@link Device}s given: the seed
 * benchmark's that free, the robustness tests' that keep copies. One builder for both, so the benchmark measures
 * the graph the fuzzers check.
 */
public final class SeedGraph implements AutoCloseable {
    public static final long GBE_MAC = 0x080027449fd8L;
    public static final long GATEWAY_MAC = 0x08002702a536L;
    public static final long TAP2_MAC = 0x02fe163f5f0fL;
    public static final long POD_MAC = 0x000000000002L;
    public static final int NODE_IP = 0xc0a81001;      // 192.168.16.1
    public static final int GATEWAY_IP = 0xc0a81064;   // 192.168.16.100
    public static final int POD_IP = 0x0a010103;       // 10.1.1.3

    /**
     * How big the box is and what its NAT44 starts from.
     *
     * @param buffersPerWorker the worker's buffer pool
     * @param aclSessions      the ACL's session limit, or 0 for the plugin's default
     * @param natSessions      the NAT44 table's capacity
     * @param natStartMillis   the NAT44 clock's start
     * @param natPorts         outside ports per address
     * @param natPortSeed      the seed of the NAT44's port choice (two boxes alike choose alike)
     * @param echoReply        with ip4-icmp-echo-reply (the box answers pings to itself)
     */
    public record Options(int buffersPerWorker, long aclSessions, int natSessions, long natStartMillis, int natPorts,
                          long natPortSeed, boolean echoReply) {
    }

    public final TestGraph graph;
    public final GraphRuntime runtime;
    public final InterfaceTable interfaces;
    public final int gbe;
    public final int tap2;
    public final AclTestkit acl;
    public final Nat44Testkit nat;

    public SeedGraph(Device gbePort, Device tapPort, Options options) {
        this(gbePort, tapPort, options, TestGraph.withBuffersPerWorker(options.buffersPerWorker()));
    }

    /** The same box on {@code graph} (one of several workers, say); its pools are the graph's own. */
    public SeedGraph(Device gbePort, Device tapPort, Options options, TestGraph graph) {
        this.graph = graph;
        runtime = graph.runtime();
        interfaces = VnetTestkit.interfaceTable(runtime);
        NeighbourTable neighbours = EthernetTestkit.neighbourTable();
        ArpProxy proxy = EthernetTestkit.arpProxy();
        gbe = interfaces.register(gbePort);
        tap2 = interfaces.register(tapPort);
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
        if (options.echoReply()) {
            graph.addNode(Ip4Testkit.icmpEchoReply());
        }
        graph.addNode(Ip4Testkit.ip4IcmpError(interfaces, 1_000_000, Long.MAX_VALUE / 4));

        acl = options.aclSessions() > 0 ? AclTestkit.standalone(runtime, interfaces, options.aclSessions())
                : AclTestkit.standalone(runtime, interfaces);
        graph.addNode(acl.inputNode());
        graph.addNode(acl.outputNode());
        seedAclPolicy(acl.service());

        nat = Nat44Testkit.inside2Outside(options.natSessions(), options.natStartMillis(), new int[] {NODE_IP}, tap2,
                gbe, options.natPorts(), options.natPortSeed());
        graph.addNode(nat.out2InNode());
        graph.addNode(nat.fastPathNode());
        graph.addNode(nat.slowPathNode());
        runtime.enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", gbe, true);
        runtime.enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", tap2, true);
        runtime.enableFeature(FeatureArc.IP4_OUTPUT, "nat44-in2out-output", gbe, true);
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

    /** The error counters, by node/counter ({@code nonZeroOnly}: those that counted something). */
    public Map<String, Long> errors(boolean nonZeroOnly) {
        Map<String, Long> counters = new TreeMap<>();
        for (ErrorCount error : runtime.errors()) {
            if (!nonZeroOnly || error.count() != 0) {
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
