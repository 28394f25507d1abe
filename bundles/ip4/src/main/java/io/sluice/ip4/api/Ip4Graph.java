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
    /** Strict unicast reverse-path forwarding (RFC 3704 section 2.2): the source is routed back out of the rx interface. */
    public static final String IP4_SOURCE_CHECK_VIA_RX = "ip4-source-check-via-rx";
    /** Loose unicast reverse-path forwarding (RFC 3704 section 2.4): the source is routed out of any interface. */
    public static final String IP4_SOURCE_CHECK_VIA_ANY = "ip4-source-check-via-any";
    /** The box's own echo requests ({@link Ip4Ping}), an input node handing them to ip4-lookup. */
    public static final String IP4_PING = "ip4-ping";
    /** Echo replies to the box, handed over by ip4-local (VPP's ping plugin's node name). */
    public static final String IP4_ICMP_ECHO_REPLY = "ip4-icmp-echo-reply";
    /** Shallow virtual reassembly on ip4-unicast and on ip4-output (VPP's names). */
    public static final String IP4_SV_REASSEMBLY_FEATURE = "ip4-sv-reassembly-feature";
    public static final String IP4_SV_REASSEMBLY_OUTPUT_FEATURE = "ip4-sv-reassembly-output-feature";

    /** Started by ip4-input (both variants): ingress features, then ip4-lookup. */
    public static final FeatureArc UNICAST_ARC = new FeatureArc(FeatureArc.IP4_UNICAST, IP4_INPUT, IP4_LOOKUP);
    /** Started by ip4-rewrite: egress features, then {@code <if>-output} (set per interface by vnet). */
    public static final FeatureArc OUTPUT_ARC = new FeatureArc(FeatureArc.IP4_OUTPUT, IP4_REWRITE, GraphRuntime.ERROR_DROP);

    /**
     * Opaque slot holding the ICMP error to send, {@code type << 24 | code << 16 | data}: data is the error's 16-bit
     * extra value, the next-hop MTU for fragmentation needed (RFC 1191). One slot, so that the other scratch slot
     * keeps what nat44-out2in left for the quote ({@link Opaque#NAT_ARRIVED_DST_PORT}).
     */
    public static final int OPAQUE_ICMP_REQUEST = Opaque.NODE_SCRATCH_0;

    private Ip4Graph() {
    }

    /** Marks {@code bi} for ip4-icmp-error: current data must be at the offending packet's IPv4 header. */
    public static void requestIcmpError(BufferPool pool, int bi, int type, int code, int data) {
        pool.setOpaque(bi, OPAQUE_ICMP_REQUEST, (type & 0xff) << 24 | (code & 0xff) << 16 | (data & 0xffff));
    }

    /** The ICMP type of a {@link #requestIcmpError} request. */
    public static int requestedType(BufferPool pool, int bi) {
        return pool.opaque(bi, OPAQUE_ICMP_REQUEST) >>> 24;
    }

    /** The ICMP code of a {@link #requestIcmpError} request. */
    public static int requestedCode(BufferPool pool, int bi) {
        return (pool.opaque(bi, OPAQUE_ICMP_REQUEST) >>> 16) & 0xff;
    }

    /** The extra value of a {@link #requestIcmpError} request (the next-hop MTU of a fragmentation needed). */
    public static int requestedData(BufferPool pool, int bi) {
        return pool.opaque(bi, OPAQUE_ICMP_REQUEST) & 0xffff;
    }
}
