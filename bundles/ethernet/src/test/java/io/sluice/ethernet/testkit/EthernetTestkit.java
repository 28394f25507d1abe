package io.sluice.ethernet.testkit;

import io.sluice.ethernet.api.ArpProxy;
import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ethernet.internal.ArpProxyImpl;
import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.ethernet.node.ArpInputNode;
import io.sluice.ethernet.node.EthernetInputNode;
import io.sluice.ethernet.node.InterfaceOutputArc;
import io.sluice.ethernet.node.Ip4ArpNode;
import io.sluice.graph.api.GraphRuntime;
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

    /** The proxy ARP switch per interface, all off. */
    public static ArpProxy arpProxy() {
        return new ArpProxyImpl();
    }

    /** arp-input, learning into {@code neighbours} (a table made by {@link #neighbourTable()}). */
    public static Node arpInput(InterfaceTable interfaces, NeighbourTable neighbours, ArpProxy proxy) {
        return new ArpInputNode(interfaces, (NeighbourTableImpl) neighbours, proxy);
    }

    /** ip4-arp: the ARP request for a neighbour ip4-rewrite does not know yet. */
    public static Node ip4Arp(InterfaceTable interfaces) {
        return new Ip4ArpNode(interfaces);
    }

    /** Ends the interface-output arc at each interface's output node, as the bundle's component does. */
    public static void endInterfaceOutputArcs(GraphRuntime graph, InterfaceTable interfaces) {
        new InterfaceOutputArc(graph, interfaces);
    }
}
