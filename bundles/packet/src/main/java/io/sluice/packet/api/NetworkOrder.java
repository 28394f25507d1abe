package io.sluice.packet.api;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The memory layouts every header flyweight reads the wire with: network byte order is big-endian
 * (RFC 1700, "Data Notations"), and headers sit at any byte offset in a buffer (an IPv4 header after a
 * 14-byte Ethernet header starts at an offset that is 2 mod 4), so every layout is unaligned.
 *
 * <p>Declared once here so the JIT sees the same constant layouts from every flyweight. The helpers
 * return unsigned values widened to {@code int}/{@code long}; none allocates.
 */
public final class NetworkOrder {

    public static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort BE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt BE_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NetworkOrder() {
    }

    /** The unsigned byte at {@code off}. */
    public static int u8(MemorySegment seg, long off) {
        return seg.get(BYTE, off) & 0xff;
    }

    public static void setU8(MemorySegment seg, long off, int value) {
        seg.set(BYTE, off, (byte) value);
    }

    /** The unsigned 16-bit big-endian value at {@code off}. */
    public static int u16(MemorySegment seg, long off) {
        return seg.get(BE_SHORT, off) & 0xffff;
    }

    public static void setU16(MemorySegment seg, long off, int value) {
        seg.set(BE_SHORT, off, (short) value);
    }

    /** The 32-bit big-endian value at {@code off}; callers treat it as unsigned where it matters. */
    public static int u32(MemorySegment seg, long off) {
        return seg.get(BE_INT, off);
    }

    public static void setU32(MemorySegment seg, long off, int value) {
        seg.set(BE_INT, off, value);
    }

    /** The 48-bit big-endian value at {@code off} (a MAC address) in the low bits of a long. */
    public static long u48(MemorySegment seg, long off) {
        return ((seg.get(BE_INT, off) & 0xffffffffL) << 16) | (seg.get(BE_SHORT, off + 4) & 0xffffL);
    }

    public static void setU48(MemorySegment seg, long off, long value) {
        seg.set(BE_INT, off, (int) (value >>> 16));
        seg.set(BE_SHORT, off + 4, (short) value);
    }
}
