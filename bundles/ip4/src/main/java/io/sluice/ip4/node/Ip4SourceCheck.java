package io.sluice.ip4.node;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.ip4.internal.fib.Adjacencies;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PacketFormat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The body of ip4-source-check-via-rx and ip4-source-check-via-any, VPP's unicast reverse-path forwarding
 * check (src/vnet/ip/ip4_source_check.c) on the ip4-unicast arc, before the ACL and NAT so that a spoofed
 * packet creates no session.
 *
 * <p>Per packet, in the receiving interface's FIB table:
 * <ol>
 *   <li>a martian source is dropped ({@code martian-source}): 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4
 *   and 240.0.0.0/4 with 255.255.255.255 (RFC 1812 section 5.3.7, RFC 3927 section 7, RFC 6890), and any of the
 *   box's own addresses (the lookup of the source finds a local route);</li>
 *   <li>otherwise the source's longest match must be a route through an interface (a next hop, resolved or not,
 *   or a connected subnet): strictly, out of the interface the packet came in on (RFC 3704 section 2.2, VPP's
 *   via-rx), loosely, out of any (RFC 3704 section 2.4, via-any). A drop route or no route is a miss
 *   ({@code src-check-miss}).</li>
 * </ol>
 * The source is read from the header ip4-input recorded ({@link BufferPool#l3Header}); a packet that passes
 * takes the arc to the next feature of its interface.
 */
final class Ip4SourceCheck {

    enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP);

        private final String nodeName;

        Next(String nodeName) {
            this.nodeName = nodeName;
        }

        @Override
        public String nodeName() {
            return nodeName;
        }
    }

    static final int NEXT_DROP = Next.DROP.ordinal();

    /** Before the features that create state from a packet's addresses (VPP orders its source checks first too). */
    static final FeatureRegistration FEATURE = FeatureRegistration.on(FeatureArc.IP4_UNICAST)
            .before("acl-plugin-in-ip4-fa", "nat44-out2in");

    /** Results as the trace shows them; 0 passes. */
    static final int PASS = 0;
    static final int MISS = 1;
    static final int MARTIAN = 2;
    private static final String[] RESULT_NAMES = {"pass", "src-check-miss", "martian-source"};

    /** Trace record: rx sw_if_index, source, table, adjacency, the adjacency's interface, result, strict. */
    static final int TRACE_SW_IF_INDEX = 0;
    static final int TRACE_SOURCE = 4;
    static final int TRACE_TABLE = 8;
    static final int TRACE_ADJACENCY = 12;
    static final int TRACE_VIA = 16;
    static final int TRACE_RESULT = 20;
    static final int TRACE_STRICT = 24;

    private static final int LOOPBACK_NET = 127;
    private static final int FIRST_MULTICAST_OCTET = 224;
    private static final int LINK_LOCAL_16 = 0xa9fe;

    private Ip4SourceCheck() {
    }

    static NodeRegistration registration(String name) {
        return NodeRegistration.internal(name, NextArc.names(Next.class), List.of(Ip4SourceCheckError.values()),
                Ip4SourceCheck::format).withFeature(FEATURE);
    }

    /** {@code strict} is a constant in each variant, so the JIT folds the test away. */
    static int process(NodeContext context, Frame frame, Ip4FibImpl.Forwarding forwarding, boolean strict) {
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        Adjacencies adjacencies = forwarding.adjacencies();
        long misses = 0;
        long martians = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int sw = pool.rxSwIfIndex(bi);
            int result = check(forwarding, adjacencies, sw, Ipv4.src(seg, pool.l3Header(bi)), strict);
            if (result == PASS) {
                nexts[i] = context.featureNext(sw);
            } else {
                nexts[i] = NEXT_DROP;
                if (result == MISS) {
                    misses++;
                    context.stampError(bi, Ip4SourceCheckError.SRC_CHECK_MISS.ordinal());
                } else {
                    martians++;
                    context.stampError(bi, Ip4SourceCheckError.MARTIAN_SOURCE.ordinal());
                }
            }
        }
        if (frame.traced()) {
            trace(context, pool, buffers, n, forwarding, strict);
        }
        if (misses + martians != 0) {
            context.countError(Ip4SourceCheckError.SRC_CHECK_MISS.ordinal(), misses);
            context.countError(Ip4SourceCheckError.MARTIAN_SOURCE.ordinal(), martians);
        }
        return n;
    }

    static int check(Ip4FibImpl.Forwarding forwarding, Adjacencies adjacencies, int sw, int source, boolean strict) {
        if (isMartian(source)) {
            return MARTIAN;
        }
        int adjacency = forwarding.lookup(forwarding.tableOf(sw), source);
        byte kind = adjacencies.kind(adjacency);
        if (kind == Adjacencies.LOCAL) {
            return MARTIAN;
        }
        if (kind != Adjacencies.REWRITE && kind != Adjacencies.INCOMPLETE && kind != Adjacencies.GLEAN) {
            return MISS;
        }
        return !strict || adjacencies.swIfIndex(adjacency) == sw ? PASS : MISS;
    }

    /**
     * A source no host may have, whatever the routes: "this network" 0/8, loopback 127/8, link-local 169.254/16
     * (a router must not forward it, RFC 3927 section 7), multicast 224/4 and reserved 240/4 with the limited
     * broadcast (RFC 1812 section 5.3.7).
     */
    static boolean isMartian(int source) {
        int firstOctet = source >>> 24;
        return firstOctet == 0 || firstOctet == LOOPBACK_NET || firstOctet >= FIRST_MULTICAST_OCTET
                || source >>> 16 == LINK_LOCAL_16;
    }

    private static void trace(NodeContext context, BufferPool pool, int[] buffers, int n,
                              Ip4FibImpl.Forwarding forwarding, boolean strict) {
        MemorySegment trace = context.traceSegment();
        MemorySegment seg = pool.segment();
        Adjacencies adjacencies = forwarding.adjacencies();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long record = context.trace(bi);
            if (record < 0) {
                continue;
            }
            int sw = pool.rxSwIfIndex(bi);
            int source = Ipv4.src(seg, pool.l3Header(bi));
            int table = forwarding.tableOf(sw);
            int adjacency = forwarding.lookup(table, source);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_SW_IF_INDEX, sw);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_SOURCE, source);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_TABLE, table);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_ADJACENCY, adjacency);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_VIA, adjacencies.swIfIndex(adjacency));
            trace.set(ValueLayout.JAVA_INT, record + TRACE_RESULT, check(forwarding, adjacencies, sw, source, strict));
            trace.set(ValueLayout.JAVA_INT, record + TRACE_STRICT, strict ? 1 : 0);
        }
    }

    /** {@code sw_if_index 6 src 10.1.1.3 fib 0 dpo-idx 5 via sw_if_index 6 (via-rx): pass}. */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        int result = record.get(ValueLayout.JAVA_INT, offset + TRACE_RESULT);
        out.append("sw_if_index ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_SW_IF_INDEX))
                .append(" src ").append(PacketFormat.formatIp4(record.get(ValueLayout.JAVA_INT, offset + TRACE_SOURCE)))
                .append(" fib ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_TABLE))
                .append(" dpo-idx ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_ADJACENCY))
                .append(" via sw_if_index ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_VIA))
                .append(record.get(ValueLayout.JAVA_INT, offset + TRACE_STRICT) != 0 ? " (via-rx): " : " (via-any): ")
                .append(result >= 0 && result < RESULT_NAMES.length ? RESULT_NAMES[result] : "?");
    }
}
