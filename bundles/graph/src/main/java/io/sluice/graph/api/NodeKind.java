package io.sluice.graph.api;

/** As in VPP: input nodes are polled by a worker; internal nodes run when a frame is pending for them. */
public enum NodeKind {
    INPUT,
    INTERNAL
}
