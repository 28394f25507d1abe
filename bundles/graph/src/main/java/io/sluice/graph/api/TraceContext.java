package io.sluice.graph.api;

/** What a trace formatter may look up while formatting: names of interfaces and nodes. */
public interface TraceContext {
    /** The interface's name, or {@code "sw_if_index N"} when unknown. */
    String interfaceName(int swIfIndex);
}
