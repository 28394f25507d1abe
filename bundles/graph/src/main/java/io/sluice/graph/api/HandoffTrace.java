package io.sluice.graph.api;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The trace record of a handoff node ({@code worker-handoff}, {@code nat44-in2out-worker-handoff}), in VPP's
 * words: "next-worker 1 trace index 0", the worker the buffer went to and its trace index on this worker (the
 * destination's {@code handoff_trace} record quotes it back). A node writes it with {@link #write} and formats it
 * with {@link #format}, prefixed by its own label as VPP's nodes do ("NAT44_IN2OUT_WORKER_HANDOFF: ").
 *
 * <pre>
 *  record payload: 0 next worker (i32)   4 trace index (i32)
 * </pre>
 */
public final class HandoffTrace {

    public static final int SIZE = 8;

    private HandoffTrace() {
    }

    public static void write(MemorySegment records, long offset, int nextWorker, int traceIndex) {
        records.set(ValueLayout.JAVA_INT, offset, nextWorker);
        records.set(ValueLayout.JAVA_INT, offset + 4, traceIndex);
    }

    /** Appends "next-worker W trace index T". */
    public static void format(MemorySegment records, long offset, StringBuilder out) {
        out.append("next-worker ").append(records.get(ValueLayout.JAVA_INT, offset))
                .append(" trace index ").append(records.get(ValueLayout.JAVA_INT, offset + 4));
    }
}
