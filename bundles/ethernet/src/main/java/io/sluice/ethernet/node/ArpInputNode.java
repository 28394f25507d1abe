package io.sluice.ethernet.node;

import io.sluice.ethernet.api.ArpProxy;
import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.Arp;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ethernet;
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
 * {@code arp-input}: answers ARP requests (RFC 826) for the receiving interface's own addresses, and for any
 * address on an interface with proxy ARP on (the Contiv pod TAP, whose pod's gateway is an address no
 * interface owns); learns the sender of a request it answers and of a reply addressed to the box. The
 * answer is built in place (the request becomes the reply) and leaves on the same interface by the
 * {@link EthernetGraph#INTERFACE_OUTPUT} arc; everything else is counted and dropped.
 */
@Component(service = Node.class, immediate = true)
public final class ArpInputNode implements Node {

    public enum Next implements NextArc {
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

    public static final int NEXT_DROP = Next.DROP.ordinal();

    /** Trace record: rx sw_if_index, then the 28-byte ARP packet. */
    static final int TRACE_SW_IF_INDEX = 0;
    static final int TRACE_ARP = 4;

    /** Wording of VPP's src/vnet/ethernet/arp.c foreach_ethernet_arp_error where it has one. */
    public enum Error implements NodeError {
        REPLIES_SENT("ARP replies sent"),
        PROXY_REPLIES_SENT("Proxy ARP replies sent"),
        REPLIES_RECEIVED("ARP replies received"),
        TOO_SHORT("ARP packet too short"),
        L2_TYPE_NOT_ETHERNET("L2 type not ethernet"),
        L3_TYPE_NOT_IP4("L3 type not IP4"),
        L3_DST_ADDRESS_NOT_LOCAL("IP4 destination address not local to subnet"),
        L3_SRC_ADDRESS_IS_LOCAL("IP4 source address matches local interface"),
        L2_ADDRESS_MISMATCH("ARP hw addr does not match L2 frame src addr"),
        GRATUITOUS_ARP("ARP probe or announcement dropped"),
        OPCODE_NOT_REQUEST("ARP opcode not request");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(EthernetGraph.ARP_INPUT,
                    NextArc.names(Next.class), List.of(Error.values()), ArpInputNode::format)
            .startingArcs(EthernetGraph.INTERFACE_OUTPUT);

    private final InterfaceTable interfaces;
    private final NeighbourTableImpl neighbours;
    private final ArpProxy proxy;

    @Activate
    public ArpInputNode(@Reference InterfaceTable interfaces, @Reference NeighbourTableImpl neighbours,
                        @Reference ArpProxy proxy) {
        this.interfaces = interfaces;
        this.neighbours = neighbours;
        this.proxy = proxy;
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
        InterfaceSnapshot snapshot = interfaces.snapshot();
        boolean[] proxyBySw = proxy.snapshot();
        if (frame.traced()) {
            traceFrame(context, pool, buffers, n);
        }
        long now = System.nanoTime();
        long[] counts = countsFor(context.workerIndex());
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int error = answer(context, pool, seg, bi, snapshot, proxyBySw, now);
            counts[error]++;
            if (error == Error.REPLIES_SENT.ordinal() || error == Error.PROXY_REPLIES_SENT.ordinal()) {
                nexts[i] = context.featureStart(0, pool.rxSwIfIndex(bi));
            } else {
                nexts[i] = NEXT_DROP;
                context.stampError(bi, error);
            }
        }
        for (int e = 0; e < counts.length; e++) {
            if (counts[e] != 0) {
                context.countError(e, counts[e]);
                counts[e] = 0;
            }
        }
        return n;
    }

    /** Per-worker scratch counters (one node instance serves every worker). */
    private final long[][] countsByWorker = new long[64][];

    private long[] countsFor(int worker) {
        long[] counts = countsByWorker[worker];
        if (counts == null) {
            counts = new long[Error.values().length];
            countsByWorker[worker] = counts;
        }
        return counts;
    }

    /** Handles one ARP packet; returns the error (or success) counter it belongs to. */
    private int answer(NodeContext context, BufferPool pool, MemorySegment seg, int bi, InterfaceSnapshot snapshot,
                       boolean[] proxyBySw, long now) {
        if (pool.length(bi) < Arp.LENGTH) {
            return Error.TOO_SHORT.ordinal();
        }
        long arp = pool.dataOffset(bi);
        if (Arp.hardwareType(seg, arp) != Arp.HARDWARE_ETHERNET || Arp.hardwareLength(seg, arp) != Ethernet.MAC_LENGTH) {
            return Error.L2_TYPE_NOT_ETHERNET.ordinal();
        }
        if (Arp.protocolType(seg, arp) != Ethernet.TYPE_IP4 || Arp.protocolLength(seg, arp) != 4) {
            return Error.L3_TYPE_NOT_IP4.ordinal();
        }
        int sw = pool.rxSwIfIndex(bi);
        long l2 = BufferPool.dataStart(bi) + pool.l2Offset(bi);
        long senderMac = Arp.senderMac(seg, arp);
        if (senderMac != Ethernet.src(seg, l2)) {
            return Error.L2_ADDRESS_MISMATCH.ordinal();
        }
        int senderIp = Arp.senderIp(seg, arp);
        int targetIp = Arp.targetIp(seg, arp);
        if (senderIp == 0 || senderIp == targetIp) {
            return Error.GRATUITOUS_ARP.ordinal();
        }
        if (snapshot.ownsIp4(sw, senderIp)) {
            return Error.L3_SRC_ADDRESS_IS_LOCAL.ordinal();
        }
        boolean owned = snapshot.ownsIp4(sw, targetIp);
        int opcode = Arp.opcode(seg, arp);
        if (opcode == Arp.OP_REPLY) {
            if (!owned) {
                return Error.L3_DST_ADDRESS_NOT_LOCAL.ordinal();
            }
            neighbours.learn(sw, senderIp, senderMac, now);
            return Error.REPLIES_RECEIVED.ordinal();
        }
        if (opcode != Arp.OP_REQUEST) {
            return Error.OPCODE_NOT_REQUEST.ordinal();
        }
        boolean proxied = !owned && sw < proxyBySw.length && proxyBySw[sw] && isSingleHost(targetIp);
        if (!owned && !proxied) {
            return Error.L3_DST_ADDRESS_NOT_LOCAL.ordinal();
        }
        neighbours.learn(sw, senderIp, senderMac, now);
        long ownMac = snapshot.mac(sw);
        Arp.setOpcode(seg, arp, Arp.OP_REPLY);
        Arp.setTargetMac(seg, arp, senderMac);
        Arp.setTargetIp(seg, arp, senderIp);
        Arp.setSenderMac(seg, arp, ownMac);
        Arp.setSenderIp(seg, arp, targetIp);
        pool.advance(bi, pool.l2Offset(bi) - pool.currentData(bi));
        pool.setLength(bi, Ethernet.HEADER_LENGTH + Arp.LENGTH);
        Ethernet.setDst(seg, l2, senderMac);
        Ethernet.setSrc(seg, l2, ownMac);
        pool.setTxSwIfIndex(bi, sw);
        return proxied ? Error.PROXY_REPLIES_SENT.ordinal() : Error.REPLIES_SENT.ordinal();
    }

    /**
     * Whether a proxy may answer for {@code address}: one host's address, not 0.0.0.0/8, loopback, multicast,
     * class E or the limited broadcast (RFC 1122 section 3.2.1.3), which no neighbour owns.
     */
    static boolean isSingleHost(int address) {
        int firstOctet = address >>> 24;
        return firstOctet != 0 && firstOctet != LOOPBACK_NET && firstOctet < FIRST_MULTICAST_OCTET;
    }

    private static final int LOOPBACK_NET = 127;
    private static final int FIRST_MULTICAST_OCTET = 224;

    private static void traceFrame(NodeContext context, BufferPool pool, int[] buffers, int n) {
        MemorySegment trace = context.traceSegment();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long record = context.trace(bi);
            if (record < 0) {
                continue;
            }
            trace.set(ValueLayout.JAVA_INT, record + TRACE_SW_IF_INDEX, pool.rxSwIfIndex(bi));
            MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + TRACE_ARP,
                    Math.min(pool.length(bi), Arp.LENGTH));
        }
    }

    /** {@code request, type ethernet/IP4, address size 6/4} and the addresses, as VPP's format_ethernet_arp_header. */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        PacketFormat.appendArpHeader(record, offset + TRACE_ARP, Arp.LENGTH, out, 0);
    }
}
