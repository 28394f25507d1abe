package io.sluice.packet.api;

import java.lang.foreign.MemorySegment;

/**
 * Ethernet II header (IEEE 802.3 clause 3.2, with the EtherType of RFC 894), optionally followed by
 * IEEE 802.1Q VLAN tags (TPID 0x8100) or an IEEE 802.1ad service tag (TPID 0x88a8).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  destination MAC (48 bits)                    |  0
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     source MAC (48 bits)      +
 *  |                                                               |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     EtherType or TPID         |  with a tag: PCP|D| VLAN id   | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  with a tag: inner EtherType  |                                 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>MAC addresses travel as {@code long} values holding the 48 bits in wire order (the first byte on the
 * wire is bits 47..40), so {@code 08:00:27:44:9f:d8} is {@code 0x080027449fd8L}. Static accessors take
 * the segment and the offset of the header's first byte; none allocates.
 */
public final class Ethernet {

    public static final int DST = 0;
    public static final int SRC = 6;
    public static final int ETHERTYPE = 12;
    public static final int HEADER_LENGTH = 14;

    /** An 802.1Q/802.1ad tag: TCI (priority, drop eligible, VLAN id), then the next EtherType. */
    public static final int VLAN_TAG_LENGTH = 4;
    /** Offset of the first tag's TCI when {@link #ETHERTYPE} holds a TPID. */
    public static final int VLAN_TCI = 14;
    /** Offset of the EtherType after the first tag. */
    public static final int VLAN_INNER_ETHERTYPE = 16;

    public static final int TYPE_IP4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_IP6 = 0x86dd;
    public static final int TYPE_DOT1AD = 0x88a8;

    public static final long BROADCAST = 0xffff_ffff_ffffL;
    public static final int MAC_LENGTH = 6;

    /** How many tags {@link #l3Offset} and {@link #l3EtherType} step over: QinQ at most, as VPP does. */
    public static final int MAX_VLAN_TAGS = 2;

    private Ethernet() {
    }

    public static long dst(MemorySegment seg, long off) {
        return NetworkOrder.u48(seg, off + DST);
    }

    public static void setDst(MemorySegment seg, long off, long mac) {
        NetworkOrder.setU48(seg, off + DST, mac);
    }

    public static long src(MemorySegment seg, long off) {
        return NetworkOrder.u48(seg, off + SRC);
    }

    public static void setSrc(MemorySegment seg, long off, long mac) {
        NetworkOrder.setU48(seg, off + SRC, mac);
    }

    /** Copies a 6-byte MAC address between two places (segments may be the same). */
    public static void copyMac(MemorySegment from, long fromOff, MemorySegment to, long toOff) {
        MemorySegment.copy(from, fromOff, to, toOff, MAC_LENGTH);
    }

    /** The EtherType field at offset 12: a TPID when the frame is tagged. */
    public static int etherType(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + ETHERTYPE);
    }

    public static void setEtherType(MemorySegment seg, long off, int type) {
        NetworkOrder.setU16(seg, off + ETHERTYPE, type);
    }

    /** True for the tag protocol identifiers of IEEE 802.1Q (0x8100) and 802.1ad (0x88a8). */
    public static boolean isVlanTpid(int etherType) {
        return etherType == TYPE_VLAN || etherType == TYPE_DOT1AD;
    }

    public static boolean isTagged(MemorySegment seg, long off) {
        return isVlanTpid(etherType(seg, off));
    }

    /** The first tag's TCI; meaningful only when {@link #isTagged}. */
    public static int vlanTci(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + VLAN_TCI);
    }

    /** The first tag's 12-bit VLAN id; meaningful only when {@link #isTagged}. */
    public static int vlanId(MemorySegment seg, long off) {
        return vlanTci(seg, off) & 0x0fff;
    }

    /** The first tag's 3-bit priority code point (IEEE 802.1p); meaningful only when {@link #isTagged}. */
    public static int vlanPriority(MemorySegment seg, long off) {
        return vlanTci(seg, off) >>> 13;
    }

    /** The EtherType after the first tag; meaningful only when {@link #isTagged}. */
    public static int innerEtherType(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + VLAN_INNER_ETHERTYPE);
    }

    /** The number of VLAN tags before the payload, up to {@link #MAX_VLAN_TAGS}. */
    public static int vlanTagCount(MemorySegment seg, long off) {
        int tags = 0;
        long typeOff = off + ETHERTYPE;
        while (tags < MAX_VLAN_TAGS && isVlanTpid(NetworkOrder.u16(seg, typeOff))) {
            tags++;
            typeOff += VLAN_TAG_LENGTH;
        }
        return tags;
    }

    /** The EtherType of the payload, after up to {@link #MAX_VLAN_TAGS} tags. */
    public static int l3EtherType(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + ETHERTYPE + (long) VLAN_TAG_LENGTH * vlanTagCount(seg, off));
    }

    /** Bytes from the header's start to the payload: 14, 18 or 22. */
    public static int l3Offset(MemorySegment seg, long off) {
        return HEADER_LENGTH + VLAN_TAG_LENGTH * vlanTagCount(seg, off);
    }
}
