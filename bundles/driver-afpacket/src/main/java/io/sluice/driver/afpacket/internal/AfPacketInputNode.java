package io.sluice.driver.afpacket.internal;

import static io.sluice.driver.afpacket.internal.Tpacket.V3_LEN;
import static io.sluice.driver.afpacket.internal.Tpacket.V3_MAC;
import static io.sluice.driver.afpacket.internal.Tpacket.V3_NET;
import static io.sluice.driver.afpacket.internal.Tpacket.V3_NSEC;
import static io.sluice.driver.afpacket.internal.Tpacket.V3_SEC;
import static io.sluice.driver.afpacket.internal.Tpacket.V3_SNAPLEN;
import static io.sluice.driver.afpacket.internal.Tpacket.V3_STATUS;
import static io.sluice.driver.afpacket.internal.Tpacket.V3_VLAN_TCI;
import static io.sluice.driver.afpacket.internal.Tpacket.V3_VLAN_TPID;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.DeviceInput;
import io.sluice.vnet.api.DeviceInputNode;
import io.sluice.vnet.api.DeviceNext;
import io.sluice.vnet.api.HostInterfacePort;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code af-packet-input}: one input node for every host port, as VPP's (src/vnet/devices/af_packet/node.c).
 * Each call drains each port's receive ring in turn (the first port rotates), stamps the rx sw_if_index,
 * counts rx packets and bytes per interface once per port, and sends the frames to ethernet-input.
 *
 * <p>The loop is vnet's {@link DeviceInput}; this class is AF_PACKET's part of it: one ring drain per port, the
 * trace record and its formatter. Next arcs follow VPP's device-input order (vnet_device_next_t in src/vnet/devices/devices.h) so that
 * the trace's next-index reads as in VPP: 0 ip4-input-no-checksum, 1 ip4-input, 2 ip6-input and 3 mpls-input
 * (the box has neither: both lead to error-drop), 4 ethernet-input, 5 error-drop.
 *
 * <p>Frames of an administratively down interface, runts, and frames longer than the interface MTU allows
 * (MTU + 14 bytes of Ethernet header + 4 of one VLAN tag) are dropped and counted by name; frames the
 * device refused in the ring (longer than a buffer) are counted too.
 */
@Component(service = {Node.class, AfPacketInputNode.class}, immediate = true)
public final class AfPacketInputNode extends DeviceInputNode<HostPort.RxQueue> {

    public static final String NAME = "af-packet-input";
    public static final String ETHERNET_INPUT = DeviceNext.ETHERNET_INPUT_NODE;

    /** Trace record: next, hw_if_index, the tpacket3_hdr fields VPP shows, then the frame's first bytes. */
    static final int TRACE_STATUS = DeviceInput.TRACE_DRIVER;
    static final int TRACE_LEN = 12;
    static final int TRACE_SNAPLEN = 16;
    static final int TRACE_MAC = 20;
    static final int TRACE_NET = 22;
    static final int TRACE_SEC = 24;
    static final int TRACE_NSEC = 28;
    static final int TRACE_VLAN_TCI = 32;
    static final int TRACE_VLAN_TPID = 36;
    static final int TRACE_FRAME_LENGTH = 40;

    @Activate
    public AfPacketInputNode(@Reference InterfaceTable interfaces) {
        super(interfaces, NAME, Error.class, AfPacketInputNode::format, Error.RUNT, Error.OVERSIZE,
                Error.INTERFACE_DOWN);
    }

    /** Drains the queue's ring; frames the ring refused (longer than a buffer) are counted by name. */
    @Override
    public int receive(HostPort.RxQueue queue, NodeContext context, Frame frame, int from, int max,
                       InterfaceSnapshot interfaces, DeviceInput.Rx rx) {
        return HostInterfacePort.receive(queue.port(), queue.queue(), context, frame, from, max, interfaces, rx,
                Error.RING_ERROR.ordinal(), ethernetArcs());
    }

    /** The tpacket3_hdr fields, from the ring header the device kept in the headroom, then the frame's first bytes. */
    @Override
    public void traceRecord(MemorySegment trace, long record, BufferPool pool, int bi) {
        MemorySegment data = pool.segment();
        long header = BufferPool.dataStart(bi) - AfPacketDevice.RING_HEADER_SIZE;
        trace.set(ValueLayout.JAVA_INT, record + TRACE_STATUS, data.get(ValueLayout.JAVA_INT, header + V3_STATUS));
        trace.set(ValueLayout.JAVA_INT, record + TRACE_LEN, data.get(ValueLayout.JAVA_INT, header + V3_LEN));
        trace.set(ValueLayout.JAVA_INT, record + TRACE_SNAPLEN, data.get(ValueLayout.JAVA_INT, header + V3_SNAPLEN));
        trace.set(ValueLayout.JAVA_SHORT, record + TRACE_MAC, data.get(ValueLayout.JAVA_SHORT, header + V3_MAC));
        trace.set(ValueLayout.JAVA_SHORT, record + TRACE_NET, data.get(ValueLayout.JAVA_SHORT, header + V3_NET));
        trace.set(ValueLayout.JAVA_INT, record + TRACE_SEC, data.get(ValueLayout.JAVA_INT, header + V3_SEC));
        trace.set(ValueLayout.JAVA_INT, record + TRACE_NSEC, data.get(ValueLayout.JAVA_INT, header + V3_NSEC));
        trace.set(ValueLayout.JAVA_INT, record + TRACE_VLAN_TCI, data.get(ValueLayout.JAVA_INT, header + V3_VLAN_TCI));
        trace.set(ValueLayout.JAVA_SHORT, record + TRACE_VLAN_TPID,
                data.get(ValueLayout.JAVA_SHORT, header + V3_VLAN_TPID));
        DeviceInput.traceFrame(trace, record, TRACE_FRAME_LENGTH, pool, bi);
    }

    /**
     * VPP's format_af_packet_input_trace (node line, then the ring header two and four spaces in), with the
     * header named for what this driver maps (TPACKET_V3), then the Ethernet and IP decode of the frame.
     */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        DeviceInput.formatNodeLine("af_packet", record, offset, out).append('\n');
        out.append("  tpacket3_hdr:\n");
        out.append("    status 0x").append(Integer.toHexString(record.get(ValueLayout.JAVA_INT, offset + TRACE_STATUS)))
                .append(" len ").append(Integer.toUnsignedString(record.get(ValueLayout.JAVA_INT, offset + TRACE_LEN)))
                .append(" snaplen ")
                .append(Integer.toUnsignedString(record.get(ValueLayout.JAVA_INT, offset + TRACE_SNAPLEN)))
                .append(" mac ").append(record.get(ValueLayout.JAVA_SHORT, offset + TRACE_MAC) & 0xffff)
                .append(" net ").append(record.get(ValueLayout.JAVA_SHORT, offset + TRACE_NET) & 0xffff).append('\n');
        int tci = record.get(ValueLayout.JAVA_INT, offset + TRACE_VLAN_TCI);
        out.append("    sec 0x").append(Integer.toHexString(record.get(ValueLayout.JAVA_INT, offset + TRACE_SEC)))
                .append(" nsec 0x").append(Integer.toHexString(record.get(ValueLayout.JAVA_INT, offset + TRACE_NSEC)))
                .append(" vlan ");
        appendVlanTci(out, tci);
        out.append(" vlan_tpid ").append(record.get(ValueLayout.JAVA_SHORT, offset + TRACE_VLAN_TPID) & 0xffff)
                .append('\n');
        DeviceInput.formatFrame(record, offset, TRACE_FRAME_LENGTH, out);
    }

    /** As VPP's format_ethernet_vlan_tci: the VLAN id, then priority and CFI when set (IEEE 802.1Q 9.6). */
    private static void appendVlanTci(StringBuilder out, int tci) {
        out.append(tci & 0xfff);
        int priority = (tci >>> 13) & 0x7;
        if (priority != 0) {
            out.append(" priority ").append(priority);
        }
        if ((tci & 0x1000) != 0) {
            out.append(" cfi");
        }
    }

    /** Counter names shown as /err/af-packet-input/&lt;name&gt;. */
    public enum Error implements NodeError {
        RUNT("frame shorter than an ethernet header (14 bytes)"),
        OVERSIZE("frame longer than the interface MTU allows"),
        RING_ERROR("frame left in the ring: longer than a buffer or shorter than two MAC addresses"),
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
