package io.sluice.driver.tap.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * struct virtio_net_hdr (include/uapi/linux/virtio_net.h), the 10 bytes a TAP opened with IFF_VNET_HDR puts
 * before every frame it hands over and expects before every frame written to it. The 16-bit fields are in
 * the host's byte order (little-endian here: legacy virtio on x86, no TUNSETVNETBE/LE).
 *
 * <pre>
 *   0        1          2               4               6                8                10
 *  +--------+----------+---------------+---------------+----------------+----------------+
 *  | flags  | gso_type | hdr_len       | gso_size      | csum_start     | csum_offset    |
 *  +--------+----------+---------------+---------------+----------------+----------------+
 * </pre>
 *
 * <p>{@link TapDevice} reads the header into the buffer's headroom right before the Ethernet header, so it
 * is found at {@code dataStart(bi) - SIZE} until a node prepends something there; a compact copy of
 * flags, gso_type and hdr_len is also kept in the buffer's {@code Opaque.DRIVER} slot.
 */
public final class VirtioNetHeader {

    public static final int SIZE = 10;
    public static final int FLAGS = 0;
    public static final int GSO_TYPE = 1;
    public static final int HDR_LEN = 2;
    public static final int GSO_SIZE = 4;
    public static final int CSUM_START = 6;
    public static final int CSUM_OFFSET = 8;

    /** The L4 checksum is partial: complete it over [csum_start, end) and store at csum_start + csum_offset. */
    public static final int F_NEEDS_CSUM = 1;
    /** The checksum was already validated by the sender. */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private VirtioNetHeader() {
    }

    public static int flags(MemorySegment segment, long header) {
        return segment.get(ValueLayout.JAVA_BYTE, header + FLAGS) & 0xff;
    }

    public static int gsoType(MemorySegment segment, long header) {
        return segment.get(ValueLayout.JAVA_BYTE, header + GSO_TYPE) & 0xff;
    }

    public static int hdrLen(MemorySegment segment, long header) {
        return segment.get(U16, header + HDR_LEN) & 0xffff;
    }

    public static int gsoSize(MemorySegment segment, long header) {
        return segment.get(U16, header + GSO_SIZE) & 0xffff;
    }

    public static int csumStart(MemorySegment segment, long header) {
        return segment.get(U16, header + CSUM_START) & 0xffff;
    }

    public static int csumOffset(MemorySegment segment, long header) {
        return segment.get(U16, header + CSUM_OFFSET) & 0xffff;
    }

    /** Writes an all-zero header (no offload asked, no GSO): what every plain transmitted frame carries. */
    public static void clear(MemorySegment segment, long header) {
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, header, 0L);
        segment.set(U16, header + 8, (short) 0);
    }

    /** flags | gso_type &lt;&lt; 8 | hdr_len &lt;&lt; 16: the compact copy kept in the Opaque.DRIVER slot. */
    public static int packed(MemorySegment segment, long header) {
        return flags(segment, header) | gsoType(segment, header) << 8 | hdrLen(segment, header) << 16;
    }

    public static int packedFlags(int packed) {
        return packed & 0xff;
    }

    public static int packedGsoType(int packed) {
        return (packed >>> 8) & 0xff;
    }

    public static int packedHdrLen(int packed) {
        return packed >>> 16;
    }
}
