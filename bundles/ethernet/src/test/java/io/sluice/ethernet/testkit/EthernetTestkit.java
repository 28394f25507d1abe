package io.sluice.ethernet.testkit;

import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.ethernet.node.EthernetInputNode;
import io.sluice.graph.api.Node;
import io.sluice.vnet.api.InterfaceTable;

/** ethernet's implementations for benchmarks and other bundles' tests, reached through the api types only. */
public final class EthernetTestkit {

    private EthernetTestkit() {
    }

    /** A neighbour table without its maintenance thread. */
    public static NeighbourTable neighbourTable() {
        return new NeighbourTableImpl();
    }

    public static Node ethernetInput(InterfaceTable interfaces) {
        return new EthernetInputNode(interfaces);
    }
}
