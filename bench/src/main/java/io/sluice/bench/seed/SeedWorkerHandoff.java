package io.sluice.bench.seed;

import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.packet.api.BufferPool;

import java.util.List;

/**
 * {@code seed-worker-handoff}: between a {@link WorkerFrameSource} and ethernet-input, each buffer goes on to
 * ethernet-input on the worker that owns its flow (opaque word {@link #OPAQUE_OWNER}, set by the source), through
 * the graph's frame queue when that is another worker: the shape of VPP's handoff nodes (and of Sluice's NAT44
 * ones), with the owner given instead of hashed, so that the benchmark chooses how many flows cross. Untraced
 * (the benchmark traces nothing).
 */
final class SeedWorkerHandoff implements Node {

    static final String NAME = "seed-worker-handoff";
    static final int OPAQUE_OWNER = 1;

    enum Next implements NextArc {
        ETHERNET_INPUT(EthernetGraph.ETHERNET_INPUT),
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

    enum Error implements NodeError {
        CONGESTION_DROP("congestion drop: the owner worker's frame queue is full"),
        SAME_WORKER("buffers whose flow this worker owns (no handoff)"),
        DO_HANDOFF("buffers handed to the worker that owns their flow");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final int NEXT_ETHERNET = Next.ETHERNET_INPUT.ordinal();
    private static final int NEXT_DROP = Next.DROP.ordinal();
    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(NAME, NextArc.names(Next.class),
            List.of(Error.values()), null);

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        BufferPool pool = context.pool();
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        int self = context.workerIndex();
        int kept = 0;
        long congested = 0;
        long handedOff = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int owner = pool.opaque(bi, OPAQUE_OWNER);
            if (owner == self) {
                buffers[kept] = bi;
                nexts[kept++] = NEXT_ETHERNET;
            } else if (context.handoff(bi, owner, NEXT_ETHERNET)) {
                handedOff++;
            } else {
                congested++;
                buffers[kept] = bi;
                nexts[kept++] = NEXT_DROP;
            }
        }
        frame.setCount(kept);
        context.countError(Error.CONGESTION_DROP.ordinal(), congested);
        context.countError(Error.SAME_WORKER.ordinal(), n - handedOff - congested);
        context.countError(Error.DO_HANDOFF.ordinal(), handedOff);
        return n;
    }
}
