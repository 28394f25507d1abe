package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphOptions;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Ipv4;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The seed's NAT on a graph of two workers with the handoffs: tap2 (sw_if_index 6, inside) and
 * GigabitEthernet0/8/0 (sw_if_index 1, outside with the output feature), ip4-unicast on the GbE running
 * nat44-out2in-worker-handoff then nat44-out2in, ip4-output on it nat44-in2out-output-worker-handoff then
 * nat44-in2out-output (and its slow path). Each worker has its own input node, {@code nat-feed-<w>} (placed on it),
 * that starts both arcs as ip4-input and ip4-rewrite would; what reaches {@code ip4-lookup} (out2in's arc end) and
 * the GbE's output node goes to a {@link Sink} with the worker it arrived on, then is freed. Driven one pass at a time
 * on the test's thread ({@link #settle}) or by live worker threads ({@link #start}).
 */
final class TwoWorkerBed implements AutoCloseable {
    static final int TAP2 = 6;
    static final int GBE = 1;
    static final String GBE_OUTPUT = "GigabitEthernet0/8/0-output";
    static final int ARC_UNICAST = 0;
    static final int ARC_OUTPUT = 1;

    /** What a recording node saw: the worker it ran on and the buffer (still the node's: read it, do not free it). */
    interface Sink {
        void seen(int worker, BufferPool pool, int bi);
    }

    /** A packet a feed starts: its bytes from the Ethernet header, and which arc (outbound: ip4-output to the GbE). */
    record Packet(byte[] frame, int rxSwIfIndex, boolean outbound) {
    }

    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final GraphEngine engine;
    final Nat44Dataplane dataplane;
    final Feed[] feeds = new Feed[2];

    TwoWorkerBed(int sessions, int[] addresses, int buffersPerWorker, int handoffQueue, Sink lookup, Sink gbeOutput) {
        engine = new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(buffersPerWorker).withWorkers(2)
                .withIdle("yield").withRxMode("polling").withHandoffQueue(handoffQueue)
                .withPlacement(Map.of(feedName(0), 0, feedName(1), 1)));
        dataplane = new Nat44Dataplane(SessionTable.anonymous(sessions), clock::get);
        dataplane.setAddresses(addresses, new SplittableRandom(11));
        dataplane.setWorkers(2, new SplittableRandom(12));
        policy(List.of());
        engine.addNode(new Recorder("ip4-lookup", lookup));
        engine.addNode(new Recorder(GBE_OUTPUT, gbeOutput));
        engine.addNode(new Nat44Out2InWorkerHandoffNode(dataplane));
        engine.addNode(new Nat44Out2InNode(dataplane));
        engine.addNode(new Nat44In2OutOutputWorkerHandoffNode(dataplane));
        engine.addNode(new Nat44In2OutOutputNode(dataplane));
        engine.addNode(new Nat44In2OutSlowPathNode(dataplane));
    }

    /** Adds the feeds (the stress test adds its own generators instead) and turns the features on. */
    TwoWorkerBed withQueueFeeds() {
        for (int w = 0; w < 2; w++) {
            feeds[w] = new Feed(feedName(w));
            engine.addNode(feeds[w]);
        }
        return enableFeatures();
    }

    TwoWorkerBed enableFeatures() {
        engine.setFeatureArcEnd(FeatureArc.IP4_OUTPUT, GBE, GBE_OUTPUT);
        engine.enableFeature(FeatureArc.IP4_UNICAST, Nat44Out2InWorkerHandoffNode.NAME, GBE, true);
        engine.enableFeature(FeatureArc.IP4_UNICAST, Nat44Out2InNode.NAME, GBE, true);
        engine.enableFeature(FeatureArc.IP4_UNICAST, Nat44Out2InNode.NAME, TAP2, true);
        engine.enableFeature(FeatureArc.IP4_OUTPUT, Nat44In2OutOutputWorkerHandoffNode.NAME, GBE, true);
        engine.enableFeature(FeatureArc.IP4_OUTPUT, Nat44In2OutOutputNode.NAME, GBE, true);
        return this;
    }

    static String feedName(int worker) {
        return "nat-feed-" + worker;
    }

    /** The two arcs a feed starts (input nodes that start the arcs, as ip4-input and ip4-rewrite do on the box). */
    static NodeRegistration feedRegistration(String name) {
        return NodeRegistration.input(name, List.of(), List.of(), (record, offset, context, out) -> out.append(name))
                .startingArcs(new FeatureArc(FeatureArc.IP4_UNICAST, name, "ip4-lookup"),
                        new FeatureArc(FeatureArc.IP4_OUTPUT, name, GraphRuntime.ERROR_DROP));
    }

    /**
     * Sets buffer {@code bi} (its frame written from the Ethernet header) up as the arc's start would and returns
     * the arc to its first feature: the L3/L4 offsets as ip4-input records them; inbound the Ethernet header is
     * stripped, outbound it stays and the packet goes out of the GbE.
     */
    static int startArc(NodeContext context, BufferPool pool, int bi, int rxSw, boolean outbound) {
        pool.setRxSwIfIndex(bi, rxSw);
        pool.setL2Offset(bi, 0);
        Ipv4.recordHeader(pool, bi, Ethernet.HEADER_LENGTH);
        if (outbound) {
            pool.setTxSwIfIndex(bi, GBE);
            return context.featureStart(ARC_OUTPUT, GBE);
        }
        pool.advance(bi, Ethernet.HEADER_LENGTH);
        return context.featureStart(ARC_UNICAST, rxSw);
    }

    void policy(List<StaticMapping> mappings) {
        byte[] roles = new byte[8];
        roles[TAP2] = Nat44Policy.ROLE_INSIDE;
        roles[GBE] = Nat44Policy.ROLE_OUTSIDE | Nat44Policy.ROLE_OUTPUT_FEATURE;
        dataplane.setPolicy(new Nat44Policy(roles, Timeouts.DEFAULTS, 10_000, new StaticMappings(mappings)));
    }

    /** Queues {@code packet} on worker {@code worker}'s feed (run it with {@link #settle}). */
    void send(int worker, Packet packet) {
        feeds[worker].queue.add(packet);
    }

    /** Runs both workers, one pass each in turn, until two rounds in a row find nothing to do. */
    void settle() {
        int quiet = 0;
        while (quiet < 2) {
            int work = engine.runOnce(0) + engine.runOnce(1);
            quiet = work == 0 ? quiet + 1 : 0;
        }
    }

    void start() {
        engine.start();
    }

    long error(String node, String counter) {
        return engine.errors().stream().filter(e -> e.node().equals(node) && e.error().equals(counter))
                .mapToLong(GraphRuntime.ErrorCount::count).sum();
    }

    @Override
    public void close() {
        engine.stop();
        dataplane.close();
    }

    /** {@code nat-feed-<w>}: starts the packets queued for it, traced while a trace is armed on it. */
    static final class Feed implements Node {
        final ConcurrentLinkedQueue<Packet> queue = new ConcurrentLinkedQueue<>();
        private final NodeRegistration registration;

        Feed(String name) {
            this.registration = feedRegistration(name);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            Packet packet;
            while (frame.count() < Frame.CAPACITY && (packet = queue.poll()) != null) {
                int bi = pool.alloc();
                pool.write(bi, packet.frame(), packet.frame().length);
                int next = startArc(context, pool, bi, packet.rxSwIfIndex(), packet.outbound());
                if (context.traceArmed() > 0 && context.traceInput(bi) >= 0) {
                    frame.setTraced(true);
                }
                frame.add(bi, next);
            }
            return frame.count();
        }
    }

    /** An arc's end: hands each buffer to its sink with the worker it arrived on, then frees it. */
    static final class Recorder implements Node {
        private final NodeRegistration registration;
        private final Sink sink;

        Recorder(String name, Sink sink) {
            this.registration = NodeRegistration.internal(name, List.of(), List.of(),
                    (record, offset, context, out) -> out.append(name));
            this.sink = sink;
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int n = frame.count();
            int[] buffers = frame.buffers();
            for (int i = 0; i < n; i++) {
                if (frame.traced()) {
                    context.trace(buffers[i]);
                }
                sink.seen(context.workerIndex(), pool, buffers[i]);
            }
            pool.free(buffers, 0, n);
            frame.setCount(0);
            return n;
        }
    }
}
