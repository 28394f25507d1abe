package io.sluice.bench.robustness;

/**
 * Ethernet/IPv4 frames built on the heap for the fuzz test: the seed's packets and the field edits the mutator
 * makes (offsets are from the start of the Ethernet header; the IPv4 header starts at {@link #IP}).
 */
final class Frames {
    static final int IP = 14;
    static final int ETHERTYPE_IP4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;

    private Frames() {
    }

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int u16(byte[] b, int at) {
        return (u8(b, at) << 8) | u8(b, at + 1);
    }

    static int u32(byte[] b, int at) {
        return (u16(b, at) << 16) | u16(b, at + 2);
    }

    static void put16(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    static void put32(byte[] b, int at, int value) {
        put16(b, at, value >>> 16);
        put16(b, at + 2, value);
    }

    static void putMac(byte[] b, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            b[at + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    /** RFC 1071 one's complement sum of {@code length} bytes (not folded to 16 bits yet). */
    static long sum(byte[] b, int from, int length) {
        long acc = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            acc += u16(b, from + i);
        }
        if ((length & 1) != 0) {
            acc += u8(b, from + length - 1) << 8;
        }
        return acc;
    }

    static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** Rewrites the IPv4 header checksum for the header length the IHL claims, as far as the frame holds it. */
    static void fixIpChecksum(byte[] b) {
        if (b.length < IP + 20) {
            return;
        }
        int headerLength = Math.min((u8(b, IP) & 0x0f) * 4, b.length - IP);
        put16(b, IP + 10, 0);
        put16(b, IP + 10, ~fold(sum(b, IP, headerLength)) & 0xffff);
    }

    /** Rewrites the TCP, UDP or ICMP checksum over what the frame holds after the header. */
    static void fixL4Checksum(byte[] b) {
        if (b.length < IP + 20) {
            return;
        }
        int headerLength = (u8(b, IP) & 0x0f) * 4;
        int l4 = IP + headerLength;
        int l4Length = Math.min(u16(b, IP + 2), b.length - IP) - headerLength;
        int protocol = u8(b, IP + 9);
        int at = switch (protocol) {
            case 1 -> 2;
            case 6 -> 16;
            case 17 -> 6;
            default -> -1;
        };
        if (at < 0 || l4Length < at + 2 || l4 + l4Length > b.length) {
            return;
        }
        put16(b, l4 + at, 0);
        long acc = sum(b, l4, l4Length);
        if (protocol != 1) {
            acc += (u32(b, IP + 12) >>> 16) + (u32(b, IP + 12) & 0xffff) + (u32(b, IP + 16) >>> 16)
                    + (u32(b, IP + 16) & 0xffff) + protocol + l4Length;
        }
        put16(b, l4 + at, ~fold(acc) & 0xffff);
    }

    /** An Ethernet II frame carrying an IPv4 packet (no options) with {@code l4} as its payload, checksums set. */
    static byte[] ip4(long dstMac, long srcMac, int src, int dst, int protocol, int ttl, int flagsFragment,
                      byte[] l4) {
        byte[] b = new byte[IP + 20 + l4.length];
        putMac(b, 0, dstMac);
        putMac(b, 6, srcMac);
        put16(b, 12, ETHERTYPE_IP4);
        b[IP] = 0x45;
        put16(b, IP + 2, 20 + l4.length);
        put16(b, IP + 4, 0x1234);
        put16(b, IP + 6, flagsFragment);
        b[IP + 8] = (byte) ttl;
        b[IP + 9] = (byte) protocol;
        put32(b, IP + 12, src);
        put32(b, IP + 16, dst);
        System.arraycopy(l4, 0, b, IP + 20, l4.length);
        fixIpChecksum(b);
        fixL4Checksum(b);
        return b;
    }

    static byte[] tcp(int srcPort, int dstPort, int flags, int dataLength) {
        byte[] t = new byte[20 + dataLength];
        put16(t, 0, srcPort);
        put16(t, 2, dstPort);
        put32(t, 4, 0x01020304);
        put32(t, 8, flags == 0x12 ? 0x01020305 : 0);
        t[12] = 0x50;
        t[13] = (byte) flags;
        put16(t, 14, 64240);
        return t;
    }

    static byte[] udp(int srcPort, int dstPort, int dataLength) {
        byte[] u = new byte[8 + dataLength];
        put16(u, 0, srcPort);
        put16(u, 2, dstPort);
        put16(u, 4, 8 + dataLength);
        for (int i = 0; i < dataLength; i++) {
            u[8 + i] = (byte) ('a' + i % 26);
        }
        return u;
    }

    static byte[] icmpEcho(int type, int id, int seq, int dataLength) {
        byte[] e = new byte[8 + dataLength];
        e[0] = (byte) type;
        put16(e, 4, id);
        put16(e, 6, seq);
        return e;
    }

    /** An ICMP error (RFC 792) of {@code type}/{@code code} quoting {@code quotedIp} (an IPv4 header and more). */
    static byte[] icmpError(int type, int code, byte[] quotedIp) {
        byte[] e = new byte[8 + quotedIp.length];
        e[0] = (byte) type;
        e[1] = (byte) code;
        System.arraycopy(quotedIp, 0, e, 8, quotedIp.length);
        return e;
    }

    /** The IPv4 packet of an Ethernet frame (from its header on). */
    static byte[] ipPart(byte[] frame) {
        byte[] ip = new byte[frame.length - IP];
        System.arraycopy(frame, IP, ip, 0, ip.length);
        return ip;
    }

    /** An ARP request or reply (RFC 826) for IPv4 over Ethernet. */
    static byte[] arp(long dstMac, long srcMac, int operation, long senderMac, int senderIp, long targetMac,
                      int targetIp) {
        byte[] b = new byte[60];
        putMac(b, 0, dstMac);
        putMac(b, 6, srcMac);
        put16(b, 12, ETHERTYPE_ARP);
        put16(b, 14, 1);
        put16(b, 16, ETHERTYPE_IP4);
        b[18] = 6;
        b[19] = 4;
        put16(b, 20, operation);
        putMac(b, 22, senderMac);
        put32(b, 28, senderIp);
        putMac(b, 32, targetMac);
        put32(b, 38, targetIp);
        return b;
    }

    static String hex(byte[] b) {
        StringBuilder out = new StringBuilder(b.length * 2);
        for (byte x : b) {
            out.append(Character.forDigit((x >>> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return out.toString();
    }
}
