package io.sluice.packet.api;

import java.lang.foreign.MemorySegment;

/**
 * IPv4 header (RFC 791 section 3.1).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |     TOS       |          Total Length         |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |R|D|M|    Fragment Offset      |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        | 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options (IHL > 5)                          | 20
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   R reserved (must be 0), D don't fragment, M more fragments;
 *   the fragment offset counts 8-byte units.
 * </pre>
 *
 * <p>Addresses are {@code int}s in wire order ({@code 10.1.1.3} is {@code 0x0a010103}). The
 * {@code rewrite*} and {@link #decrementTtl} methods keep the header checksum right by RFC 1624
 * incremental update instead of a recompute; the address rewrites also fix the TCP or UDP checksum,
 * whose pseudo-header covers both addresses.
 */
public final class Ipv4 {

    public static final int VERSION_IHL = 0;
    public static final int TOS = 1;
    public static final int TOTAL_LENGTH = 2;
    public static final int ID = 4;
    public static final int FLAGS_FRAGMENT = 6;
    public static final int TTL = 8;
    public static final int PROTOCOL = 9;
    public static final int CHECKSUM = 10;
    public static final int SRC = 12;
    public static final int DST = 16;
    public static final int MIN_HEADER_LENGTH = 20;

    /** Bits of the flags-and-fragment-offset word. */
    public static final int FLAG_RESERVED = 0x8000;
    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    /** Version 4, IHL 5: a header without options. */
    public static final int VERSION_IHL_NO_OPTIONS = 0x45;

    /** The bytes of a TCP or UDP header that hold the two ports, of an ICMP header type, code and checksum. */
    static final int L4_PORT_BYTES = 4;

    /** IANA "Assigned Internet Protocol Numbers". */
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    private Ipv4() {
    }

    public static int version(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + VERSION_IHL) >>> 4;
    }

    /** Header length in 32-bit words. */
    public static int ihl(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + VERSION_IHL) & 0x0f;
    }

    /** Header length in bytes (IHL * 4). */
    public static int headerLength(MemorySegment seg, long off) {
        return (NetworkOrder.u8(seg, off + VERSION_IHL) & 0x0f) << 2;
    }

    /** The offset of the payload (TCP, UDP, ICMP header) that follows the header at {@code off}. */
    public static long payloadOffset(MemorySegment seg, long off) {
        return off + headerLength(seg, off);
    }

    public static int tos(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + TOS);
    }

    public static int totalLength(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + TOTAL_LENGTH);
    }

    public static int id(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + ID);
    }

    public static int flagsAndFragmentOffset(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + FLAGS_FRAGMENT);
    }

    /** Fragment offset in 8-byte units. */
    public static int fragmentOffset(MemorySegment seg, long off) {
        return flagsAndFragmentOffset(seg, off) & FRAGMENT_OFFSET_MASK;
    }

    public static boolean dontFragment(MemorySegment seg, long off) {
        return (flagsAndFragmentOffset(seg, off) & FLAG_DONT_FRAGMENT) != 0;
    }

    public static boolean moreFragments(MemorySegment seg, long off) {
        return (flagsAndFragmentOffset(seg, off) & FLAG_MORE_FRAGMENTS) != 0;
    }

    /** True for any piece of a fragmented datagram: more fragments follow, or the offset is not 0. */
    public static boolean isFragment(MemorySegment seg, long off) {
        return (flagsAndFragmentOffset(seg, off) & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /**
     * The {@code BufferPool.L4_*} facts of a header with this protocol and fragment offset whose payload is
     * {@code l4Length} bytes: what ip4-input records for the nodes after it ({@link BufferPool#setIp4Header}).
     */
    public static int l4Info(int protocol, int fragmentOffset, int l4Length) {
        if (fragmentOffset != 0) {
            return BufferPool.L4_NON_FIRST_FRAGMENT;
        }
        int needed = switch (protocol) {
            case PROTOCOL_TCP -> Tcp.FLAGS + 1;
            case PROTOCOL_UDP, PROTOCOL_ICMP -> L4_PORT_BYTES;
            default -> Integer.MAX_VALUE;
        };
        return l4Length >= needed ? BufferPool.L4_VALID : 0;
    }

    /** Reads the header at {@code l3Offset} from the data start and records it as ip4-input does. */
    public static void recordHeader(BufferPool pool, int bi, int l3Offset) {
        MemorySegment seg = pool.segment();
        long ip = BufferPool.dataStart(bi) + l3Offset;
        int headerLength = headerLength(seg, ip);
        int protocol = protocol(seg, ip);
        pool.setIp4Header(bi, l3Offset, l3Offset + headerLength, protocol,
                l4Info(protocol, fragmentOffset(seg, ip), totalLength(seg, ip) - headerLength));
    }

    public static int ttl(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + TTL);
    }

    public static int protocol(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + PROTOCOL);
    }

    public static int checksum(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + CHECKSUM);
    }

    public static int src(MemorySegment seg, long off) {
        return NetworkOrder.u32(seg, off + SRC);
    }

    public static int dst(MemorySegment seg, long off) {
        return NetworkOrder.u32(seg, off + DST);
    }

    public static void setVersionAndIhl(MemorySegment seg, long off, int versionIhl) {
        NetworkOrder.setU8(seg, off + VERSION_IHL, versionIhl);
    }

    public static void setTos(MemorySegment seg, long off, int tos) {
        NetworkOrder.setU8(seg, off + TOS, tos);
    }

    public static void setTotalLength(MemorySegment seg, long off, int length) {
        NetworkOrder.setU16(seg, off + TOTAL_LENGTH, length);
    }

    public static void setId(MemorySegment seg, long off, int id) {
        NetworkOrder.setU16(seg, off + ID, id);
    }

    public static void setFlagsAndFragmentOffset(MemorySegment seg, long off, int value) {
        NetworkOrder.setU16(seg, off + FLAGS_FRAGMENT, value);
    }

    public static void setTtl(MemorySegment seg, long off, int ttl) {
        NetworkOrder.setU8(seg, off + TTL, ttl);
    }

    public static void setProtocol(MemorySegment seg, long off, int protocol) {
        NetworkOrder.setU8(seg, off + PROTOCOL, protocol);
    }

    public static void setChecksum(MemorySegment seg, long off, int checksum) {
        NetworkOrder.setU16(seg, off + CHECKSUM, checksum);
    }

    public static void setSrc(MemorySegment seg, long off, int address) {
        NetworkOrder.setU32(seg, off + SRC, address);
    }

    public static void setDst(MemorySegment seg, long off, int address) {
        NetworkOrder.setU32(seg, off + DST, address);
    }

    /**
     * Decrements the TTL and patches the header checksum (RFC 1624 over the TTL/protocol word, as a
     * router does per RFC 1812 section 5.3.1). Returns the new TTL; the caller drops and answers with
     * ICMP time exceeded when the TTL it read was 1 or less, before calling this.
     */
    public static int decrementTtl(MemorySegment seg, long off) {
        int word = NetworkOrder.u16(seg, off + TTL);
        int newWord = word - 0x100;
        NetworkOrder.setU16(seg, off + TTL, newWord);
        setChecksum(seg, off, Checksum.update16(checksum(seg, off), word, newWord));
        return newWord >>> 8;
    }

    /** Rewrites the source address (source NAT), patching the header and the TCP/UDP checksum. */
    public static void rewriteSrc(MemorySegment seg, long off, int address) {
        rewriteAddress(seg, off, SRC, address);
    }

    /** Rewrites the destination address (destination NAT), patching the header and the TCP/UDP checksum. */
    public static void rewriteDst(MemorySegment seg, long off, int address) {
        rewriteAddress(seg, off, DST, address);
    }

    /**
     * As {@link #rewriteSrc(MemorySegment, long, int)} for a packet whose parse is known (ip4-input's, in the
     * buffer's metadata): its {@code protocol} and its L4 header at {@code l4}, which must not be a later fragment.
     */
    public static void rewriteSrc(MemorySegment seg, long off, long l4, int protocol, int address) {
        rewriteAddress(seg, off, l4, protocol, SRC, address);
    }

    /** As {@link #rewriteSrc(MemorySegment, long, long, int, int)} for the destination address. */
    public static void rewriteDst(MemorySegment seg, long off, long l4, int protocol, int address) {
        rewriteAddress(seg, off, l4, protocol, DST, address);
    }

    private static void rewriteAddress(MemorySegment seg, long off, int field, int address) {
        if (fragmentOffset(seg, off) != 0) {
            // A later fragment carries no L4 header to fix: no protocol has its checksum here.
            rewriteAddress(seg, off, 0, -1, field, address);
            return;
        }
        rewriteAddress(seg, off, payloadOffset(seg, off), protocol(seg, off), field, address);
    }

    private static void rewriteAddress(MemorySegment seg, long off, long l4, int protocol, int field, int address) {
        int old = NetworkOrder.u32(seg, off + field);
        NetworkOrder.setU32(seg, off + field, address);
        setChecksum(seg, off, Checksum.update32(checksum(seg, off), old, address));
        if (protocol == PROTOCOL_TCP) {
            Tcp.setChecksum(seg, l4, Checksum.update32(Tcp.checksum(seg, l4), old, address));
        } else if (protocol == PROTOCOL_UDP) {
            Udp.setChecksum(seg, l4, Checksum.updateUdp32(Udp.checksum(seg, l4), old, address));
        }
    }
}
