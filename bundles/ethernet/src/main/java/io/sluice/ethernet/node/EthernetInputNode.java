package io.sluice.ethernet.node;

import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceCounters;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code ethernet-input}: the first node after a driver's input. Interfaces are L3 ports (no bridging): a
 * frame is accepted when it is addressed to the interface's MAC, or to a group address (broadcast,
 * multicast: the I/G bit, IEEE 802 clause 8.2), and dispatched by EtherType to ip4-input (or
 * ip4-input-no-checksum when the driver already verified the header checksum) or arp-input. The box has no
 * VLAN sub-interfaces, so 802.1Q and 802.1ad tagged frames are counted and dropped, as VPP does for a VLAN
 * with no sub-interface. On the way out, current data is past the 14-byte header, and the buffer's L2 and
 * L3 offsets (relative to the data start, as current data is) mark the Ethernet and network headers.
 */
@Component(service = Node.class, immediate = true)
public final class EthernetInputNode implements Node {

    public enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP),
        /** The ip4 bundle's nodes, named here: ethernet does not depend on ip4. */
        IP4_INPUT("ip4-input"),
        IP4_INPUT_NO_CHECKSUM("ip4-input-no-checksum"),
        ARP_INPUT(EthernetGraph.ARP_INPUT);

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
    public static final int NEXT_IP4_INPUT = Next.IP4_INPUT.ordinal();
    public static final int NEXT_IP4_INPUT_NO_CHECKSUM = Next.IP4_INPUT_NO_CHECKSUM.ordinal();
    public static final int NEXT_ARP_INPUT = Next.ARP_INPUT.ordinal();

    /** Trace record: the frame's length, then its first bytes (Ethernet header and up to two tags). */
    static final int TRACE_LENGTH = 0;
    static final int TRACE_HEADER = 4;
    static final int TRACE_HEADER_BYTES = Ethernet.HEADER_LENGTH + Ethernet.VLAN_TAG_LENGTH * Ethernet.MAX_VLAN_TAGS;

    /** Counter names and wording from VPP's src/vnet/ethernet/error.def where it has one. */
    public enum Error implements NodeError {
        UNKNOWN_TYPE("unknown ethernet type"),
        UNKNOWN_VLAN("unknown vlan"),
        UNKNOWN_DOT1AD_VLAN("unknown 802.1ad vlan (no sub-interfaces)"),
        L3_MAC_MISMATCH("l3 mac mismatch"),
        TOO_SHORT("frame shorter than an ethernet header"),
        DOWN("interface is down");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(EthernetGraph.ETHERNET_INPUT,
            NextArc.names(Next.class), List.of(Error.values()), EthernetInputNode::format);

    private final InterfaceTable interfaces;

    @Activate
    public EthernetInputNode(@Reference InterfaceTable interfaces) {
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
        InterfaceSnapshot snapshot = interfaces.snapshot();
        if (frame.traced()) {
            traceFrame(context, pool, buffers, n);
        }
        long unknownType = 0;
        long unknownVlan = 0;
        long unknownDot1ad = 0;
        long macMismatch = 0;
        long tooShort = 0;
        long down = 0;
        int lastSw = -1;
        long lastMac = 0;
        boolean lastUp = false;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int sw = pool.rxSwIfIndex(bi);
            if (sw != lastSw) {
                lastSw = sw;
                lastUp = snapshot.adminUp(sw);
                lastMac = lastUp ? snapshot.mac(sw) : 0;
            }
            if (pool.length(bi) < Ethernet.HEADER_LENGTH) {
                tooShort++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Error.TOO_SHORT.ordinal());
                continue;
            }
            if (!lastUp) {
                down++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Error.DOWN.ordinal());
                continue;
            }
            long off = pool.dataOffset(bi);
            long dst = Ethernet.dst(seg, off);
            if (dst != lastMac && (dst & GROUP_BIT) == 0) {
                macMismatch++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Error.L3_MAC_MISMATCH.ordinal());
                continue;
            }
            int type = Ethernet.etherType(seg, off);
            int next;
            if (type == Ethernet.TYPE_IP4) {
                next = (pool.flags(bi) & BufferPool.FLAG_IP4_CHECKSUM_VERIFIED) != 0
                        ? NEXT_IP4_INPUT_NO_CHECKSUM : NEXT_IP4_INPUT;
            } else if (type == Ethernet.TYPE_ARP) {
                next = NEXT_ARP_INPUT;
            } else {
                if (type == Ethernet.TYPE_VLAN) {
                    unknownVlan++;
                    context.stampError(bi, Error.UNKNOWN_VLAN.ordinal());
                } else if (type == Ethernet.TYPE_DOT1AD) {
                    unknownDot1ad++;
                    context.stampError(bi, Error.UNKNOWN_DOT1AD_VLAN.ordinal());
                } else {
                    unknownType++;
                    context.stampError(bi, Error.UNKNOWN_TYPE.ordinal());
                }
                nexts[i] = NEXT_DROP;
                continue;
            }
            int current = pool.currentData(bi);
            pool.setL2Offset(bi, current);
            pool.setL3Offset(bi, current + Ethernet.HEADER_LENGTH);
            pool.advance(bi, Ethernet.HEADER_LENGTH);
            nexts[i] = next;
        }
        long dropped = unknownType + unknownVlan + unknownDot1ad + macMismatch + tooShort + down;
        if (dropped != 0) {
            context.countError(Error.UNKNOWN_TYPE.ordinal(), unknownType);
            context.countError(Error.UNKNOWN_VLAN.ordinal(), unknownVlan);
            context.countError(Error.UNKNOWN_DOT1AD_VLAN.ordinal(), unknownDot1ad);
            context.countError(Error.L3_MAC_MISMATCH.ordinal(), macMismatch);
            context.countError(Error.TOO_SHORT.ordinal(), tooShort);
            context.countError(Error.DOWN.ordinal(), down);
            countInterfaceDrops(interfaces.counters(context.workerIndex()), pool, buffers, nexts, n);
        }
        return n;
    }

    /** The individual/group bit: the least significant bit of the first octet, sent first (IEEE 802 8.2). */
    private static final long GROUP_BIT = 1L << 40;

    private static void countInterfaceDrops(InterfaceCounters counters, BufferPool pool, int[] buffers, int[] nexts,
                                            int n) {
        for (int i = 0; i < n; i++) {
            if (nexts[i] == NEXT_DROP) {
                int sw = pool.rxSwIfIndex(buffers[i]);
                if (sw >= 0 && sw < InterfaceCounters.MAX_INTERFACES) {
                    counters.drops[sw]++;
                }
            }
        }
    }

    private static void traceFrame(NodeContext context, BufferPool pool, int[] buffers, int n) {
        MemorySegment trace = context.traceSegment();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long record = context.trace(bi);
            if (record < 0) {
                continue;
            }
            int length = pool.length(bi);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_LENGTH, length);
            MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + TRACE_HEADER,
                    Math.min(length, TRACE_HEADER_BYTES));
        }
    }

    /** {@code IP4: 00:00:00:00:00:02 -> 02:fe:16:3f:5f:0f}, as VPP's format_ethernet_header. */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        int length = record.get(ValueLayout.JAVA_INT, offset + TRACE_LENGTH);
        if (length < Ethernet.HEADER_LENGTH) {
            out.append("frame of ").append(length).append(" bytes: shorter than an ethernet header");
            return;
        }
        PacketFormat.appendEthernetHeader(record, offset + TRACE_HEADER, 0, out, 0);
    }
}
