package io.sluice.packet.api;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) and its uses in IPv4, TCP and UDP, full and incremental (RFC 1624).
 *
 * <p>Sums are carried as {@code int} values folded to 16 bits in network order, not complemented: the
 * "one's complement sum". A checksum field holds the complement of the sum with the field taken as zero.
 *
 * <p>Speed: {@link #sum} reads eight bytes at a time in the machine's native order and adds both 32-bit
 * halves into a {@code long}. RFC 1071 section 2 shows why this is exact: the sum is independent of byte
 * order up to one final byte swap (2B), and wider words may be added in parallel and folded at the end
 * (2C). A {@code long} accumulator gains at most 2^33 per step, so it cannot overflow below 8 GiB.
 *
 * <p>UDP (RFC 768): a transmitted checksum of zero means "no checksum"; a computed zero is therefore sent
 * as 0xffff, and updates leave a zero checksum zero ({@link #updateUdp16}, {@link #updateUdp32}).
 *
 * <p>Nothing here allocates; all methods are static and final-class dispatched.
 */
public final class Checksum {

    private static final ValueLayout.OfLong NATIVE_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt NATIVE_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort NATIVE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** IANA protocol numbers carried in the pseudo-header (RFC 793 section 3.1, RFC 768). */
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;

    private Checksum() {
    }

    /**
     * The one's complement sum of {@code len} bytes at {@code off}, as 16-bit network-order words with an
     * odd last byte padded by a zero byte (RFC 1071), folded to 16 bits and not complemented.
     */
    public static int sum(MemorySegment seg, long off, int len) {
        long acc = 0;
        long p = off;
        long end = off + len;
        while (end - p >= 8) {
            long w = seg.get(NATIVE_LONG, p);
            acc += (w & 0xffffffffL) + (w >>> 32);
            p += 8;
        }
        if (end - p >= 4) {
            acc += seg.get(NATIVE_INT, p) & 0xffffffffL;
            p += 4;
        }
        if (end - p >= 2) {
            acc += seg.get(NATIVE_SHORT, p) & 0xffff;
            p += 2;
        }
        if (p < end) {
            int lastByte = seg.get(ValueLayout.JAVA_BYTE, p) & 0xff;
            // In network order the odd byte is the high half of a zero-padded word; in a little-endian
            // read of that word it lands in the low half.
            acc += NATIVE_LITTLE_ENDIAN ? lastByte : lastByte << 8;
        }
        int folded = fold(acc);
        return NATIVE_LITTLE_ENDIAN ? swap16(folded) : folded;
    }

    /** Folds a wide one's complement accumulator to 16 bits (end-around carry). */
    public static int fold(long acc) {
        acc = (acc & 0xffffffffL) + (acc >>> 32);
        acc = (acc & 0xffff) + (acc >>> 16);
        acc = (acc & 0xffff) + (acc >>> 16);
        acc = (acc & 0xffff) + (acc >>> 16);
        return (int) acc;
    }

    /** One's complement addition of two 16-bit sums. */
    public static int add(int sumA, int sumB) {
        int s = sumA + sumB;
        return (s & 0xffff) + (s >>> 16);
    }

    /** The Internet checksum of a range: the complement of {@link #sum}. */
    public static int internetChecksum(MemorySegment seg, long off, int len) {
        return ~sum(seg, off, len) & 0xffff;
    }

    /** The sum of a range that contains a 16-bit checksum field at {@code fieldOff}, taking the field as zero. */
    private static int sumWithoutField(MemorySegment seg, long off, int len, long fieldOff) {
        int before = (int) (fieldOff - off);
        return add(sum(seg, off, before), sum(seg, fieldOff + 2, len - before - 2));
    }

    // ---- IPv4 header (RFC 791 section 3.1) ----

    /** The checksum the IPv4 header at {@code ipOff} should carry (its checksum field taken as zero). */
    public static int ip4HeaderChecksum(MemorySegment seg, long ipOff) {
        int headerLength = Ipv4.headerLength(seg, ipOff);
        return ~sumWithoutField(seg, ipOff, headerLength, ipOff + Ipv4.CHECKSUM) & 0xffff;
    }

    /** True when the header's stored checksum is right: the sum over the whole header is 0xffff (-0). */
    public static boolean ip4HeaderChecksumValid(MemorySegment seg, long ipOff) {
        return sum(seg, ipOff, Ipv4.headerLength(seg, ipOff)) == 0xffff;
    }

    /** Computes and stores the IPv4 header checksum. */
    public static void setIp4HeaderChecksum(MemorySegment seg, long ipOff) {
        Ipv4.setChecksum(seg, ipOff, ip4HeaderChecksum(seg, ipOff));
    }

    // ---- TCP and UDP over IPv4: the pseudo-header (RFC 793 section 3.1, RFC 768) ----

    /** The sum of the IPv4 pseudo-header: source, destination, zero and protocol, L4 length. */
    public static int pseudoHeaderSum(int src, int dst, int protocol, int l4Length) {
        return fold((long) (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff)
                + (protocol & 0xff) + (l4Length & 0xffff));
    }

    /** The TCP checksum the segment after the IPv4 header at {@code ipOff} should carry. */
    public static int tcpChecksum(MemorySegment seg, long ipOff) {
        int headerLength = Ipv4.headerLength(seg, ipOff);
        int tcpLength = Ipv4.totalLength(seg, ipOff) - headerLength;
        long tcpOff = ipOff + headerLength;
        int s = add(pseudoHeaderSum(Ipv4.src(seg, ipOff), Ipv4.dst(seg, ipOff), PROTOCOL_TCP, tcpLength),
                sumWithoutField(seg, tcpOff, tcpLength, tcpOff + Tcp.CHECKSUM));
        return ~s & 0xffff;
    }

    public static boolean tcpChecksumValid(MemorySegment seg, long ipOff) {
        int headerLength = Ipv4.headerLength(seg, ipOff);
        int tcpLength = Ipv4.totalLength(seg, ipOff) - headerLength;
        int s = add(pseudoHeaderSum(Ipv4.src(seg, ipOff), Ipv4.dst(seg, ipOff), PROTOCOL_TCP, tcpLength),
                sum(seg, ipOff + headerLength, tcpLength));
        return s == 0xffff;
    }

    public static void setTcpChecksum(MemorySegment seg, long ipOff) {
        Tcp.setChecksum(seg, ipOff + Ipv4.headerLength(seg, ipOff), tcpChecksum(seg, ipOff));
    }

    /**
     * The UDP checksum the datagram after the IPv4 header at {@code ipOff} should carry, over the UDP
     * length field's count of bytes; never 0 (a computed 0 is sent as 0xffff, RFC 768).
     */
    public static int udpChecksum(MemorySegment seg, long ipOff) {
        long udpOff = ipOff + Ipv4.headerLength(seg, ipOff);
        int udpLength = Udp.length(seg, udpOff);
        int s = add(pseudoHeaderSum(Ipv4.src(seg, ipOff), Ipv4.dst(seg, ipOff), PROTOCOL_UDP, udpLength),
                sumWithoutField(seg, udpOff, udpLength, udpOff + Udp.CHECKSUM));
        int checksum = ~s & 0xffff;
        return checksum == 0 ? 0xffff : checksum;
    }

    /** True when the UDP checksum is right, or is 0 (the sender computed none). */
    public static boolean udpChecksumValid(MemorySegment seg, long ipOff) {
        long udpOff = ipOff + Ipv4.headerLength(seg, ipOff);
        if (Udp.checksum(seg, udpOff) == 0) {
            return true;
        }
        int udpLength = Udp.length(seg, udpOff);
        int s = add(pseudoHeaderSum(Ipv4.src(seg, ipOff), Ipv4.dst(seg, ipOff), PROTOCOL_UDP, udpLength),
                sum(seg, udpOff, udpLength));
        return s == 0xffff;
    }

    public static void setUdpChecksum(MemorySegment seg, long ipOff) {
        Udp.setChecksum(seg, ipOff + Ipv4.headerLength(seg, ipOff), udpChecksum(seg, ipOff));
    }

    // ---- Incremental update, RFC 1624 equation 3: HC' = ~(~HC + ~m + m') ----

    /** The checksum after one 16-bit word covered by it changes from {@code oldWord} to {@code newWord}. */
    public static int update16(int checksum, int oldWord, int newWord) {
        int s = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return ~s & 0xffff;
    }

    /** The checksum after a 32-bit field (an IPv4 address) changes: both 16-bit halves at once. */
    public static int update32(int checksum, int oldValue, int newValue) {
        int s = (~checksum & 0xffff)
                + (~oldValue >>> 16) + (~oldValue & 0xffff)
                + (newValue >>> 16) + (newValue & 0xffff);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return ~s & 0xffff;
    }

    /** {@link #update16} for a UDP checksum: 0 ("none") stays 0, and a result of 0 is sent as 0xffff. */
    public static int updateUdp16(int checksum, int oldWord, int newWord) {
        if (checksum == 0) {
            return 0;
        }
        int updated = update16(checksum, oldWord, newWord);
        return updated == 0 ? 0xffff : updated;
    }

    /** {@link #update32} for a UDP checksum: 0 ("none") stays 0, and a result of 0 is sent as 0xffff. */
    public static int updateUdp32(int checksum, int oldValue, int newValue) {
        if (checksum == 0) {
            return 0;
        }
        int updated = update32(checksum, oldValue, newValue);
        return updated == 0 ? 0xffff : updated;
    }

    private static int swap16(int v) {
        return ((v & 0xff) << 8) | (v >>> 8);
    }
}
