package io.sluice.vnet.api;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;

/**
 * The next arcs of an Ethernet device-input node, in VPP's order (vnet_device_next_t in
 * src/vnet/devices/devices.h), so that a trace's {@code next-index 4} reads as it does in VPP. The box has
 * neither IPv6 nor MPLS: both lead to error-drop.
 */
public enum DeviceNext implements NextArc {
    IP4_INPUT_NO_CHECKSUM("ip4-input-no-checksum"),
    IP4_INPUT("ip4-input"),
    IP6_INPUT(GraphRuntime.ERROR_DROP),
    MPLS_INPUT(GraphRuntime.ERROR_DROP),
    ETHERNET_INPUT(DeviceNext.ETHERNET_INPUT_NODE),
    DROP(GraphRuntime.ERROR_DROP);

    /** The node every accepted frame goes to. */
    public static final String ETHERNET_INPUT_NODE = "ethernet-input";

    private final String nodeName;

    DeviceNext(String nodeName) {
        this.nodeName = nodeName;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }
}
