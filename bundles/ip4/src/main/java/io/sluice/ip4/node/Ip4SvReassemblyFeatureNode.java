package io.sluice.ip4.node;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.packet.api.BufferPool;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * {@code ip4-sv-reassembly-feature}: shallow virtual reassembly ({@link Ip4SvReassembly}) on ip4-unicast, before the
 * ingress ACL and nat44-out2in, so that both see a later fragment with its datagram's ports; and, made by
 * {@link #output}, {@code ip4-sv-reassembly-output-feature} on ip4-output. One table per worker and node;
 * the node's owner ({@code io.sluice.ip4.config.SvReassemblyConfig}) adds it to the graph and frees what it holds
 * when it goes ({@link #clear}, under the barrier).
 */
public final class Ip4SvReassemblyFeatureNode implements Node {

    /** The features each runs before (other bundles' nodes, named here as the graph orders by name). */
    private static final String ACL_INPUT = "acl-plugin-in-ip4-fa";
    private static final String NAT44_OUT2IN = "nat44-out2in";
    private static final String ACL_OUTPUT = "acl-plugin-out-ip4-fa";
    private static final String NAT44_IN2OUT_OUTPUT = "nat44-in2out-output";

    private static final NodeRegistration INPUT = registration(Ip4Graph.IP4_SV_REASSEMBLY_FEATURE,
            FeatureRegistration.on(FeatureArc.IP4_UNICAST).before(ACL_INPUT, NAT44_OUT2IN));
    private static final NodeRegistration OUTPUT = registration(Ip4Graph.IP4_SV_REASSEMBLY_OUTPUT_FEATURE,
            FeatureRegistration.on(FeatureArc.IP4_OUTPUT).before(ACL_OUTPUT, NAT44_IN2OUT_OUTPUT));

    private final NodeRegistration registration;
    private final boolean output;
    private final SvReassemblyTables tables;

    /** {@code ip4-sv-reassembly-feature}, on ip4-unicast. */
    public Ip4SvReassemblyFeatureNode(SvReassemblySettings settings, int workers, LongSupplier nanoClock) {
        this(INPUT, false, settings, workers, nanoClock);
    }

    private Ip4SvReassemblyFeatureNode(NodeRegistration registration, boolean output, SvReassemblySettings settings,
                                       int workers, LongSupplier nanoClock) {
        this.registration = registration;
        this.output = output;
        this.tables = new SvReassemblyTables(settings, workers, nanoClock);
    }

    /**
     * {@code ip4-sv-reassembly-output-feature}, on ip4-output: before the egress ACL and nat44-in2out-output, which
     * see the packet after routing (and after nat44-out2in: its own contexts, keyed by the addresses as they are
     * there). The same node function with its own tables, as VPP's two node registrations share one.
     */
    public static Ip4SvReassemblyFeatureNode output(SvReassemblySettings settings, int workers,
                                                    LongSupplier nanoClock) {
        return new Ip4SvReassemblyFeatureNode(OUTPUT, true, settings, workers, nanoClock);
    }

    private static NodeRegistration registration(String name, FeatureRegistration feature) {
        return NodeRegistration.internal(name, NextArc.names(Ip4SvReassembly.Next.class),
                List.of(Ip4SvReassemblyError.values()), Ip4SvReassembly::format).withFeature(feature);
    }

    @Override
    public NodeRegistration registration() {
        return registration;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        return Ip4SvReassembly.process(context, frame, tables.byWorker, tables.now(), output);
    }

    /** Frees every held buffer into its worker's pool; only while no worker runs this node (barrier, or removed). */
    public int clear() {
        return tables.clear();
    }

    /** Buffers held now, summed over the workers (read them at the barrier or from the worker itself). */
    public int heldBuffers() {
        return tables.heldBuffers();
    }

    /** Datagrams tracked now, summed over the workers. */
    public int reassemblies() {
        return tables.reassemblies();
    }

    /** For tests: the pool a worker's table has used, so that its leaks show. */
    BufferPool poolOf(int worker) {
        return tables.byWorker[worker].pool;
    }
}
