package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.HandoffTrace;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;

import java.util.List;

/**
 * What NAT44's two worker handoffs share ({@link Nat44In2OutOutputWorkerHandoffNode},
 * {@link Nat44Out2InWorkerHandoffNode}), as VPP's nat44_handoff.c is one node function behind its registrations:
 * the arcs, the errors and the frame loop. The direction is a parameter of the loop, a branch per packet on a
 * constant, so each node keeps its own name, arc, trace header and drop-log id and no code twice.
 */
final class Nat44WorkerHandoff {
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

    private Nat44WorkerHandoff() {
    }

    /** A handoff node's registration: {@code traceHeader} before VPP's {@code next-worker N trace index T}. */
    static NodeRegistration registration(String name, String traceHeader, FeatureRegistration feature) {
        return NodeRegistration.internal(name, NextArc.names(Next.class), List.of(Error.values()),
                        (record, offset, context, out) -> {
                            out.append(traceHeader);
                            HandoffTrace.format(record, offset, out);
                        })
                .withFeature(feature);
    }

    /**
     * Puts each packet of {@code frame} on the worker that owns its flow: in2out by its inside source address (from
     * an inside interface; the box's own packets stay), out2in by {@link Nat44WorkerOwner#ofOut2In} (from an outside
     * interface; what nothing owns stays). One on its owner goes on along the arc; a full queue is a counted
     * {@code congestion-drop}, recorded in the drop log under {@code dropLogNode}.
     */
    static int process(NodeContext context, Frame frame, Nat44Dataplane dataplane, boolean out2in, int dropLogNode) {
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
            int owner = self;
            int next;
            if (out2in) {
                next = context.featureNext(rx);
                if (translating && !policy.inside(rx)) {
                    int found = Nat44WorkerOwner.ofOut2In(policy, ports, pool, bi, workers);
                    owner = found == Nat44WorkerOwner.STAY ? self : found;
                }
            } else {
                next = context.featureNext(pool.txSwIfIndex(bi));
                if (translating && policy.inside(rx)) {
                    owner = Nat44WorkerOwner.ofInsideAddress(Ipv4.src(pool.segment(), pool.l3Header(bi)), workers);
                }
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
                dataplane.drops().record(dropLogNode, Error.CONGESTION_DROP.ordinal(), pool, bi, dataplane.now());
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
