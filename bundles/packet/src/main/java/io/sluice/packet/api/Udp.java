package io.sluice.packet.api;

import java.lang.foreign.MemorySegment;

/**
 * UDP header (RFC 768).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Length (header + data)      |           Checksum            |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>A checksum of 0 means the sender computed none; the port rewrites leave it 0 (RFC 768).
 */
public final class Udp {

    public static final int SRC_PORT = 0;
    public static final int DST_PORT = 2;
    public static final int LENGTH = 4;
    public static final int CHECKSUM = 6;
    public static final int HEADER_LENGTH = 8;

    private Udp() {
    }

    public static int srcPort(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + SRC_PORT);
    }

    public static int dstPort(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + DST_PORT);
    }

    public static int length(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + LENGTH);
    }

    public static int checksum(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + CHECKSUM);
    }

    public static void setSrcPort(MemorySegment seg, long off, int port) {
        NetworkOrder.setU16(seg, off + SRC_PORT, port);
    }

    public static void setDstPort(MemorySegment seg, long off, int port) {
        NetworkOrder.setU16(seg, off + DST_PORT, port);
    }

    public static void setLength(MemorySegment seg, long off, int length) {
        NetworkOrder.setU16(seg, off + LENGTH, length);
    }

    public static void setChecksum(MemorySegment seg, long off, int checksum) {
        NetworkOrder.setU16(seg, off + CHECKSUM, checksum);
    }

    /** Rewrites the source port (NAT); a zero checksum stays zero. */
    public static void rewriteSrcPort(MemorySegment seg, long off, int port) {
        int old = srcPort(seg, off);
        setSrcPort(seg, off, port);
        setChecksum(seg, off, Checksum.updateUdp16(checksum(seg, off), old, port));
    }

    /** Rewrites the destination port (NAT); a zero checksum stays zero. */
    public static void rewriteDstPort(MemorySegment seg, long off, int port) {
        int old = dstPort(seg, off);
        setDstPort(seg, off, port);
        setChecksum(seg, off, Checksum.updateUdp16(checksum(seg, off), old, port));
    }
}
