package io.sluice.ip4.node;

import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.ip4.internal.fib.Adjacencies;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Opaque;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code ip4-lookup}: the longest-prefix match of the destination in the receiving interface's FIB table,
 * and the adjacency's next node: ip4-rewrite for a resolved next hop, ip4-arp for one without a MAC (or a
 * connected destination), ip4-local for the box's own addresses; a drop route drops, and no route at all is
 * answered with ICMP destination unreachable (RFC 1812 section 5.2.7.1). Writes the adjacency, the table and
 * the flow hash (0: no load balancing yet) into the buffer's opaque slots and the tx sw_if_index.
 */
@Component(service = Node.class, immediate = true)
public final class Ip4LookupNode implements Node {

    public enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP),
        REWRITE(Ip4Graph.IP4_REWRITE),
        LOCAL(Ip4Graph.IP4_LOCAL),
        ARP(EthernetGraph.IP4_ARP),
        ICMP_ERROR(Ip4Graph.IP4_ICMP_ERROR);

        private final String nodeName;

        Next(String nodeName) {
            this.nodeName = nodeName;
        }

        @Override
        public String nodeName() {
            return nodeName;
        }
    }

    public static final int NEXT_DROP = Next.DROP.ordinal();
    public static final int NEXT_REWRITE = Next.REWRITE.ordinal();
    public static final int NEXT_LOCAL = Next.LOCAL.ordinal();
    public static final int NEXT_ARP = Next.ARP.ordinal();
    public static final int NEXT_ICMP_ERROR = Next.ICMP_ERROR.ordinal();

    /** Trace record: table, adjacency, flow hash, then the packet as ip4-input's record. */
    static final int TRACE_TABLE = 0;
    static final int TRACE_ADJACENCY = 4;
    static final int TRACE_FLOW_HASH = 8;
    static final int TRACE_PACKET = 12;
    private static final int PACKET_CAPTURE = TraceRing.PAYLOAD_SIZE - TRACE_PACKET - Ip4Input.TRACE_PACKET;

    public enum Error implements NodeError {
        DST_LOOKUP_MISS("ip4 destination lookup miss"),
        ADJACENCY_DROP("ip4 adjacency drop");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(Ip4Graph.IP4_LOOKUP,
            NextArc.names(Next.class), List.of(Error.values()), Ip4LookupNode::format);

    private static final int RESOLVE_SLOT = Opaque.NODE_SCRATCH_0;

    private final Ip4FibImpl fib;

    @Activate
    public Ip4LookupNode(@Reference Ip4FibImpl fib) {
        this.fib = fib;
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        Ip4FibImpl.Forwarding forwarding = fib.forwarding();
        Adjacencies adjacencies = forwarding.adjacencies();
        long misses = 0;
        long drops = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long ip = pool.l3Header(bi);
            int dst = Ipv4.dst(seg, ip);
            int table = forwarding.tableOf(pool.rxSwIfIndex(bi));
            int adjacency = forwarding.lookup(table, dst);
            pool.setOpaque(bi, Opaque.ADJACENCY, adjacency);
            pool.setOpaque(bi, Opaque.FIB_INDEX, table);
            pool.setOpaque(bi, Opaque.FLOW_HASH, 0);
            switch (adjacencies.kind(adjacency)) {
                case Adjacencies.REWRITE -> {
                    pool.setTxSwIfIndex(bi, adjacencies.swIfIndex(adjacency));
                    nexts[i] = NEXT_REWRITE;
                }
                case Adjacencies.LOCAL -> nexts[i] = NEXT_LOCAL;
                case Adjacencies.INCOMPLETE -> {
                    pool.setTxSwIfIndex(bi, adjacencies.swIfIndex(adjacency));
                    pool.setOpaque(bi, RESOLVE_SLOT, adjacencies.nextHop(adjacency));
                    nexts[i] = NEXT_ARP;
                }
                case Adjacencies.GLEAN -> {
                    pool.setTxSwIfIndex(bi, adjacencies.swIfIndex(adjacency));
                    pool.setOpaque(bi, RESOLVE_SLOT, dst);
                    nexts[i] = NEXT_ARP;
                }
                case Adjacencies.DROP -> {
                    drops++;
                    nexts[i] = NEXT_DROP;
                    context.stampError(bi, Error.ADJACENCY_DROP.ordinal());
                }
                default -> {
                    misses++;
                    Ip4Graph.requestIcmpError(pool, bi, Icmp.TYPE_DESTINATION_UNREACHABLE,
                            Icmp.CODE_NET_UNREACHABLE, 0);
                    nexts[i] = NEXT_ICMP_ERROR;
                }
            }
        }
        if (frame.traced()) {
            trace(context, pool, buffers, n);
        }
        if (misses + drops != 0) {
            context.countError(Error.DST_LOOKUP_MISS.ordinal(), misses);
            context.countError(Error.ADJACENCY_DROP.ordinal(), drops);
        }
        return n;
    }

    private static void trace(NodeContext context, BufferPool pool, int[] buffers, int n) {
        MemorySegment trace = context.traceSegment();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long record = context.trace(bi);
            if (record < 0) {
                continue;
            }
            trace.set(ValueLayout.JAVA_INT, record + TRACE_TABLE, pool.opaque(bi, Opaque.FIB_INDEX));
            trace.set(ValueLayout.JAVA_INT, record + TRACE_ADJACENCY, pool.opaque(bi, Opaque.ADJACENCY));
            trace.set(ValueLayout.JAVA_INT, record + TRACE_FLOW_HASH, pool.opaque(bi, Opaque.FLOW_HASH));
            Ip4Input.tracePacket(pool, bi, trace, record + TRACE_PACKET, PACKET_CAPTURE);
        }
    }

    /** {@code fib 0 dpo-idx 1 flow hash: 0x00000000}, then the IPv4 block. */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        out.append("fib ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_TABLE))
                .append(" dpo-idx ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_ADJACENCY))
                .append(" flow hash: 0x")
                .append(String.format("%08x", record.get(ValueLayout.JAVA_INT, offset + TRACE_FLOW_HASH)))
                .append('\n');
        Ip4Input.formatPacket(record, offset + TRACE_PACKET, out, PACKET_CAPTURE);
    }
}
