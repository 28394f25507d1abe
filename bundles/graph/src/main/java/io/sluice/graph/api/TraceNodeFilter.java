package io.sluice.graph.api;

/**
 * VPP's {@code trace filter include|exclude <node> <count>}: of the traced packets, show only those whose path
 * went through {@code node} (include) or did not (exclude), at most {@code count} of them. A packet's path is
 * known only once it has left the graph, so the filter chooses among the packets the trace buffer holds when it
 * is shown; with {@code trace:add --last} the buffer keeps the newest packets, so a rare path is still caught on a
 * busy box.
 */
public record TraceNodeFilter(String node, boolean include, int count) {

    public TraceNodeFilter {
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("trace filter: a node name is required");
        }
        if (count <= 0) {
            throw new IllegalArgumentException("trace filter: count must be positive, got " + count);
        }
    }

    /** Whether a packet that did ({@code visited}) or did not go through the node is shown. */
    public boolean admits(boolean visited) {
        return visited == include;
    }

    public String describe() {
        return (include ? "include " : "exclude ") + node + " " + count;
    }
}
