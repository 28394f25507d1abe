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
import io.sluice.packet.api.Arp;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ethernet;
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
 * {@code ip4-arp}: packets whose next hop has no MAC yet. ip4-lookup sends them here with the tx sw_if_index
 * set and the address to resolve in {@link Opaque#NODE_SCRATCH_0}. Each packet is dropped (the box holds
 * nothing while it resolves, as VPP); for the first packet to an address in a second, an ARP request is
 * broadcast on the interface, with an address of the interface on the target's subnet as sender. Later
 * packets within that second only count, so a burst to an absent host costs one request a second.
 */
@Component(service = Node.class, immediate = true)
public final class Ip4ArpNode implements Node {

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
    /** The slot ip4-lookup writes the address to resolve into. */
    public static final int OPAQUE_RESOLVE = Opaque.NODE_SCRATCH_0;

    /** Requests for one address go out at most this often. */
    static final long THROTTLE_NANOS = 1_000_000_000L;
    private static final int THROTTLE_SLOTS = 1024;
    private static final int MAX_WORKERS = 64;
    static final int ARP_FRAME_LENGTH = Ethernet.HEADER_LENGTH + Arp.LENGTH;

    /** Trace record: sw_if_index, the address to resolve. */
    static final int TRACE_SW_IF_INDEX = 0;
    static final int TRACE_ADDRESS = 4;

    /** Wording of VPP's foreach_notrace_ip4_arp_error (src/vnet/ip/ip4_forward.c). */
    public enum Error implements NodeError {
        REQUEST_SENT("ARP requests sent"),
        DROP("address overflow drops"),
        NO_SOURCE_ADDRESS("no source address for ARP request"),
        NO_BUFFERS("no buffer for ARP request");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(EthernetGraph.IP4_ARP,
                    NextArc.names(Next.class), List.of(Error.values()), Ip4ArpNode::format)
            .startingArcs(EthernetGraph.INTERFACE_OUTPUT);

    private final InterfaceTable interfaces;
    /** Per worker, a direct-mapped table of the last address asked for in each slot and when. */
    private final long[][] throttleKeys = new long[MAX_WORKERS][];
    private final long[][] throttleTimes = new long[MAX_WORKERS][];

    @Activate
    public Ip4ArpNode(@Reference InterfaceTable interfaces) {
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
        int worker = context.workerIndex();
        if (throttleKeys[worker] == null) {
            throttleKeys[worker] = new long[THROTTLE_SLOTS];
            java.util.Arrays.fill(throttleKeys[worker], -1L);
            throttleTimes[worker] = new long[THROTTLE_SLOTS];
        }
        long[] keys = throttleKeys[worker];
        long[] times = throttleTimes[worker];
        long now = System.nanoTime();
        long sent = 0;
        long throttled = 0;
        long noSource = 0;
        long noBuffers = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            nexts[i] = NEXT_DROP;
            int sw = pool.txSwIfIndex(bi);
            int target = pool.opaque(bi, OPAQUE_RESOLVE);
            long key = ((long) sw << 32) | (target & 0xffffffffL);
            int slot = (int) ((key * 0x9e3779b97f4a7c15L) >>> 54);
            if (keys[slot] == key && now - times[slot] < THROTTLE_NANOS) {
                throttled++;
                context.stampError(bi, Error.DROP.ordinal());
                continue;
            }
            int source = sourceAddress(snapshot, sw, target);
            if (source == 0) {
                noSource++;
                context.stampError(bi, Error.NO_SOURCE_ADDRESS.ordinal());
                continue;
            }
            int request = pool.alloc();
            if (request < 0) {
                noBuffers++;
                context.stampError(bi, Error.NO_BUFFERS.ordinal());
                continue;
            }
            long mac = snapshot.mac(sw);
            long off = pool.dataOffset(request);
            Ethernet.setDst(seg, off, Ethernet.BROADCAST);
            Ethernet.setSrc(seg, off, mac);
            Ethernet.setEtherType(seg, off, Ethernet.TYPE_ARP);
            long arp = off + Ethernet.HEADER_LENGTH;
            Arp.setEthernetIp4(seg, arp, Arp.OP_REQUEST);
            Arp.setSenderMac(seg, arp, mac);
            Arp.setSenderIp(seg, arp, source);
            Arp.setTargetMac(seg, arp, 0L);
            Arp.setTargetIp(seg, arp, target);
            pool.setLength(request, ARP_FRAME_LENGTH);
            pool.setL2Offset(request, 0);
            pool.setL3Offset(request, Ethernet.HEADER_LENGTH);
            pool.setTxSwIfIndex(request, sw);
            pool.setRxSwIfIndex(request, 0);
            if (!context.emit(request, context.featureStart(0, sw))) {
                pool.free(request);
                noBuffers++;
                context.stampError(bi, Error.NO_BUFFERS.ordinal());
                continue;
            }
            keys[slot] = key;
            times[slot] = now;
            sent++;
            context.stampError(bi, Error.REQUEST_SENT.ordinal()); // the packet that asked is dropped, as in VPP
        }
        if (frame.traced()) {
            traceFrame(context, pool, buffers, n);
        }
        context.countError(Error.REQUEST_SENT.ordinal(), sent);
        context.countError(Error.DROP.ordinal(), throttled);
        context.countError(Error.NO_SOURCE_ADDRESS.ordinal(), noSource);
        context.countError(Error.NO_BUFFERS.ordinal(), noBuffers);
        return n;
    }

    /** An address of {@code sw} on the target's subnet, else its first address, else 0 (none). */
    static int sourceAddress(InterfaceSnapshot snapshot, int sw, int target) {
        int[] addresses = snapshot.ip4Addresses(sw);
        int[] lengths = snapshot.ip4PrefixLengths(sw);
        for (int a = 0; a < addresses.length; a++) {
            int mask = lengths[a] == 0 ? 0 : -1 << (32 - lengths[a]);
            if ((addresses[a] & mask) == (target & mask)) {
                return addresses[a];
            }
        }
        return addresses.length > 0 ? addresses[0] : 0;
    }

    private static void traceFrame(NodeContext context, BufferPool pool, int[] buffers, int n) {
        MemorySegment trace = context.traceSegment();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long record = context.trace(bi);
            if (record < 0) {
                continue;
            }
            int sw = pool.txSwIfIndex(bi);
            int target = pool.opaque(bi, OPAQUE_RESOLVE);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_SW_IF_INDEX, sw);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_ADDRESS, target);
        }
    }

    /** {@code ip4-arp: resolving 192.168.16.100 on GigabitEthernet0/8/0}. */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        int sw = record.get(ValueLayout.JAVA_INT, offset + TRACE_SW_IF_INDEX);
        int target = record.get(ValueLayout.JAVA_INT, offset + TRACE_ADDRESS);
        out.append("resolving ").append(PacketFormat.formatIp4(target)).append(" on ")
                .append(context.interfaceName(sw));
    }
}
