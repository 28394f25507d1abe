package io.sluice.graph.runtime;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code handoff_trace}, VPP's node of that name: the first record of a traced packet on the worker it was handed
 * to ("HANDED-OFF: from thread 0 trace index 3"), so that the packet's two halves can be matched across the
 * threads' traces. The destination worker writes the record itself when it takes the buffer; no buffer is ever
 * sent to this node (one that were would be freed).
 *
 * <pre>
 *  record payload: 0 source worker (i32)   4 the packet's trace index on that worker (i32)
 * </pre>
 */
final class HandoffTraceNode implements Node {

    static final String NAME = "handoff_trace";

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(NAME, List.of(), List.of(),
            HandoffTraceNode::format);

    static void write(MemorySegment records, long offset, int sourceWorker, int sourceTraceIndex) {
        records.set(ValueLayout.JAVA_INT, offset, sourceWorker);
        records.set(ValueLayout.JAVA_INT, offset + 4, sourceTraceIndex);
    }

    private static void format(MemorySegment record, long offset, io.sluice.graph.api.TraceContext context,
                               StringBuilder out) {
        out.append("HANDED-OFF: from thread ").append(record.get(ValueLayout.JAVA_INT, offset))
                .append(" trace index ").append(record.get(ValueLayout.JAVA_INT, offset + 4));
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        int n = frame.count();
        context.pool().free(frame.buffers(), 0, n);
        frame.setCount(0);
        return n;
    }
}
