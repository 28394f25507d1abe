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
 * {@code ip4-sv-reassembly-output-feature}: shallow virtual reassembly ({@link Ip4SvReassembly}) on ip4-output, before
 * the egress ACL and nat44-in2out-output, which see the packet after routing (and after nat44-out2in: its own
 * contexts, keyed by the addresses as they are here). One table per worker;
 * the node's owner ({@code io.sluice.ip4.config.SvReassemblyConfig}) adds it to the graph and frees what it holds
 * when it goes ({@link #clear}, under the barrier).
 */
public final class Ip4SvReassemblyOutputFeatureNode implements Node {

    /** The features this one runs before (other bundles' nodes, named here as the graph orders by name). */
    private static final String ACL_OUTPUT = "acl-plugin-out-ip4-fa";
    private static final String NAT44_IN2OUT_OUTPUT = "nat44-in2out-output";

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(Ip4Graph.IP4_SV_REASSEMBLY_OUTPUT_FEATURE,
                    NextArc.names(Ip4SvReassembly.Next.class), List.of(Ip4SvReassemblyError.values()),
                    Ip4SvReassembly::format)
            .withFeature(FeatureRegistration.on(FeatureArc.IP4_OUTPUT).before(ACL_OUTPUT, NAT44_IN2OUT_OUTPUT));

    private final SvReassemblyTables tables;

    public Ip4SvReassemblyOutputFeatureNode(SvReassemblySettings settings, int workers, LongSupplier nanoClock) {
        this.tables = new SvReassemblyTables(settings, workers, nanoClock);
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        return Ip4SvReassembly.process(context, frame, tables.byWorker, tables.now(), true);
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
