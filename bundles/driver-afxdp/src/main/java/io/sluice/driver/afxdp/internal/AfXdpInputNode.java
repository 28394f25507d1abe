package io.sluice.driver.afxdp.internal;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.DeviceInput;
import io.sluice.vnet.api.DeviceInputNode;
import io.sluice.vnet.api.HostInterfacePort;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code af_xdp-input}: one input node for every AF_XDP port, as VPP's (src/plugins/af_xdp/input.c). Each call
 * drains each port's RX ring in turn (the first port rotates), stamps the rx sw_if_index, counts rx packets and
 * bytes per interface once per port, and sends the frames to ethernet-input. Next arcs follow VPP's device-input
 * order (vnet_device_next_t), so that the trace's next-index reads as in VPP: 4 is ethernet-input.
 *
 * <p>Dropped and counted by name: frames of an administratively down interface, runts, frames longer than the
 * interface MTU allows, descriptors whose length cannot be a buffer; and what the kernel dropped before the RX
 * ring (XDP_STATISTICS, read once every few thousand calls): frames with no fill-ring frame to go to or longer
 * than a frame, and frames that found the RX ring full. An empty RX ring is no drop.
 */
@Component(service = {Node.class, AfXdpInputNode.class}, immediate = true)
public final class AfXdpInputNode extends DeviceInputNode<XskPort> {

    public static final String NAME = "af_xdp-input";

    /** Trace record: next, hw_if_index (DeviceInput.TRACE_NEXT, TRACE_HW_IF_INDEX), the descriptor, the frame. */
    static final int TRACE_DESC_ADDR = DeviceInput.TRACE_DRIVER;
    static final int TRACE_DESC_LEN = 16;
    static final int TRACE_FRAME_LENGTH = 20;

    @Activate
    public AfXdpInputNode(@Reference InterfaceTable interfaces) {
        super(interfaces, NAME, Error.class, AfXdpInputNode::format, Error.RUNT, Error.OVERSIZE,
                Error.INTERFACE_DOWN);
    }

    @Override
    public int receive(XskPort port, NodeContext context, Frame frame, int from, int max,
                       InterfaceSnapshot interfaces, DeviceInput.Rx rx) {
        int received = HostInterfacePort.receive(port, context, frame, from, max, interfaces, rx,
                Error.DESC_ERROR.ordinal(), ethernetArcs());
        countKernelDrops(port.device(), rx);
        return received;
    }

    /** What XDP_STATISTICS added since it was last counted, as the node's errors and the interface's drops. */
    private static void countKernelDrops(AfXdpDevice device, DeviceInput.Rx rx) {
        long dropped = device.kernelRxDropped() - device.countedRxDropped;
        long ringFull = device.kernelRxRingFull() - device.countedRxRingFull;
        long txInvalid = device.kernelTxInvalid() - device.countedTxInvalid;
        if ((dropped | ringFull | txInvalid) == 0) {
            return;
        }
        device.countedRxDropped += dropped;
        device.countedRxRingFull += ringFull;
        device.countedTxInvalid += txInvalid;
        rx.drops += dropped + ringFull;
        rx.countError(Error.KERNEL_RX_DROPPED.ordinal(), dropped);
        rx.countError(Error.RX_RING_FULL.ordinal(), ringFull);
        rx.countError(Error.TX_INVALID_DESC.ordinal(), txInvalid);
    }

    /** The RX descriptor the device kept before the data, then the frame's first bytes. */
    @Override
    public void traceRecord(MemorySegment trace, long record, BufferPool pool, int bi) {
        MemorySegment data = pool.segment();
        long kept = BufferPool.dataStart(bi) - AfXdpDevice.DESC_KEPT;
        trace.set(ValueLayout.JAVA_LONG_UNALIGNED, record + TRACE_DESC_ADDR,
                data.get(ValueLayout.JAVA_LONG_UNALIGNED, kept + Xsk.DESC_ADDR));
        trace.set(ValueLayout.JAVA_INT, record + TRACE_DESC_LEN, data.get(ValueLayout.JAVA_INT_UNALIGNED,
                kept + Xsk.DESC_LEN));
        DeviceInput.traceFrame(trace, record, TRACE_FRAME_LENGTH, pool, bi);
    }

    /**
     * VPP's format_af_xdp_input_trace (the node line), then the RX descriptor (the UMEM address the kernel wrote
     * the frame at, its length) and the Ethernet and IP decode of the frame.
     */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        DeviceInput.formatNodeLine("af_xdp", record, offset, out).append('\n');
        out.append("  xdp_desc: addr 0x")
                .append(Long.toHexString(record.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + TRACE_DESC_ADDR)))
                .append(" len ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_DESC_LEN)).append('\n');
        DeviceInput.formatFrame(record, offset, TRACE_FRAME_LENGTH, out);
    }

    /** Counter names shown as /err/af_xdp-input/&lt;name&gt;. */
    public enum Error implements NodeError {
        RUNT("frame shorter than an ethernet header (14 bytes)"),
        OVERSIZE("frame longer than the interface MTU allows"),
        DESC_ERROR("rx descriptor longer than a buffer or shorter than two MAC addresses"),
        INTERFACE_DOWN("interface is administratively down"),
        KERNEL_RX_DROPPED("dropped by the kernel: no fill-ring frame free, or longer than a UMEM frame"),
        RX_RING_FULL("dropped by the kernel: the rx ring was full"),
        TX_INVALID_DESC("tx descriptors the kernel refused");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }
}
