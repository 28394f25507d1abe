package io.sluice.packet.api;

import java.lang.foreign.MemorySegment;

/**
 * ARP packet for IPv4 over Ethernet (RFC 826), the only kind the gateway resolves.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   hardware type (1 = Ethernet)|  protocol type (0x0800)       |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | hw addr len 6 | proto len 4   |  opcode (1 request, 2 reply)  |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              sender hardware address (SHA, 48 bits)           |  8
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               | sender protocol address (SPA) | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |   (SPA, low 16 bits)          | target hardware address (THA) | 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+       48 bits                 +
 *  |                                                               | 20
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              target protocol address (TPA, 32 bits)           | 24
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>MACs are 48-bit {@code long}s and IPv4 addresses {@code int}s, both in wire order (see {@link Ethernet}).
 */
public final class Arp {

    public static final int HARDWARE_TYPE = 0;
    public static final int PROTOCOL_TYPE = 2;
    public static final int HARDWARE_LENGTH = 4;
    public static final int PROTOCOL_LENGTH = 5;
    public static final int OPCODE = 6;
    public static final int SENDER_MAC = 8;
    public static final int SENDER_IP = 14;
    public static final int TARGET_MAC = 18;
    public static final int TARGET_IP = 24;
    public static final int LENGTH = 28;

    /** ARP hardware type for Ethernet (IANA "Hardware Types"). */
    public static final int HARDWARE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    private Arp() {
    }

    public static int hardwareType(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + HARDWARE_TYPE);
    }

    public static int protocolType(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + PROTOCOL_TYPE);
    }

    public static int hardwareLength(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + HARDWARE_LENGTH);
    }

    public static int protocolLength(MemorySegment seg, long off) {
        return NetworkOrder.u8(seg, off + PROTOCOL_LENGTH);
    }

    public static int opcode(MemorySegment seg, long off) {
        return NetworkOrder.u16(seg, off + OPCODE);
    }

    /** True when the packet is the Ethernet/IPv4 kind this flyweight's address fields describe. */
    public static boolean isEthernetIp4(MemorySegment seg, long off) {
        return hardwareType(seg, off) == HARDWARE_ETHERNET
                && protocolType(seg, off) == Ethernet.TYPE_IP4
                && hardwareLength(seg, off) == Ethernet.MAC_LENGTH
                && protocolLength(seg, off) == 4;
    }

    public static long senderMac(MemorySegment seg, long off) {
        return NetworkOrder.u48(seg, off + SENDER_MAC);
    }

    public static int senderIp(MemorySegment seg, long off) {
        return NetworkOrder.u32(seg, off + SENDER_IP);
    }

    public static long targetMac(MemorySegment seg, long off) {
        return NetworkOrder.u48(seg, off + TARGET_MAC);
    }

    public static int targetIp(MemorySegment seg, long off) {
        return NetworkOrder.u32(seg, off + TARGET_IP);
    }

    /** Writes the fixed Ethernet/IPv4 preamble: hardware type, protocol type, lengths 6/4, and the opcode. */
    public static void setEthernetIp4(MemorySegment seg, long off, int opcode) {
        NetworkOrder.setU16(seg, off + HARDWARE_TYPE, HARDWARE_ETHERNET);
        NetworkOrder.setU16(seg, off + PROTOCOL_TYPE, Ethernet.TYPE_IP4);
        NetworkOrder.setU8(seg, off + HARDWARE_LENGTH, Ethernet.MAC_LENGTH);
        NetworkOrder.setU8(seg, off + PROTOCOL_LENGTH, 4);
        NetworkOrder.setU16(seg, off + OPCODE, opcode);
    }

    public static void setOpcode(MemorySegment seg, long off, int opcode) {
        NetworkOrder.setU16(seg, off + OPCODE, opcode);
    }

    public static void setSenderMac(MemorySegment seg, long off, long mac) {
        NetworkOrder.setU48(seg, off + SENDER_MAC, mac);
    }

    public static void setSenderIp(MemorySegment seg, long off, int ip) {
        NetworkOrder.setU32(seg, off + SENDER_IP, ip);
    }

    public static void setTargetMac(MemorySegment seg, long off, long mac) {
        NetworkOrder.setU48(seg, off + TARGET_MAC, mac);
    }

    public static void setTargetIp(MemorySegment seg, long off, int ip) {
        NetworkOrder.setU32(seg, off + TARGET_IP, ip);
    }
}
