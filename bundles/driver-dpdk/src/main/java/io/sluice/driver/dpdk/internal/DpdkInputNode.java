package io.sluice.driver.dpdk.internal;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ethernet;
import io.sluice.vnet.api.DeviceInput;
import io.sluice.vnet.api.DeviceInputNode;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code dpdk-input}: polls every rx queue of every DPDK port with one burst each, copies the frames into
 * buffers (the mbufs go back to DPDK's pool in bulk at once) and stamps the rx sw_if_index. As VPP's
 * dpdk-input does, an untagged IPv4 frame addressed to the port (its MAC or broadcast) skips ethernet-input:
 * its L2 header is stepped over and it goes straight to ip4-input (the seed's SYN-ACK trace shows
 * dpdk-input then ip4-input); everything else goes to ethernet-input. Frames of an interface that is administratively down go to error-drop, counted.
 * The trace captures the mbuf's fields while the mbuf still exists (VPP's dpdk_rx_trace). The loop over the
 * queues (rotating the first one) is vnet's {@link DeviceInput}; this class is DPDK's burst of one queue.
 */
public final class DpdkInputNode extends DeviceInputNode<DpdkInputNode.RxQueue> {

    public static final String NAME = "dpdk-input";

    enum Next implements NextArc {
        ETHERNET_INPUT("ethernet-input"),
        DROP(GraphRuntime.ERROR_DROP),
        IP4_INPUT("ip4-input");

        private final String nodeName;

        Next(String nodeName) {
            this.nodeName = nodeName;
        }

        @Override
        public String nodeName() {
            return nodeName;
        }
    }

    static final int NEXT_ETHERNET_INPUT = Next.ETHERNET_INPUT.ordinal();
    static final int NEXT_DROP = Next.DROP.ordinal();
    static final int NEXT_IP4_INPUT = Next.IP4_INPUT.ordinal();
    private static final long BROADCAST = 0xffff_ffff_ffffL;

    enum Error implements NodeError {
        NO_BUFFER("no free buffer for a received frame (frame dropped)"),
        OVERSIZE("received frame longer than a buffer or chained over mbufs (frame dropped)"),
        INTERFACE_DOWN("frame received on an interface that is administratively down");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    /** What dpdk-input polls: one receive queue of a port, one burst per call. */
    record RxQueue(DpdkPort port, int queue) implements DeviceInput.Port {
        @Override
        public int swIfIndex() {
            return port.swIfIndex();
        }

        @Override
        public int rxQueue() {
            return queue;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.input(NAME, NextArc.names(Next.class),
            List.of(Error.values()), DpdkInputNode::format);

    public DpdkInputNode(InterfaceTable interfaces) {
        super(interfaces, REGISTRATION);
    }

    /** The ports to poll, each registered (with its sw_if_index set) before it is listed here. */
    public void setPorts(List<DpdkPort> polled) {
        List<RxQueue> queues = new ArrayList<>();
        for (DpdkPort port : polled) {
            for (int queue = 0; queue < port.rxQueues(); queue++) {
                queues.add(new RxQueue(port, queue));
            }
        }
        deviceInput().set(queues);
    }

    /**
     * One burst: the frames are copied into buffers and stamped, the trace (when armed) reads the mbufs, then
     * they go back to DPDK's pool in bulk. A frame of an interface that is down counts as received and dropped.
     */
    @Override
    public int receive(RxQueue rxQueue, NodeContext context, Frame frame, int from, int max,
                       InterfaceSnapshot interfaces, DeviceInput.Rx rx) {
        DpdkPort port = rxQueue.port();
        int queue = rxQueue.queue();
        BufferPool pool = context.pool();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        int got = port.receive(queue, pool, buffers, from, max);
        int noBuffer = port.lastNoBuffer(queue);
        int oversize = port.lastOversize(queue);
        if (noBuffer + oversize > 0) {
            rx.countError(Error.NO_BUFFER.ordinal(), noBuffer);
            rx.countError(Error.OVERSIZE.ordinal(), oversize);
        }
        int sw = port.swIfIndex();
        boolean up = interfaces.adminUp(sw);
        int next = up ? NEXT_ETHERNET_INPUT : NEXT_DROP;
        long portMac = interfaces.mac(sw);
        MemorySegment data = pool.segment();
        long bytes = 0;
        for (int k = from; k < from + got; k++) {
            int bi = buffers[k];
            pool.setRxSwIfIndex(bi, sw);
            pool.setL2Offset(bi, 0);
            pool.setL3Offset(bi, Ethernet.HEADER_LENGTH);
            bytes += pool.length(bi);
            long frameStart = pool.dataOffset(bi);
            if (up && Ethernet.etherType(data, frameStart) == Ethernet.TYPE_IP4) {
                long dst = Ethernet.dst(data, frameStart);
                if (dst == portMac || dst == BROADCAST) {
                    pool.advance(bi, Ethernet.HEADER_LENGTH);
                    nexts[k] = NEXT_IP4_INPUT;
                    continue;
                }
            }
            nexts[k] = next;
        }
        if (got > 0 && rx.tracing()) {
            traceReceived(context, pool, port, sw, queue, buffers, from, got);
            frame.setTraced(true);
        }
        port.releaseReceived(queue);
        rx.packets += got;
        rx.bytes += bytes;
        if (!up) {
            rx.drops += got;
            rx.countError(Error.INTERFACE_DOWN.ordinal(), got);
            for (int k = from; k < from + got; k++) {
                context.stampError(buffers[k], Error.INTERFACE_DOWN.ordinal());
            }
        }
        return got;
    }

    /** Traced in {@link #receive}, while the mbufs the record shows still exist. */
    @Override
    public void trace(NodeContext context, Frame frame, RxQueue rxQueue, int from, int end) {
    }

    /** Not called: dpdk-input writes its whole record (DpdkTrace) in {@link #receive}. */
    @Override
    public void traceRecord(MemorySegment trace, long record, BufferPool pool, int bi) {
    }

    private static void traceReceived(NodeContext context, BufferPool pool, DpdkPort port, int sw, int queue,
                                      int[] buffers, int from, int n) {
        MemorySegment trace = context.traceSegment();
        for (int k = 0; k < n; k++) {
            int bi = buffers[from + k];
            long record = context.traceInput(bi);
            if (record < 0) {
                continue; // not traced: the count is used up, or the trace's filter passes this one by
            }
            DpdkTrace.writeBuffer(trace, record, sw, queue, pool, bi);
            DpdkTrace.writeMbuf(trace, record, port.receivedMbuf(queue, k));
        }
    }

    private static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        DpdkTrace.format(record, offset, context.interfaceName(DpdkTrace.swIfIndex(record, offset)), "rx", out);
    }
}
