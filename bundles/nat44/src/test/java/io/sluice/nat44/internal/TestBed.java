package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Ipv4;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The seed's box in a harness: tap2 (sw_if_index 6, inside) and GigabitEthernet0/8/0 (sw_if_index 1,
 * outside with the output feature), the NAT pool 192.168.16.1, and two small stand-ins that start the
 * feature arcs as ip4-input and ip4-rewrite would (they strip or keep the Ethernet header and set the L3
 * offset), so the NAT nodes run exactly where they run on the box.
 */
final class TestBed implements AutoCloseable {
    static final int TAP2 = 6;
    static final int GBE = 1;
    static final String GBE_OUTPUT = "GigabitEthernet0/8/0-output";
    static final String TAP2_OUTPUT = "tap2-output";
    static final String INPUT = "test-ip4-input";
    static final String REWRITE_TO_GBE = "test-ip4-rewrite-gbe";
    static final int NODE_IP = 0xc0a81001; // 192.168.16.1

    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final GraphHarness harness = new GraphHarness();
    final Nat44Dataplane dataplane;
    final List<Captured> lookup;
    final List<Captured> gbeOutput;
    final List<Captured> dropped;
    Node out2in;
    Node in2out;
    Node slowPath;

    TestBed(SessionTable table) {
        dataplane = new Nat44Dataplane(table, clock::get);
        dataplane.setAddresses(new int[] {NODE_IP});
        policy(Timeouts.DEFAULTS, 10_000, List.of());
        harness.add(new ArcStart(INPUT, FeatureArc.IP4_UNICAST, "ip4-lookup", -1));
        harness.add(new ArcStart(REWRITE_TO_GBE, FeatureArc.IP4_OUTPUT, GraphRuntime.ERROR_DROP, GBE));
        lookup = harness.capture("ip4-lookup");
        gbeOutput = harness.capture(GBE_OUTPUT);
        dropped = harness.capture(GraphRuntime.ERROR_DROP);
        addNodes();
        harness.engine().setFeatureArcEnd(FeatureArc.IP4_OUTPUT, GBE, GBE_OUTPUT);
        harness.engine().enableFeature(FeatureArc.IP4_UNICAST, Nat44Out2InNode.NAME, TAP2, true);
        harness.engine().enableFeature(FeatureArc.IP4_UNICAST, Nat44Out2InNode.NAME, GBE, true);
        harness.engine().enableFeature(FeatureArc.IP4_OUTPUT, Nat44In2OutOutputNode.NAME, GBE, true);
    }

    static TestBed inMemory() {
        return new TestBed(SessionTable.anonymous(4096));
    }

    static TestBed mapped(Path file) throws java.io.IOException {
        return new TestBed(SessionTable.open(file, 4096));
    }

    /** New node instances over the same dataplane: what a bundle update does to the nodes. */
    void addNodes() {
        out2in = new Nat44Out2InNode(dataplane);
        in2out = new Nat44In2OutOutputNode(dataplane);
        slowPath = new Nat44In2OutSlowPathNode(dataplane);
        harness.add(out2in).add(in2out).add(slowPath);
    }

    void removeNodes() {
        harness.engine().removeNode(out2in);
        harness.engine().removeNode(in2out);
        harness.engine().removeNode(slowPath);
    }

    void policy(Timeouts timeouts, int perInsideAddress, List<StaticMapping> mappings) {
        policy(timeouts, perInsideAddress, mappings, false);
    }

    /** With {@code endpointIndependentFiltering}: the {@code filtering = endpoint-independent} option. */
    void policy(Timeouts timeouts, int perInsideAddress, List<StaticMapping> mappings,
                boolean endpointIndependentFiltering) {
        byte[] roles = new byte[8];
        roles[TAP2] = Nat44Policy.ROLE_INSIDE;
        roles[GBE] = Nat44Policy.ROLE_OUTSIDE | Nat44Policy.ROLE_OUTPUT_FEATURE;
        dataplane.setPolicy(new Nat44Policy(roles, timeouts, perInsideAddress, new StaticMappings(mappings),
                endpointIndependentFiltering));
    }

    /** A frame as ip4-rewrite leaves it towards the GbE port: Ethernet header, TTL already decremented. */
    void sendOut(byte[] frame, int rxSw) {
        harness.inject(REWRITE_TO_GBE, frame, rxSw, true);
        harness.run();
    }

    /** A frame as received on {@code rxSw}: ip4-input strips the Ethernet header before the unicast arc. */
    void receive(byte[] frame, int rxSw) {
        harness.inject(INPUT, frame, rxSw, true);
        harness.run();
    }

    long error(String node, String counter) {
        return harness.error(node, counter);
    }

    @Override
    public void close() {
        harness.close();
        dataplane.close();
    }

    /** Starts one feature arc: sets the L3/L4 offsets as ip4-input does, strips Ethernet on the unicast arc. */
    static final class ArcStart implements Node {
        private final NodeRegistration registration;
        private final boolean unicast;
        private final int txSw;

        ArcStart(String name, String arc, String end, int txSw) {
            this.registration = NodeRegistration.internal(name, List.of(), List.of(), (r, o, c, out) -> out.append(name))
                    .startingArcs(new FeatureArc(arc, name, end));
            this.unicast = arc.equals(FeatureArc.IP4_UNICAST);
            this.txSw = txSw;
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.buffers()[i];
                pool.setL2Offset(bi, 0);
                // What ip4-input leaves in the metadata: the one parse of the header the NAT nodes read.
                Ipv4.recordHeader(pool, bi, Ethernet.HEADER_LENGTH);
                if (unicast) {
                    pool.advance(bi, Ethernet.HEADER_LENGTH);
                    frame.nexts()[i] = context.featureStart(0, pool.rxSwIfIndex(bi));
                } else {
                    pool.setTxSwIfIndex(bi, txSw);
                    frame.nexts()[i] = context.featureStart(0, txSw);
                }
            }
            return frame.count();
        }
    }
}
