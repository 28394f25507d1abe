package io.sluice.ip4.api;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Opaque;

/** Names of the ip4 nodes and arcs, and how a node asks ip4-icmp-error to answer a packet. */
public final class Ip4Graph {

    public static final String IP4_INPUT = "ip4-input";
    public static final String IP4_INPUT_NO_CHECKSUM = "ip4-input-no-checksum";
    public static final String IP4_LOOKUP = "ip4-lookup";
    public static final String IP4_REWRITE = "ip4-rewrite";
    public static final String IP4_LOCAL = "ip4-local";
    public static final String IP4_ICMP_ERROR = "ip4-icmp-error";
    /** Shallow virtual reassembly on ip4-unicast and on ip4-output (VPP's names). */
    public static final String IP4_SV_REASSEMBLY_FEATURE = "ip4-sv-reassembly-feature";
    public static final String IP4_SV_REASSEMBLY_OUTPUT_FEATURE = "ip4-sv-reassembly-output-feature";

    /** Started by ip4-input (both variants): ingress features, then ip4-lookup. */
    public static final FeatureArc UNICAST_ARC = new FeatureArc(FeatureArc.IP4_UNICAST, IP4_INPUT, IP4_LOOKUP);
    /** Started by ip4-rewrite: egress features, then {@code <if>-output} (set per interface by vnet). */
    public static final FeatureArc OUTPUT_ARC = new FeatureArc(FeatureArc.IP4_OUTPUT, IP4_REWRITE, GraphRuntime.ERROR_DROP);

    /** Opaque slot holding {@code type << 8 | code} of the ICMP error to send. */
    public static final int OPAQUE_ICMP_TYPE_CODE = Opaque.NODE_SCRATCH_0;
    /** Opaque slot holding the error's extra value: the next-hop MTU for fragmentation needed (RFC 1191). */
    public static final int OPAQUE_ICMP_DATA = Opaque.NODE_SCRATCH_1;

    private Ip4Graph() {
    }

    /** Marks {@code bi} for ip4-icmp-error: current data must be at the offending packet's IPv4 header. */
    public static void requestIcmpError(BufferPool pool, int bi, int type, int code, int data) {
        pool.setOpaque(bi, OPAQUE_ICMP_TYPE_CODE, (type << 8) | code);
        pool.setOpaque(bi, OPAQUE_ICMP_DATA, data);
    }
}
