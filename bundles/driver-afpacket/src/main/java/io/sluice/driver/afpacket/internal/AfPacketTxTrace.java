package io.sluice.driver.afpacket.internal;

import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The record a host port's {@code <if>-tx} node keeps for a traced packet, and its text in the shape of VPP's
 * af_packet plugin (src/plugins/af_packet/device.c, format_af_packet_tx_trace): the port and queue, the
 * TPACKET_V2 slot header the frame is queued with (only when the port transmits through PACKET_TX_RING: with
 * sendmmsg(2) there is no slot), the virtio-net header (all zero: the socket is opened without
 * PACKET_VNET_HDR, as VPP's is when checksum and GSO offload are off), the buffer, then the frame's decode.
 * Written before the device sends the frame, so the slot header shows what the driver marks it with
 * (TP_STATUS_SEND_REQUEST, len = snaplen = the frame's length), never what the kernel makes of it later.
 *
 * <pre>
 *  +0   int   hw_if_index (the interface's sw_if_index)
 *  +4   int   tx queue
 *  +8   int   1 when the port transmits through a TX ring
 *  +12  int   buffer index
 *  +16  int   current data
 *  +20  int   length
 *  +24  int   trace handle
 *  +28  int   bytes captured
 *  +32  the frame's first bytes, up to CAPTURE
 * </pre>
 */
final class AfPacketTxTrace {

    private static final long HW_IF_INDEX = 0;
    private static final long QUEUE = 4;
    private static final long TX_RING = 8;
    private static final long BUFFER = 12;
    private static final long CURRENT_DATA = 16;
    private static final long LENGTH = 20;
    private static final long TRACE_HANDLE = 24;
    private static final long CAPTURED = 28;
    private static final long BYTES = 32;
    static final int CAPTURE = TraceRing.PAYLOAD_SIZE - (int) BYTES;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private AfPacketTxTrace() {
    }

    static void write(MemorySegment trace, long record, int hwIfIndex, boolean txRing, BufferPool pool, int bi) {
        int length = pool.length(bi);
        trace.set(INT, record + HW_IF_INDEX, hwIfIndex);
        trace.set(INT, record + QUEUE, 0);
        trace.set(INT, record + TX_RING, txRing ? 1 : 0);
        trace.set(INT, record + BUFFER, bi);
        trace.set(INT, record + CURRENT_DATA, pool.currentData(bi));
        trace.set(INT, record + LENGTH, length);
        trace.set(INT, record + TRACE_HANDLE, pool.traceHandle(bi));
        int captured = Math.min(length, CAPTURE);
        trace.set(INT, record + CAPTURED, captured);
        MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + BYTES, captured);
    }

    static void format(MemorySegment trace, long record, StringBuilder out) {
        int length = trace.get(INT, record + LENGTH);
        out.append("af_packet: hw_if_index ").append(trace.get(INT, record + HW_IF_INDEX))
                .append(" tx-queue ").append(trace.get(INT, record + QUEUE)).append('\n');
        if (trace.get(INT, record + TX_RING) != 0) {
            out.append("  tpacket2_hdr:\n");
            out.append("    status 0x").append(Integer.toHexString(Tpacket.TP_STATUS_SEND_REQUEST))
                    .append(" len ").append(length).append(" snaplen ").append(length).append(" mac 0 net 0\n");
            out.append("    sec 0x0 nsec 0x0 vlan 0 vlan_tpid 0\n");
        }
        out.append("  vnet-hdr:\n");
        out.append("    flags 0x00 gso_type 0x00 hdr_len 0\n");
        out.append("    gso_size 0 csum_start 0 csum_offset 0\n");
        out.append("  buffer 0x").append(Integer.toHexString(trace.get(INT, record + BUFFER))).append(":\n");
        out.append("    current data ").append(trace.get(INT, record + CURRENT_DATA))
                .append(", length ").append(length)
                .append(", buffer-pool 0, ref-count 1, trace handle 0x")
                .append(Integer.toHexString(trace.get(INT, record + TRACE_HANDLE))).append('\n');
        out.append("  ");
        PacketFormat.appendEthernetHeader(trace, record + BYTES, trace.get(INT, record + CAPTURED), out, 2);
    }
}
