package io.sluice.graph.api;

import java.lang.foreign.MemorySegment;

/**
 * Turns one node's fixed-size trace record into text, only when an operator shows the trace. Write the
 * node's lines separated by '\n' without the two-space indent the trace layout adds to every line.
 */
@FunctionalInterface
public interface TraceFormatter {
    void format(MemorySegment record, long offset, TraceContext context, StringBuilder out);
}
