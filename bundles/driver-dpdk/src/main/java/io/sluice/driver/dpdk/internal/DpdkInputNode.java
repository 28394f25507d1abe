package io.sluice.driver.dpdk.internal;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ethernet;
import io.sluice.vnet.api.InterfaceCounters;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@code dpdk-input}: polls every rx queue of every DPDK port with one burst each, copies the frames into
 * buffers (the mbufs go back to DPDK's pool in bulk at once) and stamps the rx sw_if_index. As VPP's
 * dpdk-input does, an untagged IPv4 frame addressed to the port (its MAC or broadcast) skips ethernet-input:
 * its L2 header is stepped over and it goes straight to ip4-input (the seed's SYN-ACK trace shows
 * dpdk-input then ip4-input); everything else goes to ethernet-input. Frames of an interface that is administratively down go to error-drop, counted.
 * The trace captures the mbuf's fields while the mbuf still exists (VPP's dpdk_rx_trace).
 */
public final class DpdkInputNode implements Node {

    public static final String NAME = "dpdk-input";
    static final int NEXT_ETHERNET_INPUT = 0;
    static final int NEXT_DROP = 1;
    static final int NEXT_IP4_INPUT = 2;
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

    private static final DpdkPort[] NO_PORTS = new DpdkPort[0];

    private final InterfaceTable interfaces;
    private final NodeRegistration registration;
    private volatile DpdkPort[] ports = NO_PORTS;

    public DpdkInputNode(InterfaceTable interfaces) {
        this.interfaces = interfaces;
        this.registration = NodeRegistration.input(NAME, List.of("ethernet-input", GraphRuntime.ERROR_DROP, "ip4-input"),
                List.of(Error.values()), DpdkInputNode::format);
    }

    /** The ports to poll, each registered (with its sw_if_index set) before it is listed here. */
    public void setPorts(List<DpdkPort> polled) {
        this.ports = polled.toArray(NO_PORTS);
    }

    @Override
    public NodeRegistration registration() {
        return registration;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        DpdkPort[] polled = ports;
        BufferPool pool = context.pool();
        InterfaceCounters counters = interfaces.counters(context.workerIndex());
        InterfaceSnapshot snapshot = interfaces.snapshot();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        int count = 0;
        int noBuffer = 0;
        int oversize = 0;
        int down = 0;
        for (DpdkPort port : polled) {
            int sw = port.swIfIndex();
            boolean up = snapshot.adminUp(sw);
            int next = up ? NEXT_ETHERNET_INPUT : NEXT_DROP;
            long portMac = snapshot.mac(sw);
            MemorySegment data = pool.segment();
            int queues = port.rxQueues();
            int portPackets = 0;
            long portBytes = 0;
            for (int queue = 0; queue < queues && count < Frame.CAPACITY; queue++) {
                int got = port.receive(queue, pool, buffers, count, Frame.CAPACITY - count);
                noBuffer += port.lastNoBuffer();
                oversize += port.lastOversize();
                for (int k = count; k < count + got; k++) {
                    int bi = buffers[k];
                    pool.setRxSwIfIndex(bi, sw);
                    pool.setL2Offset(bi, 0);
                    pool.setL3Offset(bi, Ethernet.HEADER_LENGTH);
                    portBytes += pool.length(bi);
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
                if (got > 0 && context.traceArmed() > 0) {
                    traceReceived(context, pool, port, sw, queue, buffers, count, got);
                    frame.setTraced(true);
                }
                port.releaseReceived();
                portPackets += got;
                count += got;
            }
            if (portPackets > 0) {
                counters.rxPackets[sw] += portPackets;
                counters.rxBytes[sw] += portBytes;
                if (next == NEXT_DROP) {
                    counters.drops[sw] += portPackets;
                    down += portPackets;
                }
            }
        }
        if (noBuffer > 0) {
            context.countError(Error.NO_BUFFER.ordinal(), noBuffer);
        }
        if (oversize > 0) {
            context.countError(Error.OVERSIZE.ordinal(), oversize);
        }
        if (down > 0) {
            context.countError(Error.INTERFACE_DOWN.ordinal(), down);
        }
        frame.setCount(count);
        return count;
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
            DpdkTrace.writeMbuf(trace, record, port.receivedMbuf(k));
        }
    }

    private static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        DpdkTrace.format(record, offset, context.interfaceName(DpdkTrace.swIfIndex(record, offset)), "rx", out);
    }
}
