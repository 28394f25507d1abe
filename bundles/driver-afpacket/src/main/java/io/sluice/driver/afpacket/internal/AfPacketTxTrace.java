package io.sluice.driver.afpacket.internal;

import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.HostTxTrace;

import java.lang.foreign.MemorySegment;

/**
 * The record a host port's {@code <if>-tx} node keeps for a traced packet, and its text in the shape of VPP's
 * af_packet plugin (src/plugins/af_packet/device.c, format_af_packet_tx_trace): the port and queue, the
 * TPACKET_V2 slot header the frame is queued with (only when the port transmits through PACKET_TX_RING: with
 * sendmmsg(2) there is no slot), the virtio-net header (all zero: the socket is opened without
 * PACKET_VNET_HDR, as VPP's is when checksum and GSO offload are off), the buffer, then the frame's decode.
 * Written before the device sends the frame, so the slot header shows what the driver marks it with
 * (TP_STATUS_SEND_REQUEST, len = snaplen = the frame's length), never what the kernel makes of it later. The
 * record is vnet's {@link HostTxTrace}, its driver's word 1 when the port transmits through a TX ring.
 */
final class AfPacketTxTrace {

    private AfPacketTxTrace() {
    }

    static void write(MemorySegment trace, long record, int hwIfIndex, boolean txRing, BufferPool pool, int bi) {
        HostTxTrace.write(trace, record, hwIfIndex, 0, txRing ? 1 : 0, pool, bi);
    }

    static void format(MemorySegment trace, long record, StringBuilder out) {
        int length = HostTxTrace.length(trace, record);
        HostTxTrace.formatPortLine("af_packet", trace, record, out);
        if (HostTxTrace.driverWord(trace, record) != 0) {
            out.append("  tpacket2_hdr:\n");
            out.append("    status 0x").append(Integer.toHexString(Tpacket.TP_STATUS_SEND_REQUEST))
                    .append(" len ").append(length).append(" snaplen ").append(length).append(" mac 0 net 0\n");
            out.append("    sec 0x0 nsec 0x0 vlan 0 vlan_tpid 0\n");
        }
        out.append("  vnet-hdr:\n");
        out.append("    flags 0x00 gso_type 0x00 hdr_len 0\n");
        out.append("    gso_size 0 csum_start 0 csum_offset 0\n");
        HostTxTrace.formatBuffer(trace, record, out);
    }
}
