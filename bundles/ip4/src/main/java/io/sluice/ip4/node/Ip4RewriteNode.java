package io.sluice.ip4.node;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.ip4.internal.fib.Adjacencies;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.Opaque;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code ip4-rewrite}: forwards a packet to the adjacency ip4-lookup chose (RFC 1812 section 5.3.1): a TTL of
 * 1 or less is answered with ICMP time exceeded; a packet longer than the tx interface's MTU is answered with
 * ICMP fragmentation needed when DF is set (RFC 1191) and otherwise dropped and counted (the box does not
 * fragment); then the TTL is decremented with an RFC 1624 checksum update, the adjacency's L2 header is
 * written into the headroom in front of it, and it starts the ip4-output arc of the tx interface.
 */
@Component(service = Node.class, immediate = true)
public final class Ip4RewriteNode implements Node {

    public enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP),
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
    public static final int NEXT_ICMP_ERROR = Next.ICMP_ERROR.ordinal();

    /** Trace record layout. */
    static final int TRACE_SW_IF_INDEX = 0;
    static final int TRACE_ADJACENCY = 4;
    static final int TRACE_NEXT_HOP = 8;
    static final int TRACE_FLOW_HASH = 12;
    static final int TRACE_DST_MAC = 16;
    static final int TRACE_SRC_MAC = 24;
    static final int TRACE_LENGTH = 32;
    static final int TRACE_PACKET = 36;
    /** The record keeps and shows this many bytes of the rewritten packet, as VPP's ip4-rewrite trace (the seed's). */
    static final int TRACE_PACKET_BYTES = 60;

    public enum Error implements NodeError {
        TIME_EXPIRED("ip4 ttl <= 1"),
        MTU_EXCEEDED("ip4 MTU exceeded and DF set"),
        FRAGMENTATION_NOT_SUPPORTED("ip4 MTU exceeded, fragmentation not supported"),
        ADJACENCY_UNRESOLVED("ip4 adjacency no longer resolved");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(Ip4Graph.IP4_REWRITE,
                    NextArc.names(Next.class), List.of(Error.values()), Ip4RewriteNode::format)
            .startingArcs(Ip4Graph.OUTPUT_ARC);

    private final Ip4FibImpl fib;
    private final InterfaceTable interfaces;

    @Activate
    public Ip4RewriteNode(@Reference Ip4FibImpl fib, @Reference InterfaceTable interfaces) {
        this.fib = fib;
        this.interfaces = interfaces;
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
        Adjacencies adjacencies = fib.forwarding().adjacencies();
        InterfaceSnapshot snapshot = interfaces.snapshot();
        long expired = 0;
        long mtuExceeded = 0;
        long tooBig = 0;
        long unresolved = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int adjacency = pool.opaque(bi, Opaque.ADJACENCY);
            if (adjacencies.kind(adjacency) != Adjacencies.REWRITE) {
                unresolved++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Error.ADJACENCY_UNRESOLVED.ordinal());
                continue;
            }
            long ip = pool.l3Header(bi);
            boolean originated = (pool.flags(bi) & BufferPool.FLAG_LOCALLY_ORIGINATED) != 0;
            if (!originated && Ipv4.ttl(seg, ip) <= 1) {
                expired++;
                Ip4Graph.requestIcmpError(pool, bi, Icmp.TYPE_TIME_EXCEEDED, Icmp.CODE_TTL_EXCEEDED_IN_TRANSIT, 0);
                nexts[i] = NEXT_ICMP_ERROR;
                continue;
            }
            int sw = adjacencies.swIfIndex(adjacency);
            int mtu = snapshot.mtu(sw);
            if (Ipv4.totalLength(seg, ip) > mtu) {
                if (Ipv4.dontFragment(seg, ip)) {
                    mtuExceeded++;
                    Ip4Graph.requestIcmpError(pool, bi, Icmp.TYPE_DESTINATION_UNREACHABLE,
                            Icmp.CODE_FRAGMENTATION_NEEDED, mtu);
                    nexts[i] = NEXT_ICMP_ERROR;
                } else {
                    tooBig++;
                    nexts[i] = NEXT_DROP;
                    context.stampError(bi, Error.FRAGMENTATION_NOT_SUPPORTED.ordinal());
                }
                continue;
            }
            if (!originated) {
                Ipv4.decrementTtl(seg, ip);
            }
            pool.advance(bi, -Ethernet.HEADER_LENGTH);
            long l2 = ip - Ethernet.HEADER_LENGTH;
            NetworkOrder.setU48(seg, l2 + Ethernet.DST, adjacencies.dstMac(adjacency));
            NetworkOrder.setU48(seg, l2 + Ethernet.SRC, adjacencies.srcMac(adjacency));
            NetworkOrder.setU16(seg, l2 + Ethernet.ETHERTYPE, Ethernet.TYPE_IP4);
            pool.setL2Offset(bi, pool.currentData(bi));
            pool.setTxSwIfIndex(bi, sw);
            nexts[i] = context.featureStart(0, sw);
        }
        if (frame.traced()) {
            trace(context, pool, buffers, n, adjacencies);
        }
        if (expired + mtuExceeded + tooBig + unresolved != 0) {
            context.countError(Error.TIME_EXPIRED.ordinal(), expired);
            context.countError(Error.MTU_EXCEEDED.ordinal(), mtuExceeded);
            context.countError(Error.FRAGMENTATION_NOT_SUPPORTED.ordinal(), tooBig);
            context.countError(Error.ADJACENCY_UNRESOLVED.ordinal(), unresolved);
        }
        return n;
    }

    private static void trace(NodeContext context, BufferPool pool, int[] buffers, int n, Adjacencies adjacencies) {
        MemorySegment trace = context.traceSegment();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long record = context.trace(bi);
            if (record < 0) {
                continue;
            }
            int adjacency = pool.opaque(bi, Opaque.ADJACENCY);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_SW_IF_INDEX, adjacencies.swIfIndex(adjacency));
            trace.set(ValueLayout.JAVA_INT, record + TRACE_ADJACENCY, adjacency);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_NEXT_HOP, adjacencies.nextHop(adjacency));
            trace.set(ValueLayout.JAVA_INT, record + TRACE_FLOW_HASH, pool.opaque(bi, Opaque.FLOW_HASH));
            trace.set(ValueLayout.JAVA_LONG, record + TRACE_DST_MAC, adjacencies.dstMac(adjacency));
            trace.set(ValueLayout.JAVA_LONG, record + TRACE_SRC_MAC, adjacencies.srcMac(adjacency));
            int length = pool.length(bi);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_LENGTH, length);
            MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + TRACE_PACKET,
                    Math.min(length, TRACE_PACKET_BYTES));
        }
    }

    /**
     * {@code tx_sw_if_index 1 dpo-idx 1 : ipv4 via 192.168.16.100 GigabitEthernet0/8/0:
     * 08002702a536080027449fd80800 flow hash: 0x00000000}, then the first 60 bytes in hex, as VPP's
     * format_ip4_rewrite_trace.
     */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        int sw = record.get(ValueLayout.JAVA_INT, offset + TRACE_SW_IF_INDEX);
        out.append("tx_sw_if_index ").append(sw)
                .append(" dpo-idx ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_ADJACENCY))
                .append(" : ipv4 via ");
        PacketFormat.appendIp4(out, record.get(ValueLayout.JAVA_INT, offset + TRACE_NEXT_HOP));
        out.append(' ').append(context.interfaceName(sw)).append(": ")
                .append(String.format("%012x%012x%04x", record.get(ValueLayout.JAVA_LONG, offset + TRACE_DST_MAC),
                        record.get(ValueLayout.JAVA_LONG, offset + TRACE_SRC_MAC), Ethernet.TYPE_IP4))
                .append(" flow hash: 0x")
                .append(String.format("%08x", record.get(ValueLayout.JAVA_INT, offset + TRACE_FLOW_HASH)))
                .append('\n');
        int length = record.get(ValueLayout.JAVA_INT, offset + TRACE_LENGTH);
        PacketFormat.hexDump(record, offset + TRACE_PACKET, Math.min(length, TRACE_PACKET_BYTES), out, 0);
    }
}
