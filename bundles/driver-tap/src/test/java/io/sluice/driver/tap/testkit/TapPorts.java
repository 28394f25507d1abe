package io.sluice.driver.tap.testkit;

import io.sluice.driver.tap.internal.TapPortComponent;
import io.sluice.driver.tap.internal.VirtioInputNode;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.vnet.api.InterfaceTable;

import java.util.Map;

/**
 * TAP ports as Declarative Services would make them, for graphs built by hand outside this bundle (bench/):
 * the {@code virtio-input} node, and a pod port per factory configuration of {@code io.sluice.driver.tap}.
 */
public final class TapPorts {

    private TapPorts() {
    }

    /** A {@code virtio-input} node reading {@code interfaces}; add it to the graph, then open ports on it. */
    public static Node inputNode(InterfaceTable interfaces) {
        return new VirtioInputNode(interfaces);
    }

    /**
     * Opens the port {@code properties} configure (the keys of docs/configuration.md) and has {@code input}, a
     * node from {@link #inputNode}, poll it. Closing removes it as a deleted configuration does.
     */
    public static AutoCloseable open(GraphRuntime graph, InterfaceTable interfaces, Node input,
                                     Map<String, Object> properties) {
        TapPortComponent component = new TapPortComponent(graph, interfaces, (VirtioInputNode) input, properties);
        return component::deactivate;
    }
}
