package io.sluice.driver.afpacket.testkit;

import io.sluice.driver.afpacket.internal.AfPacketInputNode;
import io.sluice.driver.afpacket.internal.HostPortComponent;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.vnet.api.InterfaceTable;

import java.util.Map;

/**
 * AF_PACKET host ports as Declarative Services would make them, for graphs built by hand outside this bundle
 * (bench/): the {@code af-packet-input} node, and a port per factory configuration of
 * {@code io.sluice.driver.afpacket}.
 */
public final class HostPorts {

    private HostPorts() {
    }

    /** An {@code af-packet-input} node reading {@code interfaces}; add it to the graph, then open ports on it. */
    public static Node inputNode(InterfaceTable interfaces) {
        return new AfPacketInputNode(interfaces);
    }

    /**
     * Opens the port {@code properties} configure (the keys of docs/configuration.md) and has {@code input}, a
     * node from {@link #inputNode}, poll it. Closing closes its sockets and unregisters it.
     */
    public static AutoCloseable open(GraphRuntime graph, InterfaceTable interfaces, Node input,
                                     Map<String, Object> properties) {
        HostPortComponent component = new HostPortComponent(graph, interfaces, (AfPacketInputNode) input,
                properties);
        return component::deactivate;
    }
}
