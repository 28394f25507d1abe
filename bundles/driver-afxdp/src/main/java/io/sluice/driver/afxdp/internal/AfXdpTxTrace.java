package io.sluice.driver.afxdp.internal;

import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The record an AF_XDP port's {@code <if>-tx} node keeps for a traced packet, and its text: the port and queue as
 * VPP's device lines name them, the buffer, then the frame's decode. Written before the device copies the frame
 * into a transmit frame of the UMEM.
 *
 * <pre>
 *  +0   int   hw_if_index (the interface's sw_if_index)
 *  +4   int   tx queue
 *  +8   int   buffer index
 *  +12  int   current data
 *  +16  int   length
 *  +20  int   trace handle
 *  +24  int   bytes captured
 *  +28  the frame's first bytes, up to CAPTURE
 * </pre>
 */
final class AfXdpTxTrace {

    private static final long HW_IF_INDEX = 0;
    private static final long QUEUE = 4;
    private static final long BUFFER = 8;
    private static final long CURRENT_DATA = 12;
    private static final long LENGTH = 16;
    private static final long TRACE_HANDLE = 20;
    private static final long CAPTURED = 24;
    private static final long BYTES = 28;
    static final int CAPTURE = TraceRing.PAYLOAD_SIZE - (int) BYTES;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private AfXdpTxTrace() {
    }

    static void write(MemorySegment trace, long record, int hwIfIndex, int queue, BufferPool pool, int bi) {
        int length = pool.length(bi);
        trace.set(INT, record + HW_IF_INDEX, hwIfIndex);
        trace.set(INT, record + QUEUE, queue);
        trace.set(INT, record + BUFFER, bi);
        trace.set(INT, record + CURRENT_DATA, pool.currentData(bi));
        trace.set(INT, record + LENGTH, length);
        trace.set(INT, record + TRACE_HANDLE, pool.traceHandle(bi));
        int captured = Math.min(length, CAPTURE);
        trace.set(INT, record + CAPTURED, captured);
        MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + BYTES, captured);
    }

    static void format(MemorySegment trace, long record, StringBuilder out) {
        out.append("af_xdp: hw_if_index ").append(trace.get(INT, record + HW_IF_INDEX))
                .append(" tx-queue ").append(trace.get(INT, record + QUEUE)).append('\n');
        out.append("  buffer 0x").append(Integer.toHexString(trace.get(INT, record + BUFFER))).append(":\n");
        out.append("    current data ").append(trace.get(INT, record + CURRENT_DATA))
                .append(", length ").append(trace.get(INT, record + LENGTH))
                .append(", buffer-pool 0, ref-count 1, trace handle 0x")
                .append(Integer.toHexString(trace.get(INT, record + TRACE_HANDLE))).append('\n');
        out.append("  ");
        PacketFormat.appendEthernetHeader(trace, record + BYTES, trace.get(INT, record + CAPTURED), out, 2);
    }
}
