package io.sluice.packet.api;

import java.lang.foreign.MemorySegment;

/**
 * TCP header (RFC 793 section 3.1; ECE and CWR from RFC 3168).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsvd  |W|C|R|C|S|S|Y|I|            Window             | 12
 *  |       |       |R|E|G|K|H|T|N|N|                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        | 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options (data offset > 5)                  | 20
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Sequence and acknowledgment numbers are returned as {@code int}s holding the unsigned 32 bits.
 */
public final class Tcp {

    public static final int SRC_PORT = 0;
    public static final int DST_PORT = 2;
    public static final int SEQ = 4;
    public static final int ACK = 8;
    public static final int DATA_OFFSET = 12;
    public static final int FLAGS = 13;
    public static final int WINDOW = 14;
    public static final int CHECKSUM = 16;
    public static final int URGENT = 18;
    public static final int MIN_HEADER_LENGTH = 20;

    public static final int FLAG_FIN = 0x01;
    public static final int FLAG_SYN = 0x02;
    public static final int FLAG_RST = 0x04;
    public static final int FLAG_PSH = 0x08;
    public static final int FLAG_ACK = 0x10;
    public static final int FLAG_URG = 0x20;
    public static final int FLAG_ECE = 0x40;
    public static final int FLAG_CWR = 0x80;

    private Tcp() {
    }

    public static int srcPort(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + SRC_PORT);
    }

    public static int dstPort(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + DST_PORT);
    }

    public static int seq(MemorySegment seg, long off) {
        return NetworkOrder.u32(seg, off + SEQ);
    }

    public static int ack(MemorySegment seg, long off) {
        return NetworkOrder.u32(seg, off + ACK);
    }

    /** Header length in 32-bit words. */
    public static int dataOffset(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + DATA_OFFSET) >>> 4;
    }

    /** Header length in bytes, options included. */
    public static int headerLength(MemorySegment seg, long off) {
        return (NetworkOrder.u8(seg, off + DATA_OFFSET) >>> 4) << 2;
    }

    public static int flags(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + FLAGS);
    }

    public static int window(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + WINDOW);
    }

    public static int checksum(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + CHECKSUM);
    }

    public static int urgentPointer(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + URGENT);
    }

    public static void setSrcPort(MemorySegment seg, long off, int port) {
        NetworkOrder.setU16(seg, off + SRC_PORT, port);
    }

    public static void setDstPort(MemorySegment seg, long off, int port) {
        NetworkOrder.setU16(seg, off + DST_PORT, port);
    }

    public static void setSeq(MemorySegment seg, long off, int seq) {
        NetworkOrder.setU32(seg, off + SEQ, seq);
    }

    public static void setAck(MemorySegment seg, long off, int ack) {
        NetworkOrder.setU32(seg, off + ACK, ack);
    }

    /** Sets the data offset (in 32-bit words) and clears the reserved bits. */
    public static void setDataOffset(MemorySegment seg, long off, int words) {
        NetworkOrder.setU8(seg, off + DATA_OFFSET, words << 4);
    }

    public static void setFlags(MemorySegment seg, long off, int flags) {
        NetworkOrder.setU8(seg, off + FLAGS, flags);
    }

    public static void setWindow(MemorySegment seg, long off, int window) {
        NetworkOrder.setU16(seg, off + WINDOW, window);
    }

    public static void setChecksum(MemorySegment seg, long off, int checksum) {
        NetworkOrder.setU16(seg, off + CHECKSUM, checksum);
    }

    public static void setUrgentPointer(MemorySegment seg, long off, int pointer) {
        NetworkOrder.setU16(seg, off + URGENT, pointer);
    }

    /** Rewrites the source port (NAT), patching the checksum by RFC 1624. */
    public static void rewriteSrcPort(MemorySegment seg, long off, int port) {
        int old = srcPort(seg, off);
        setSrcPort(seg, off, port);
        setChecksum(seg, off, Checksum.update16(checksum(seg, off), old, port));
    }

    /** Rewrites the destination port (NAT), patching the checksum by RFC 1624. */
    public static void rewriteDstPort(MemorySegment seg, long off, int port) {
        int old = dstPort(seg, off);
        setDstPort(seg, off, port);
        setChecksum(seg, off, Checksum.update16(checksum(seg, off), old, port));
    }
}
