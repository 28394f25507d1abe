package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code nat44-out2in-worker-handoff}: VPP's NAT44-ED out2in handoff, the first NAT feature of ip4-unicast on the
 * NAT's outside interfaces when the graph has more than one worker. A packet from outside goes to the worker that
 * owns the session it would meet ({@link Nat44WorkerOwner#ofOut2In}: a static mapping's local address, the block of
 * its destination port, an ICMP error's quoted endpoint), so that the input ACL and nat44-out2in run there, on
 * the same worker as the flow's in2out; it continues on the owner at this interface's next feature, under
 * {@code handoff_trace}. A packet already on its owner, and one no session can own (to no mapping: dropped and
 * counted by nat44-out2in where it is, as with one worker), go on along the arc without a copy
 * ({@code same-worker}). A full frame queue to the owner drops the packet, counted as {@code congestion-drop}.
 *
 * <p>Runs after the reassembly (a later fragment's ports are its stamp) and the source checks, before
 * {@code acl-plugin-in-ip4-fa} and {@code nat44-out2in}. A packet that arrived on an inside interface (one that is
 * both inside and outside: hairpinning) stays where it is. Nat44Runtime enables it only with several workers.
 */
@Component(service = Node.class)
public final class Nat44Out2InWorkerHandoffNode implements Node {
    public static final String NAME = "nat44-out2in-worker-handoff";

    private static final NodeRegistration REGISTRATION = Nat44WorkerHandoff.registration(NAME,
            "NAT44_OUT2IN_WORKER_HANDOFF : ", FeatureRegistration.on(FeatureArc.IP4_UNICAST)
                    .after("ip4-sv-reassembly-feature", "ip4-source-check-via-rx", "ip4-source-check-via-any")
                    .before("acl-plugin-in-ip4-fa", Nat44Out2InNode.NAME));

    private final Nat44Dataplane dataplane;

    /** A node over {@code dataplane}, for the bundle's tests; DS sees only the public constructor. */
    Nat44Out2InWorkerHandoffNode(Nat44Dataplane dataplane) {
        this.dataplane = dataplane;
    }

    @Activate
    public Nat44Out2InWorkerHandoffNode(@Reference Nat44Runtime runtime) {
        this(runtime.dataplane());
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        return Nat44WorkerHandoff.process(context, frame, dataplane, true, Nat44DropRecorder.NODE_OUT2IN_HANDOFF);
    }
}
