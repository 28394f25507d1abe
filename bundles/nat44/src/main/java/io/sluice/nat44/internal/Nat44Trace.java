package io.sluice.nat44.internal;

import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Opaque;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The trace record of the three NAT44 nodes and its text, as VPP v18.01's in2out.c and out2in.c print it:
 * the receive sw_if_index, the next index in VPP's numbering (in2out: 0 interface-output, 1 drop,
 * 2 icmp-error, 3 slow path; out2in: 0 drop, 1 lookup), and the session index (-1 when none).
 *
 * <pre>
 *  +0 int sw_if_index (receive)   +4 int next index (VPP numbering)   +8 int session index
 * </pre>
 */
final class Nat44Trace {
    static final int SW_IF_INDEX = 0;
    static final int NEXT_INDEX = 4;
    static final int SESSION = 8;

    /** VPP's in2out next indices, as printed. */
    static final int IN2OUT_NEXT_OUTPUT = 0;
    static final int IN2OUT_NEXT_DROP = 1;
    static final int IN2OUT_NEXT_SLOW_PATH = 3;
    /** VPP's out2in next indices, as printed. */
    static final int OUT2IN_NEXT_DROP = 0;
    static final int OUT2IN_NEXT_LOOKUP = 1;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private Nat44Trace() {
    }

    /** Writes the record of buffer {@code bi}; its session is in the NAT_SESSION opaque slot. */
    static void record(NodeContext context, BufferPool pool, int bi, int vppNext) {
        long record = context.trace(bi);
        if (record < 0) {
            return;
        }
        MemorySegment trace = context.traceSegment();
        trace.set(INT, record + SW_IF_INDEX, pool.rxSwIfIndex(bi));
        trace.set(INT, record + NEXT_INDEX, vppNext);
        trace.set(INT, record + SESSION, pool.opaque(bi, Opaque.NAT_SESSION));
    }

    static void formatFastPath(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        format("NAT44_IN2OUT_FAST_PATH", "session ", record, offset, out);
    }

    static void formatSlowPath(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        format("NAT44_IN2OUT_SLOW_PATH", "session ", record, offset, out);
    }

    static void formatOut2In(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        format("NAT44_OUT2IN", "session index ", record, offset, out);
    }

    private static void format(String tag, String sessionLabel, MemorySegment record, long offset, StringBuilder out) {
        out.append(tag).append(": sw_if_index ").append(record.get(INT, offset + SW_IF_INDEX))
                .append(", next index ").append(record.get(INT, offset + NEXT_INDEX))
                .append(", ").append(sessionLabel).append(record.get(INT, offset + SESSION));
    }
}
