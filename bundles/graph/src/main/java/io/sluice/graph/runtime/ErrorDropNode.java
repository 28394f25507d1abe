package io.sluice.graph.runtime;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;

import java.util.List;

/**
 * The end of every drop arc: frees the buffers. The node that chose the drop has already counted why, in
 * its own error counters; this node counts the total. A packet capture of drops copies them first (VPP's
 * {@code pcap trace drop}), each under the interface it arrived on and with the counter its node stamped on it
 * ({@link io.sluice.graph.api.NodeContext#stampError}), for the packet's comment.
 */
final class ErrorDropNode implements Node {

    enum Error implements NodeError {
        DROPPED("buffers freed after a node chose to drop them");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(
            GraphRuntime.ERROR_DROP, List.of(), List.of(Error.values()),
            (record, offset, context, out) -> out.append("buffer dropped"));

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        int n = frame.count();
        int[] buffers = frame.buffers();
        if (frame.traced()) {
            for (int i = 0; i < n; i++) {
                context.trace(buffers[i]);
            }
        }
        ArmedCapture capture = context.capture();
        if (capture.captures(ArmedCapture.DROP)) {
            capture.takeDropped(context.workerIndex(), context.pool(), buffers, n);
        }
        context.pool().free(buffers, 0, n);
        context.countError(Error.DROPPED.ordinal(), n);
        frame.setCount(0);
        return n;
    }
}
