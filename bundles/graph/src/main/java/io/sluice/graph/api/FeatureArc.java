package io.sluice.graph.api;

/**
 * A feature arc, defined by the registration of its start node: an ordered, per-interface chain of optional nodes between a start node and an end node,
 * as VPP's vnet_feature_arc. The start node hands each buffer to {@link NodeContext#featureStart}; every
 * feature to {@link NodeContext#featureNext}. The end node may be set per interface
 * ({@link GraphRuntime#setFeatureArcEnd}); otherwise {@code defaultEndNode}.
 */
public record FeatureArc(String name, String startNode, String defaultEndNode) {
    /** After ip4-input, before ip4-lookup: ingress ACL, nat44-out2in. */
    public static final String IP4_UNICAST = "ip4-unicast";
    /** After ip4-rewrite, before {@code <if>-output}: egress ACL, nat44-in2out-output. */
    public static final String IP4_OUTPUT = "ip4-output";
}
