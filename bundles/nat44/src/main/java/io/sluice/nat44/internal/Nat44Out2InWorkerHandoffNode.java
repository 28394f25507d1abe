package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.HandoffTrace;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.packet.api.BufferPool;

import java.util.List;

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

    enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP);

        private final String nodeName;

        Next(String nodeName) {
            this.nodeName = nodeName;
        }

        @Override
        public String nodeName() {
            return nodeName;
        }
    }

    static final int ARC_DROP = Next.DROP.ordinal();

    /**
     * VPP's nat44 handoff errors, in its words: the owner's frame queue was full (the packet is dropped), the packet
     * was on its owner already, it was handed to its owner.
     */
    enum Error implements NodeError {
        CONGESTION_DROP("congestion drop"),
        SAME_WORKER("same worker"),
        DO_HANDOFF("do handoff");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(NAME,
                    NextArc.names(Next.class), List.of(Error.values()),
                    (record, offset, context, out) -> {
                        out.append("NAT44_OUT2IN_WORKER_HANDOFF : ");
                        HandoffTrace.format(record, offset, out);
                    })
            .withFeature(FeatureRegistration.on(FeatureArc.IP4_UNICAST)
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
        Nat44Policy policy = dataplane.policy();
        PortAllocator ports = dataplane.ports();
        BufferPool pool = context.pool();
        int workers = context.workerCount();
        int self = context.workerIndex();
        boolean translating = workers > 1 && !policy.refusing;
        boolean traced = frame.traced();
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        int kept = 0;
        int same = 0;
        int handedOff = 0;
        int congested = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int rx = pool.rxSwIfIndex(bi);
            int next = context.featureNext(rx);
            int owner = translating && !policy.inside(rx) ? Nat44WorkerOwner.ofOut2In(policy, ports, pool, bi, workers)
                    : Nat44WorkerOwner.STAY;
            if (owner == Nat44WorkerOwner.STAY) {
                owner = self;
            }
            if (traced) {
                Nat44WorkerOwner.trace(context, pool, bi, owner);
            }
            if (owner == self) {
                same++;
                buffers[kept] = bi;
                nexts[kept++] = next;
            } else if (context.handoff(bi, owner, next)) {
                handedOff++;
            } else {
                congested++;
                context.stampError(bi, Error.CONGESTION_DROP.ordinal());
                dataplane.drops().record(Nat44DropRecorder.NODE_OUT2IN_HANDOFF,
                        Error.CONGESTION_DROP.ordinal(), pool, bi, dataplane.now());
                buffers[kept] = bi;
                nexts[kept++] = ARC_DROP;
            }
        }
        frame.setCount(kept);
        context.countError(Error.SAME_WORKER.ordinal(), same);
        context.countError(Error.DO_HANDOFF.ordinal(), handedOff);
        context.countError(Error.CONGESTION_DROP.ordinal(), congested);
        return n;
    }
}
