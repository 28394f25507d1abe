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
 * {@code nat44-in2out-output-worker-handoff}: VPP's NAT44-ED in2out output-feature handoff
 * ({@code nat44-in2out-output-worker-handoff}), the first NAT feature of ip4-output on an interface with
 * {@code nat44 output-feature} when the graph has more than one worker. A packet from an inside interface goes to
 * the worker that owns its inside source address ({@link Nat44WorkerOwner#ofInsideAddress}), so that the output ACL
 * and nat44-in2out-output (its session's state, its new port from that worker's block) run there; the packet
 * continues on the owner at this interface's next feature, under {@code handoff_trace}. One already on its owner,
 * and the box's own packets (no session to own), go on along the arc without a copy ({@code same-worker}). A full
 * frame queue to the owner drops the packet, counted as {@code congestion-drop}.
 *
 * <p>Runs after the output reassembly (whose per-worker tables hold a datagram's first fragment) and before
 * {@code acl-plugin-out-ip4-fa} and {@code nat44-in2out-output}. Nat44Runtime enables it only with several workers,
 * so with one the seed's traces are as they were.
 */
@Component(service = Node.class)
public final class Nat44In2OutOutputWorkerHandoffNode implements Node {
    public static final String NAME = "nat44-in2out-output-worker-handoff";

    private static final NodeRegistration REGISTRATION = Nat44WorkerHandoff.registration(NAME,
            "NAT44_IN2OUT_WORKER_HANDOFF OUTPUT-FEATURE: ", FeatureRegistration.on(FeatureArc.IP4_OUTPUT)
                    .after("ip4-sv-reassembly-output-feature")
                    .before("acl-plugin-out-ip4-fa", Nat44In2OutOutputNode.NAME));

    private final Nat44Dataplane dataplane;

    /** A node over {@code dataplane}, for the bundle's tests; DS sees only the public constructor. */
    Nat44In2OutOutputWorkerHandoffNode(Nat44Dataplane dataplane) {
        this.dataplane = dataplane;
    }

    @Activate
    public Nat44In2OutOutputWorkerHandoffNode(@Reference Nat44Runtime runtime) {
        this(runtime.dataplane());
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        return Nat44WorkerHandoff.process(context, frame, dataplane, false, Nat44DropRecorder.NODE_IN2OUT_OUTPUT_HANDOFF);
    }
}
