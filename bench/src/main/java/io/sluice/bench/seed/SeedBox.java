package io.sluice.bench.seed;

import io.sluice.acl.testkit.AclTestkit;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.testkit.TestGraph;
import io.sluice.nat44.testkit.Nat44Testkit;
import io.sluice.packet.api.BufferPool;

import java.util.Map;

/**
 * The seed's box in memory on one worker: the {@link SeedGraph} (every node of the seed's path, its routes, ACLs
 * and NAT44), the driver's part a {@link FrameSource} per port, the wire's a {@link SeedPort} that frees. The
 * robustness tests' FuzzBox builds the same graph with ports that keep copies.
 */
final class SeedBox implements AutoCloseable {
    final SeedPort gbePort = new SeedPort("GigabitEthernet0/8/0", SeedGraph.GBE_MAC);
    final SeedPort tapPort = new SeedPort("tap2", SeedGraph.TAP2_MAC);
    private final SeedGraph seed;
    final TestGraph graph;
    final GraphRuntime runtime;
    final FrameSource fromPod;
    final FrameSource fromInternet;
    final AclTestkit acl;
    final Nat44Testkit nat;
    final BufferPool pool;

    /** {@code aclSessions}: the ACL's session limit; {@code natSessions}: the NAT44 table's capacity. */
    SeedBox(long aclSessions, int natSessions) {
        seed = new SeedGraph(gbePort, tapPort, new SeedGraph.Options(4096, aclSessions, natSessions,
                System.currentTimeMillis(), 65_536, 16, false));
        graph = seed.graph;
        runtime = seed.runtime;
        acl = seed.acl;
        nat = seed.nat;
        pool = graph.pool(0);
        fromPod = new FrameSource("seed-tap2-rx", seed.tap2);
        fromInternet = new FrameSource("seed-gbe-rx", seed.gbe);
        graph.addNode(fromPod);
        graph.addNode(fromInternet);
    }

    /** One pass of the worker: the armed sources, then every frame they made, to the ports. */
    int run() {
        return graph.runOnce(0);
    }

    /** Every non-zero error counter, by node/counter: a packet the benchmark meant to forward that was dropped. */
    Map<String, Long> errors() {
        return seed.errors(true);
    }

    @Override
    public void close() {
        seed.close();
    }
}
