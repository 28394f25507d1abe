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
import io.sluice.packet.api.Ipv4;

import java.lang.foreign.MemorySegment;
import java.util.List;

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
                        out.append("NAT44_IN2OUT_WORKER_HANDOFF OUTPUT-FEATURE: ");
                        HandoffTrace.format(record, offset, out);
                    })
            .withFeature(FeatureRegistration.on(FeatureArc.IP4_OUTPUT)
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
        Nat44Policy policy = dataplane.policy();
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
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
            int next = context.featureNext(pool.txSwIfIndex(bi));
            int owner = translating && policy.inside(pool.rxSwIfIndex(bi))
                    ? Nat44WorkerOwner.ofInsideAddress(Ipv4.src(seg, pool.l3Header(bi)), workers) : self;
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
                dataplane.drops().record(Nat44DropRecorder.NODE_IN2OUT_OUTPUT_HANDOFF,
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
