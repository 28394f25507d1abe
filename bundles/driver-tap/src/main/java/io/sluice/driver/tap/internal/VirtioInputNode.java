package io.sluice.driver.tap.internal;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.DeviceInput;
import io.sluice.vnet.api.DeviceInputNode;
import io.sluice.vnet.api.DeviceNext;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code virtio-input}: one input node for every TAP port, as VPP's (src/vnet/devices/virtio/node.c). Each
 * call reads a batch from each port in turn (the first port rotates so a busy pod cannot starve the
 * others), stamps the rx sw_if_index, counts rx packets and bytes per interface once per port, and sends the
 * frames to ethernet-input.
 *
 * <p>The loop is vnet's {@link DeviceInput}; this class is the TAP's part of it: one batch of reads per port,
 * the trace record and its formatter. Next arcs follow VPP's device-input order (vnet_device_next_t in
 * src/vnet/devices/devices.h), so that the trace's {@code next-index 4} reads as it does in VPP: 0
 * ip4-input-no-checksum, 1 ip4-input, 2 ip6-input and 3 mpls-input (the box has neither: both lead to
 * error-drop), 4 ethernet-input, 5 error-drop.
 *
 * <p>Frames of an administratively down interface, frames longer than its MTU allows (MTU + 14 bytes of
 * Ethernet header + 4 of one VLAN tag) and runts are dropped and counted by name. The TAP itself refuses
 * frames shorter than an Ethernet header; the pod's kernel never sends one (dev_validate_header).
 */
@Component(service = {Node.class, VirtioInputNode.class}, immediate = true)
public final class VirtioInputNode extends DeviceInputNode<TapPort> {

    public static final String NAME = "virtio-input";
    public static final String ETHERNET_INPUT = DeviceNext.ETHERNET_INPUT_NODE;

    /** The one virtqueue a TAP has in this driver (VPP numbers rx queues of a tapv2 from 0). */
    static final int VRING = 0;
    /** The legacy 10-byte header has no num_buffers: every frame is one buffer (no mergeable rx buffers). */
    static final int NUM_BUFFERS = 1;

    /** Trace record: next arc, hw_if_index (= sw_if_index here), vring, frame length, the virtio-net header. */
    static final int TRACE_VRING = DeviceInput.TRACE_DRIVER;
    static final int TRACE_LENGTH = 12;
    static final int TRACE_HEADER = 16;

    @Activate
    public VirtioInputNode(@Reference InterfaceTable interfaces) {
        super(interfaces, NAME, Error.class, VirtioInputNode::format, Error.RUNT, Error.OVERSIZE,
                Error.INTERFACE_DOWN);
    }

    /** One read per frame from the TAP; the TAP itself refuses runts, counted here by name. */
    @Override
    public int receive(TapPort port, NodeContext context, Frame frame, int from, int max, InterfaceSnapshot interfaces,
                       DeviceInput.Rx rx) {
        TapDevice tap = port.tap();
        BufferPool pool = context.pool();
        long runtsBefore = tap.rxRunts();
        long errorsBefore = tap.rxErrors();
        int received = tap.receive(pool, frame.buffers(), from, max);
        long runts = tap.rxRunts() - runtsBefore;
        long readErrors = tap.rxErrors() - errorsBefore - runts;
        if (runts + readErrors > 0) {
            rx.errors += runts + readErrors;
            rx.countError(Error.RUNT.ordinal(), runts);
            rx.countError(Error.READ_ERROR.ordinal(), readErrors);
        }
        DeviceInput.acceptEthernet(pool, interfaces, port, frame, from, received, ethernetArcs(), rx);
        return received;
    }

    /** The vring, the frame length and the virtio-net header, which TapDevice.receive leaves right before the frame. */
    @Override
    public void traceRecord(MemorySegment trace, long record, BufferPool pool, int bi) {
        trace.set(ValueLayout.JAVA_INT, record + TRACE_VRING, VRING);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_LENGTH, pool.length(bi));
        MemorySegment.copy(pool.segment(), BufferPool.dataStart(bi) - VirtioNetHeader.SIZE, trace,
                record + TRACE_HEADER, VirtioNetHeader.SIZE);
    }

    /** VPP's format_virtio_input_trace: the node line, then the virtio-net header two spaces further in. */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        long header = offset + TRACE_HEADER;
        DeviceInput.formatNodeLine("virtio", record, offset, out).append(" vring ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_VRING))
                .append(" len ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_LENGTH)).append('\n');
        out.append("  hdr: flags 0x");
        appendHexByte(out, VirtioNetHeader.flags(record, header));
        out.append(" gso_type 0x");
        appendHexByte(out, VirtioNetHeader.gsoType(record, header));
        out.append(" hdr_len ").append(VirtioNetHeader.hdrLen(record, header))
                .append(" gso_size ").append(VirtioNetHeader.gsoSize(record, header))
                .append(" csum_start ").append(VirtioNetHeader.csumStart(record, header))
                .append(" csum_offset ").append(VirtioNetHeader.csumOffset(record, header))
                .append(" num_buffers ").append(NUM_BUFFERS);
    }

    private static void appendHexByte(StringBuilder out, int value) {
        out.append(Character.forDigit((value >>> 4) & 0xf, 16)).append(Character.forDigit(value & 0xf, 16));
    }

    /** Counter names shown as /err/virtio-input/&lt;name&gt;. */
    public enum Error implements NodeError {
        RUNT("frame shorter than an ethernet header (14 bytes)"),
        OVERSIZE("frame longer than the interface MTU allows"),
        READ_ERROR("read from the TAP failed or its partial checksum could not be completed"),
        INTERFACE_DOWN("interface is administratively down");

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
