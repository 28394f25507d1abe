package io.sluice.packet.api;

import java.lang.foreign.MemorySegment;

/**
 * ICMP for IPv4 (RFC 792): the common 4-byte header, the echo identifier and sequence number, and the
 * invoking datagram that error messages carry.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | echo: Identifier              | echo: Sequence Number         |  4
 *  | errors: unused (or pointer, next-hop MTU per RFC 1191)        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | echo: data ...                                                |  8
 *  | errors: the invoking IP header + at least 64 bits of its data |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The checksum covers the ICMP message only (no pseudo-header).
 */
public final class Icmp {

    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    public static final int ECHO_ID = 4;
    public static final int ECHO_SEQ = 6;
    /** Parameter problem: the octet at which the error was found (RFC 792). */
    public static final int POINTER = 4;
    /** Destination unreachable, fragmentation needed: the next-hop MTU (RFC 1191 section 4). */
    public static final int NEXT_HOP_MTU = 6;
    /** Where the invoking datagram's IP header starts in an error message. */
    public static final int EMBEDDED_IP = 8;
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_SOURCE_QUENCH = 4;
    public static final int TYPE_REDIRECT = 5;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_PARAMETER_PROBLEM = 12;

    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_TTL_EXCEEDED_IN_TRANSIT = 0;
    public static final int CODE_FRAGMENT_REASSEMBLY_TIME_EXCEEDED = 1;

    private Icmp() {
    }

    public static int type(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + TYPE);
    }

    public static int code(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + CODE);
    }

    public static int checksum(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + CHECKSUM);
    }

    public static int echoId(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + ECHO_ID);
    }

    public static int echoSeq(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + ECHO_SEQ);
    }

    public static boolean isEcho(int type) {
        return type == TYPE_ECHO_REQUEST || type == TYPE_ECHO_REPLY;
    }

    /** Error messages, which quote the invoking datagram after the 8-byte header (RFC 792). */
    public static boolean isError(int type) {
        return type == TYPE_DESTINATION_UNREACHABLE || type == TYPE_SOURCE_QUENCH || type == TYPE_REDIRECT
                || type == TYPE_TIME_EXCEEDED || type == TYPE_PARAMETER_PROBLEM;
    }

    /** The offset of the quoted IP header in an error message whose ICMP header is at {@code off}. */
    public static long embeddedIpOffset(long off) {
        return off + EMBEDDED_IP;
    }

    public static void setType(MemorySegment seg, long off, int type) {
        NetworkOrder.setU8(seg, off + TYPE, type);
    }

    public static void setCode(MemorySegment seg, long off, int code) {
        NetworkOrder.setU8(seg, off + CODE, code);
    }

    public static void setChecksum(MemorySegment seg, long off, int checksum) {
        NetworkOrder.setU16(seg, off + CHECKSUM, checksum);
    }

    public static void setEchoId(MemorySegment seg, long off, int id) {
        NetworkOrder.setU16(seg, off + ECHO_ID, id);
    }

    public static void setEchoSeq(MemorySegment seg, long off, int seq) {
        NetworkOrder.setU16(seg, off + ECHO_SEQ, seq);
    }

    /**
     * The checksum the ICMP message of {@code length} bytes at {@code off} should carry (its checksum
     * field taken as zero); the length is the IP total length minus the IP header length.
     */
    public static int computeChecksum(MemorySegment seg, long off, int length) {
        int s = Checksum.add(Checksum.sum(seg, off, CHECKSUM),
                Checksum.sum(seg, off + CHECKSUM + 2, length - CHECKSUM - 2));
        return ~s & 0xffff;
    }

    public static boolean checksumValid(MemorySegment seg, long off, int length) {
        return Checksum.sum(seg, off, length) == 0xffff;
    }

    /**
     * Rewrites the identifier of the {@code length}-byte echo message at {@code off} (NAT of ICMP queries, RFC
     * 5508), patching the checksum by RFC 1624. ICMP has no pseudo-header, so an echo reply can be all zeros
     * (identifier 0, sequence 0, no data): its words sum to +0 and its checksum is 0xffff, while equation 3 gives
     * 0x0000, the checksum of words summing to -0. Only when the patch gives 0x0000 are the words summed to tell
     * the two apart.
     */
    public static void rewriteEchoId(MemorySegment seg, long off, int length, int id) {
        int old = echoId(seg, off);
        setEchoId(seg, off, id);
        int checksum = Checksum.update16(checksum(seg, off), old, id);
        if (checksum == 0) {
            setChecksum(seg, off, 0);
            if (Checksum.sum(seg, off, length) == 0) {
                checksum = 0xffff;
            }
        }
        setChecksum(seg, off, checksum);
    }
}
