package io.sluice.vnet.internal;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceCounters;
import io.sluice.vnet.api.InterfaceTable;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code <if>-output}: the end of the ip4-output arc for one interface. Drops what an administratively down
 * interface may not send, counts the interface's tx packets and bytes, and hands the frame to
 * {@code <if>-tx}. Its trace shows the interface and the packet as it leaves, as VPP's interface-output does.
 */
final class InterfaceOutputNode implements Node {
    /**
     * Next arcs: the index is the ordinal. Not a {@code NextArc}: the tx node's name is the interface's, so
     * {@link #nextNodes} maps each constant to its node per instance, in ordinal order.
     */
    enum Next {
        TX,
        DROP
    }

    static final int NEXT_TX = Next.TX.ordinal();
    static final int NEXT_DROP = Next.DROP.ordinal();

    /** Trace record: sw_if_index, packet length, then the packet's first bytes. */
    private static final int TRACE_SW_IF_INDEX = 0;
    private static final int TRACE_LENGTH = 4;
    private static final int TRACE_BYTES = 8;
    static final int TRACE_CAPTURE = TraceRing.PAYLOAD_SIZE - TRACE_BYTES;

    enum Error implements NodeError {
        INTERFACE_DOWN("interface is down");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private final InterfaceTableImpl table;
    private final int swIfIndex;
    private final NodeRegistration registration;

    InterfaceOutputNode(InterfaceTableImpl table, int swIfIndex, String interfaceName) {
        this.table = table;
        this.swIfIndex = swIfIndex;
        this.registration = NodeRegistration.internal(InterfaceTable.outputNodeName(interfaceName),
                nextNodes(interfaceName), List.of(Error.values()), InterfaceOutputNode::format);
    }

    static List<String> nextNodes(String interfaceName) {
        String[] names = new String[Next.values().length];
        for (Next next : Next.values()) {
            names[next.ordinal()] = switch (next) {
                case TX -> InterfaceTable.txNodeName(interfaceName);
                case DROP -> GraphRuntime.ERROR_DROP;
            };
        }
        return List.of(names);
    }

    @Override
    public NodeRegistration registration() {
        return registration;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        BufferPool pool = context.pool();
        InterfaceCounters counters = table.counters(context.workerIndex());
        if (!table.snapshot().adminUp(swIfIndex)) {
            for (int i = 0; i < n; i++) {
                nexts[i] = NEXT_DROP;
                context.stampError(buffers[i], Error.INTERFACE_DOWN.ordinal());
            }
            context.countError(Error.INTERFACE_DOWN.ordinal(), n);
            counters.drops[swIfIndex] += n;
            return n;
        }
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            bytes += pool.length(bi);
            pool.setTxSwIfIndex(bi, swIfIndex);
            nexts[i] = NEXT_TX;
        }
        if (frame.traced()) {
            for (int i = 0; i < n; i++) {
                traceBuffer(context, pool, buffers[i], swIfIndex);
            }
        }
        counters.txPackets[swIfIndex] += n;
        counters.txBytes[swIfIndex] += bytes;
        return n;
    }

    /** Shared with the tx node: interface, length, the first bytes of the packet. */
    static void traceBuffer(NodeContext context, BufferPool pool, int bi, int swIfIndex) {
        long record = context.trace(bi);
        if (record < 0) {
            return;
        }
        MemorySegment trace = context.traceSegment();
        int length = pool.length(bi);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_SW_IF_INDEX, swIfIndex);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_LENGTH, length);
        MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + TRACE_BYTES,
                Math.min(length, TRACE_CAPTURE));
    }

    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        int sw = record.get(ValueLayout.JAVA_INT, offset + TRACE_SW_IF_INDEX);
        int length = record.get(ValueLayout.JAVA_INT, offset + TRACE_LENGTH);
        out.append(context.interfaceName(sw)).append('\n');
        PacketFormat.appendEthernetHeader(record, offset + TRACE_BYTES, Math.min(length, TRACE_CAPTURE), out, 0);
    }
}
