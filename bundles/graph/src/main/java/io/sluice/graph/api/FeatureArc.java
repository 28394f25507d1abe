package io.sluice.graph.api;

/**
 * A feature arc, defined by the registration of its start node: an ordered, per-interface chain of optional nodes between a start node and an end node,
 * as VPP's vnet_feature_arc. The start node hands each buffer to {@link NodeContext#featureStart}; every
 * feature to {@link NodeContext#featureNext}. The end node may be set per interface
 * ({@link GraphRuntime#setFeatureArcEnd}); otherwise {@code defaultEndNode}.
 */
public record FeatureArc(String name, String startNode, String defaultEndNode) {
    /**
     * After ip4-input, before ip4-lookup: ingress ACL, nat44-out2in.
     *
     * @deprecated ip4's arc names are no business of the generic graph; they belong beside the ip4 arcs
     *             ({@code Ip4Graph.UNICAST_ARC}) in a package that vnet, acl and nat44 can all import. Kept until
     *             their users (vnet, acl, nat44, shell, examples, bench) move in one change.
     */
    @Deprecated
    public static final String IP4_UNICAST = "ip4-unicast";
    /**
     * After ip4-rewrite, before {@code <if>-output}: egress ACL, nat44-in2out-output.
     *
     * @deprecated as {@link #IP4_UNICAST}: to move beside {@code Ip4Graph.OUTPUT_ARC}.
     */
    @Deprecated
    public static final String IP4_OUTPUT = "ip4-output";
}
