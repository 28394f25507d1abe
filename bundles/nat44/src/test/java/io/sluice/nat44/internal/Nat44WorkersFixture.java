package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphOptions;
import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What {@code io.sluice.nat44.testkit.Nat44WorkersTestkit} hands out: the NAT44 path on a graph of one or more
 * workers with the worker handoffs, in memory, in its steady state. {@code flows} UDP flows of {@code hosts} inside
 * hosts have their sessions (each made on its owner, its port from the owner's block); each worker's input node
 * {@code nat-feed-<w>} makes one frame a pass, half requests leaving the GbE through nat44-in2out-output, half
 * replies coming in through nat44-out2in, over every flow in turn, so with N workers (N-1)/N of a worker's packets
 * belong to another worker's flows and are handed off. The arcs end in nodes that free. For benchmarks: driven one
 * pass at a time on the caller's thread ({@link #runOnce}).
 */
public final class Nat44WorkersFixture implements AutoCloseable {
    static final int TAP2 = 6;
    static final int GBE = 1;
    private static final int POOL = 0xc0a81001;
    private static final String GBE_OUTPUT = "GigabitEthernet0/8/0-output";

    private final GraphEngine engine;
    private final Nat44Dataplane dataplane;
    private final int workers;

    private Nat44WorkersFixture(int workers, int hosts, int flows) {
        this.workers = workers;
        Map<String, Integer> placement = new HashMap<>();
        for (int w = 0; w < workers; w++) {
            placement.put(feedName(w), w);
        }
        engine = new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(8192).withWorkers(workers)
                .withIdle("yield").withRxMode("polling").withHandoffQueue(2048).withPlacement(placement));
        dataplane = new Nat44Dataplane(SessionTable.anonymous(Math.max(1024, flows * 2)), () -> 1_700_000_000_000L);
        dataplane.setAddresses(new int[] {POOL}, new SplittableRandom(7));
        if (workers > 1) {
            dataplane.setWorkers(workers, new SplittableRandom(8));
        }
        byte[] roles = new byte[8];
        roles[TAP2] = Nat44Policy.ROLE_INSIDE;
        roles[GBE] = Nat44Policy.ROLE_OUTSIDE | Nat44Policy.ROLE_OUTPUT_FEATURE;
        Nat44Policy policy = new Nat44Policy(roles, Timeouts.DEFAULTS, 1 << 20, StaticMappings.NONE);
        dataplane.setPolicy(policy);
        byte[][] requests = new byte[flows][];
        byte[][] replies = new byte[flows][];
        synchronized (dataplane.table().lock()) {
            for (int f = 0; f < flows; f++) {
                int host = 0x0a000001 + f % hosts;
                int port = 10_000 + f / hosts;
                int owner = Nat44WorkerOwner.ofInsideAddress(host, workers);
                int s = dataplane.createIn2Out(policy, host, port, Ipv4.PROTOCOL_UDP, 0x1f866133, 53, TAP2,
                        1_700_000_000_000L, owner);
                if (s < 0) {
                    throw new IllegalStateException("session " + f + " refused: " + s);
                }
                int outsidePort = SessionTable.keyPort(dataplane.table().outKey(s));
                requests[f] = Frames.udp(io.sluice.packet.api.PacketFormat.formatIp4(host), port, "31.134.97.51", 53, 18, true);
                replies[f] = Frames.udp("31.134.97.51", 53, "192.168.16.1", outsidePort, 18, true);
            }
        }
        engine.addNode(new Sink("ip4-lookup"));
        engine.addNode(new Sink(GBE_OUTPUT));
        engine.addNode(new Nat44Out2InNode(dataplane));
        engine.addNode(new Nat44In2OutOutputNode(dataplane));
        engine.addNode(new Nat44In2OutSlowPathNode(dataplane));
        if (workers > 1) {
            engine.addNode(new Nat44Out2InWorkerHandoffNode(dataplane));
            engine.addNode(new Nat44In2OutOutputWorkerHandoffNode(dataplane));
        }
        for (int w = 0; w < workers; w++) {
            engine.addNode(new Feed(feedName(w), requests, replies, w));
        }
        engine.setFeatureArcEnd(FeatureArc.IP4_OUTPUT, GBE, GBE_OUTPUT);
        if (workers > 1) {
            engine.enableFeature(FeatureArc.IP4_UNICAST, Nat44Out2InWorkerHandoffNode.NAME, GBE, true);
            engine.enableFeature(FeatureArc.IP4_OUTPUT, Nat44In2OutOutputWorkerHandoffNode.NAME, GBE, true);
        }
        engine.enableFeature(FeatureArc.IP4_UNICAST, Nat44Out2InNode.NAME, GBE, true);
        engine.enableFeature(FeatureArc.IP4_OUTPUT, Nat44In2OutOutputNode.NAME, GBE, true);
    }

    /** {@code workers} workers, {@code flows} established UDP flows of {@code hosts} inside hosts. */
    public static Nat44WorkersFixture steadyState(int workers, int hosts, int flows) {
        return new Nat44WorkersFixture(workers, hosts, flows);
    }

    static String feedName(int worker) {
        return "nat-feed-" + worker;
    }

    public int workers() {
        return workers;
    }

    /** One pass of worker {@code worker}: its frame from the feed, through the NAT, and what others handed it. */
    public int runOnce(int worker) {
        return engine.runOnce(worker);
    }

    /** Error counters by node/counter, the non-zero ones: a benchmark checks no packet it meant to pass dropped. */
    public Map<String, Long> errors() {
        Map<String, Long> counters = new java.util.TreeMap<>();
        for (GraphRuntime.ErrorCount error : engine.errors()) {
            if (error.count() != 0) {
                counters.merge(error.node() + "/" + error.error(), error.count(), Long::sum);
            }
        }
        return counters;
    }

    /** Packets that came out of the NAT (both arc ends, all workers). */
    public long delivered() {
        long total = 0;
        for (GraphRuntime.NodeStats node : engine.runtimeStats()) {
            if (node.name().equals("ip4-lookup") || node.name().equals(GBE_OUTPUT)) {
                total += node.vectors();
            }
        }
        return total;
    }

    @Override
    public void close() {
        engine.stop();
        dataplane.close();
    }

    /** A worker's input: one frame a pass, a request and a reply of each flow in turn, from the flow after its last. */
    private static final class Feed implements Node {
        private final NodeRegistration registration;
        private final byte[][] requests;
        private final byte[][] replies;
        private int next;

        Feed(String name, byte[][] requests, byte[][] replies, int worker) {
            this.registration = NodeRegistration.input(name, List.of(), List.of(),
                            (record, offset, context, out) -> out.append(name))
                    .startingArcs(new FeatureArc(FeatureArc.IP4_UNICAST, name, "ip4-lookup"),
                            new FeatureArc(FeatureArc.IP4_OUTPUT, name, GraphRuntime.ERROR_DROP));
            this.requests = requests;
            this.replies = replies;
            this.next = worker * 7919 % requests.length;
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            for (int i = 0; i < Frame.CAPACITY; i++) {
                int bi = pool.alloc();
                if (bi < 0) {
                    break;
                }
                boolean outbound = (i & 1) == 0;
                byte[] packet = outbound ? requests[next] : replies[next];
                if (!outbound) {
                    next = next + 1 == requests.length ? 0 : next + 1;
                }
                pool.write(bi, packet, packet.length);
                frame.add(bi, TwoWorkerBed.startArc(context, pool, bi, outbound ? TAP2 : GBE, outbound));
            }
            return frame.count();
        }
    }

    /** An arc's end that frees what reaches it. */
    private static final class Sink implements Node {
        private final NodeRegistration registration;

        Sink(String name) {
            this.registration = NodeRegistration.internal(name, List.of(), List.of(),
                    (record, offset, context, out) -> out.append(name));
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            context.pool().free(frame.buffers(), 0, frame.count());
            int n = frame.count();
            frame.setCount(0);
            return n;
        }
    }
}
