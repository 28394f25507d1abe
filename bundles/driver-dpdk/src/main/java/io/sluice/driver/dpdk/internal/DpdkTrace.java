package io.sluice.driver.dpdk.internal;

import static io.sluice.driver.dpdk.internal.Rte.NATIVE;
import static io.sluice.driver.dpdk.internal.RteLayout.*;

import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.VnetBufferFlags;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The trace record dpdk-input and {@code <if>-tx} share, and its text as VPP's dpdk plugin prints it
 * (src/plugins/dpdk/device/format.c: format_dpdk_rx_trace / format_dpdk_tx_trace): the queue, the buffer's
 * metadata, the mbuf's fields, then the Ethernet/IP decode. The mbuf fields are captured when the packet
 * passes (the mbuf is freed right after), never read at show time.
 *
 * <pre>
 *  +0   int   sw_if_index (rx) / -1 (tx: the device prints its own name)
 *  +4   short queue
 *  +6   short mbuf port
 *  +8   int   buffer index
 *  +12  int   current data
 *  +16  int   length
 *  +20  int   trace handle
 *  +24  int   buffer flags
 *  +28  short l2 offset        +30 short l3 offset
 *  +32  short nb_segs          +34 short data_len
 *  +36  int   pkt_len
 *  +40  short buf_len          +42 short data_off
 *  +44  int   packet_type
 *  +48  long  ol_flags
 *  +56  long  buf_iova (VPP's phys_addr)
 *  +64  long  tx_offload (l2_len, l3_len, outer lengths)
 *  +72  int   bytes captured
 *  +80  the packet's first bytes, up to CAPTURE
 * </pre>
 */
final class DpdkTrace {

    private static final long SW_IF_INDEX = 0;
    private static final long QUEUE = 4;
    private static final long PORT = 6;
    private static final long BUFFER = 8;
    private static final long CURRENT_DATA = 12;
    private static final long LENGTH = 16;
    private static final long TRACE_HANDLE = 20;
    private static final long FLAGS = 24;
    private static final long L2_OFFSET = 28;
    private static final long L3_OFFSET = 30;
    private static final long NB_SEGS = 32;
    private static final long DATA_LEN = 34;
    private static final long PKT_LEN = 36;
    private static final long BUF_LEN = 40;
    private static final long DATA_OFF = 42;
    private static final long PACKET_TYPE = 44;
    private static final long OL_FLAGS = 48;
    private static final long PHYS_ADDR = 56;
    private static final long TX_OFFLOAD = 64;
    private static final long CAPTURED = 72;
    private static final long BYTES = 80;
    static final int CAPTURE = TraceRing.PAYLOAD_SIZE - (int) BYTES;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private DpdkTrace() {
    }

    /** The buffer's metadata and its first bytes. */
    static void writeBuffer(MemorySegment trace, long record, int swIfIndex, int queue, BufferPool pool, int bi) {
        MemorySegment data = pool.segment();
        int length = pool.length(bi);
        // The decode shows the whole frame from its L2 header, even when current data has moved past it.
        long frameStart = BufferPool.dataStart(bi) + pool.l2Offset(bi);
        int frameLength = length + pool.currentData(bi) - pool.l2Offset(bi);
        trace.set(INT, record + SW_IF_INDEX, swIfIndex);
        trace.set(SHORT, record + QUEUE, (short) queue);
        trace.set(INT, record + BUFFER, bi);
        trace.set(INT, record + CURRENT_DATA, pool.currentData(bi));
        trace.set(INT, record + LENGTH, length);
        trace.set(INT, record + TRACE_HANDLE, pool.traceHandle(bi));
        trace.set(INT, record + FLAGS, pool.flags(bi));
        trace.set(SHORT, record + L2_OFFSET, (short) pool.l2Offset(bi));
        trace.set(SHORT, record + L3_OFFSET, (short) pool.l3Offset(bi));
        int captured = Math.min(frameLength, CAPTURE);
        trace.set(INT, record + CAPTURED, captured);
        MemorySegment.copy(data, frameStart, trace, record + BYTES, captured);
    }

    /** The fields of the mbuf at address {@code mbuf}. */
    static void writeMbuf(MemorySegment trace, long record, long mbuf) {
        trace.set(SHORT, record + PORT, NATIVE.get(ValueLayout.JAVA_SHORT, mbuf + MBUF_PORT));
        trace.set(SHORT, record + NB_SEGS, NATIVE.get(ValueLayout.JAVA_SHORT, mbuf + MBUF_NB_SEGS));
        trace.set(SHORT, record + DATA_LEN, NATIVE.get(ValueLayout.JAVA_SHORT, mbuf + MBUF_DATA_LEN));
        trace.set(INT, record + PKT_LEN, NATIVE.get(ValueLayout.JAVA_INT, mbuf + MBUF_PKT_LEN));
        trace.set(SHORT, record + BUF_LEN, NATIVE.get(ValueLayout.JAVA_SHORT, mbuf + MBUF_BUF_LEN));
        trace.set(SHORT, record + DATA_OFF, NATIVE.get(ValueLayout.JAVA_SHORT, mbuf + MBUF_DATA_OFF));
        trace.set(INT, record + PACKET_TYPE, NATIVE.get(ValueLayout.JAVA_INT, mbuf + MBUF_PACKET_TYPE));
        trace.set(LONG, record + OL_FLAGS, NATIVE.get(ValueLayout.JAVA_LONG, mbuf + MBUF_OL_FLAGS));
        trace.set(LONG, record + PHYS_ADDR, NATIVE.get(ValueLayout.JAVA_LONG, mbuf + MBUF_BUF_IOVA));
        trace.set(LONG, record + TX_OFFLOAD, NATIVE.get(ValueLayout.JAVA_LONG, mbuf + MBUF_TX_OFFLOAD));
    }

    /**
     * What the mbuf of a packet about to be sent will hold, for when no mbuf could be had (pool empty):
     * rte_pktmbuf_reset's values with the packet's length.
     */
    static void writeUnsentMbuf(MemorySegment trace, long record, int length) {
        trace.set(SHORT, record + PORT, MBUF_PORT_INVALID);
        trace.set(SHORT, record + NB_SEGS, (short) 1);
        trace.set(SHORT, record + DATA_LEN, (short) length);
        trace.set(INT, record + PKT_LEN, length);
        trace.set(SHORT, record + BUF_LEN, (short) MbufPool.DATA_ROOM);
        trace.set(SHORT, record + DATA_OFF, (short) PKTMBUF_HEADROOM);
        trace.set(INT, record + PACKET_TYPE, 0);
        trace.set(LONG, record + OL_FLAGS, 0);
        trace.set(LONG, record + PHYS_ADDR, 0);
        trace.set(LONG, record + TX_OFFLOAD, 0);
    }

    static int swIfIndex(MemorySegment trace, long record) {
        return trace.get(INT, record + SW_IF_INDEX);
    }

    /** {@code <name> rx queue N} (or tx), the buffer, the mbuf and the decode, one line each. */
    static void format(MemorySegment trace, long record, String interfaceName, String direction,
                       StringBuilder out) {
        out.append(interfaceName).append(' ').append(direction).append(" queue ")
                .append(trace.get(SHORT, record + QUEUE) & 0xffff).append('\n');
        int lineStart = out.length();
        out.append("buffer 0x").append(Integer.toHexString(trace.get(INT, record + BUFFER))).append(": ");
        int flagsIndent = out.length() - lineStart;
        out.append("current data ").append(trace.get(INT, record + CURRENT_DATA))
                .append(", length ").append(trace.get(INT, record + LENGTH))
                .append(", free-list 0, clone-count 0, totlen-nifb 0, trace 0x")
                .append(Integer.toHexString(trace.get(INT, record + TRACE_HANDLE))).append('\n');
        out.repeat(' ', flagsIndent);
        int flags = trace.get(INT, record + FLAGS);
        if ((flags & BufferPool.FLAG_L4_CHECKSUM_COMPUTED) != 0) {
            out.append("l4-cksum-computed ");
        }
        if ((flags & BufferPool.FLAG_L4_CHECKSUM_CORRECT) != 0) {
            out.append("l4-cksum-correct ");
        }
        if ((flags & VnetBufferFlags.NATED) != 0) {
            out.append("nated ");
        }
        out.append("l2-hdr-offset ").append(trace.get(SHORT, record + L2_OFFSET))
                .append(" l3-hdr-offset ").append(trace.get(SHORT, record + L3_OFFSET)).append(" \n");

        long txOffload = trace.get(LONG, record + TX_OFFLOAD);
        out.append("PKT MBUF: port ").append(trace.get(SHORT, record + PORT) & 0xffff)
                .append(", nb_segs ").append(trace.get(SHORT, record + NB_SEGS) & 0xffff)
                .append(", pkt_len ").append(trace.get(INT, record + PKT_LEN) & 0xffffffffL).append('\n');
        out.append("  buf_len ").append(trace.get(SHORT, record + BUF_LEN) & 0xffff)
                .append(", data_len ").append(trace.get(SHORT, record + DATA_LEN) & 0xffff)
                .append(", ol_flags 0x").append(Long.toHexString(trace.get(LONG, record + OL_FLAGS)))
                .append(", data_off ").append(trace.get(SHORT, record + DATA_OFF) & 0xffff)
                .append(", phys_addr 0x").append(Long.toHexString(trace.get(LONG, record + PHYS_ADDR))).append('\n');
        // struct rte_mbuf tx_offload bit fields: l2_len 0-6, l3_len 7-15, l4_len 16-23, tso_segsz 24-39,
        // outer_l3_len 40-48, outer_l2_len 49-55
        out.append("  packet_type 0x").append(Integer.toHexString(trace.get(INT, record + PACKET_TYPE)))
                .append(" l2_len ").append(txOffload & 0x7f)
                .append(" l3_len ").append((txOffload >>> 7) & 0x1ff)
                .append(" outer_l2_len ").append((txOffload >>> 49) & 0x7f)
                .append(" outer_l3_len ").append((txOffload >>> 40) & 0x1ff).append('\n');
        int captured = trace.get(INT, record + CAPTURED);
        PacketFormat.appendEthernetHeader(trace, record + BYTES, captured, out, 0);
    }
}
