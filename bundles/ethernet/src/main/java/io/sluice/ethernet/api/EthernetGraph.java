package io.sluice.ethernet.api;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;

/** Node and arc names of the ethernet bundle, for the nodes of other bundles that send buffers here. */
public final class EthernetGraph {

    public static final String ETHERNET_INPUT = "ethernet-input";
    public static final String ARP_INPUT = "arp-input";
    /** Resolves next hops without a MAC: sends an ARP request and drops the packet, as VPP's ip4-arp. */
    public static final String IP4_ARP = "ip4-arp";

    /**
     * The arc that frames the box makes at L2 (ARP replies and requests) leave by: no features, and the end on
     * each interface is its {@code <if>-output} node, like VPP's {@code interface-output}. Not ip4-output,
     * whose features (ACLs, NAT) expect IPv4.
     */
    public static final FeatureArc INTERFACE_OUTPUT =
            new FeatureArc("interface-output", ARP_INPUT, GraphRuntime.ERROR_DROP);

    private EthernetGraph() {
    }
}
