package io.sluice.vnet.testkit;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.internal.InterfaceTableImpl;

/** vnet's implementations for benchmarks and other bundles' tests, reached through the api types only. */
public final class VnetTestkit {

    private VnetTestkit() {
    }

    /** An interface table that adds each interface's output and tx nodes to {@code graph}. */
    public static InterfaceTable interfaceTable(GraphRuntime graph) {
        return new InterfaceTableImpl(graph);
    }
}
