package io.sluice.vnet.api;

import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The record a host-interface port's {@code <if>-tx} node keeps for a traced packet (AF_PACKET, AF_XDP), and the
 * parts of its text every such driver shows the same way, in the shape of VPP's device tx traces: the port line
 * ({@code <driver>: hw_if_index N tx-queue Q}), then after the driver's own lines the buffer and the frame's
 * decode. Written before the device sends the frame. One word is the driver's, for what its lines show.
 *
 * <pre>
 *  +0   int   hw_if_index (the interface's sw_if_index)
 *  +4   int   tx queue
 *  +8   int   the driver's word (AF_PACKET: 1 when the port transmits through a TX ring)
 *  +12  int   buffer index
 *  +16  int   current data
 *  +20  int   length
 *  +24  int   trace handle
 *  +28  int   bytes captured
 *  +32  the frame's first bytes, up to CAPTURE
 * </pre>
 */
public final class HostTxTrace {

    private static final long HW_IF_INDEX = 0;
    private static final long QUEUE = 4;
    private static final long DRIVER_WORD = 8;
    private static final long BUFFER = 12;
    private static final long CURRENT_DATA = 16;
    private static final long LENGTH = 20;
    private static final long TRACE_HANDLE = 24;
    private static final long CAPTURED = 28;
    private static final long BYTES = 32;
    public static final int CAPTURE = TraceRing.PAYLOAD_SIZE - (int) BYTES;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private HostTxTrace() {
    }

    public static void write(MemorySegment trace, long record, int hwIfIndex, int queue, int driverWord,
                             BufferPool pool, int bi) {
        int length = pool.length(bi);
        trace.set(INT, record + HW_IF_INDEX, hwIfIndex);
        trace.set(INT, record + QUEUE, queue);
        trace.set(INT, record + DRIVER_WORD, driverWord);
        trace.set(INT, record + BUFFER, bi);
        trace.set(INT, record + CURRENT_DATA, pool.currentData(bi));
        trace.set(INT, record + LENGTH, length);
        trace.set(INT, record + TRACE_HANDLE, pool.traceHandle(bi));
        int captured = Math.min(length, CAPTURE);
        trace.set(INT, record + CAPTURED, captured);
        MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + BYTES, captured);
    }

    public static int driverWord(MemorySegment trace, long record) {
        return trace.get(INT, record + DRIVER_WORD);
    }

    public static int length(MemorySegment trace, long record) {
        return trace.get(INT, record + LENGTH);
    }

    /** {@code <driver>: hw_if_index N tx-queue Q} and its newline. */
    public static void formatPortLine(String driver, MemorySegment trace, long record, StringBuilder out) {
        out.append(driver).append(": hw_if_index ").append(trace.get(INT, record + HW_IF_INDEX))
                .append(" tx-queue ").append(trace.get(INT, record + QUEUE)).append('\n');
    }

    /** The buffer's line (VPP's format_vnet_buffer), then the frame's Ethernet and IP decode. */
    public static void formatBuffer(MemorySegment trace, long record, StringBuilder out) {
        out.append("  buffer 0x").append(Integer.toHexString(trace.get(INT, record + BUFFER))).append(":\n");
        out.append("    current data ").append(trace.get(INT, record + CURRENT_DATA))
                .append(", length ").append(trace.get(INT, record + LENGTH))
                .append(", buffer-pool 0, ref-count 1, trace handle 0x")
                .append(Integer.toHexString(trace.get(INT, record + TRACE_HANDLE))).append('\n');
        out.append("  ");
        PacketFormat.appendEthernetHeader(trace, record + BYTES, trace.get(INT, record + CAPTURED), out, 2);
    }
}
