package io.sluice.acl.internal;

import io.sluice.packet.api.PacketFormat;

/** Ethernet + IPv4 frames for the ACL tests, with the seed's packets among them. */
final class TestPackets {
    static final int POD_IP = 0x0a010103;          // 10.1.1.3
    static final int SERVER_IP = 0x1f866133;       // 31.134.97.51
    static final int NODE_IP = 0xc0a81001;         // 192.168.16.1
    static final int POD_PORT = 41084;
    static final int NAT_PORT = 25801;

    /** The seed's SYN after ip4-rewrite (its hex dump shows 60 of 74 bytes; the rest are TCP options). */
    static byte[] seedSynRewritten() {
        byte[] frame = new byte[74];
        byte[] shown = PacketFormat.parseHex("08002702a536080027449fd808004500003c7dab40003f0632540a0101031f86"
                + "6133a07c0050940482c000000000a002721091d00000020405b40402");
        System.arraycopy(shown, 0, frame, 0, shown.length);
        byte[] tail = PacketFormat.parseHex("080a0000000000000000" + "01030307");
        System.arraycopy(tail, 0, frame, 60, tail.length);
        return frame;
    }

    /** The seed's SYN as the pod sent it: the same IPv4 packet with TTL 64 (the ACL reads no TTL). */
    static byte[] seedSynFromPod() {
        byte[] frame = seedSynRewritten();
        frame[14 + 8] = 64;
        return frame;
    }

    /** The seed's SYN-ACK as it arrived on the GbE port, before NAT. */
    static byte[] seedSynAckFromServer() {
        return PacketFormat.parseHex("080027449fd8" + "08002702a536" + "0800"
                + "4500002c" + "06d00000" + "3f06239a" + "1f866133" + "c0a81001"
                + "005064c9" + "c9a75001" + "940482c1" + "6012ffff" + "b12b0000" + "020405b4" + "0000");
    }

    /** The seed's SYN-ACK after NAT and ip4-rewrite, towards tap2. */
    static byte[] seedSynAckToPod() {
        return PacketFormat.parseHex("00000000000202fe163f5f0f08004500002c06d000003e06ea3f1f8661330a01"
                + "01030050a07cc9a75001940482c16012ffff3b1e0000020405b40000");
    }

    static byte[] tcp(int src, int sport, int dst, int dport, int flags) {
        byte[] frame = ip(src, dst, 6, 20);
        int l4 = 34;
        put16(frame, l4, sport);
        put16(frame, l4 + 2, dport);
        frame[l4 + 12] = 0x50;
        frame[l4 + 13] = (byte) flags;
        return frame;
    }

    static byte[] udp(int src, int sport, int dst, int dport) {
        byte[] frame = ip(src, dst, 17, 8);
        put16(frame, 34, sport);
        put16(frame, 36, dport);
        put16(frame, 38, 8);
        return frame;
    }

    static byte[] icmp(int src, int dst, int type, int code, int id) {
        byte[] frame = ip(src, dst, 1, 8);
        frame[34] = (byte) type;
        frame[35] = (byte) code;
        put16(frame, 38, id);
        return frame;
    }

    /**
     * An ICMP error from {@code src} to {@code dst} quoting {@code offending} (a frame from this class: its IPv4
     * header and the 8 bytes after it, as RFC 792 asks).
     */
    static byte[] icmpError(int src, int dst, int type, int code, byte[] offending) {
        int quoted = 20 + 8;
        byte[] frame = ip(src, dst, 1, 8 + quoted);
        frame[34] = (byte) type;
        frame[35] = (byte) code;
        System.arraycopy(offending, 14, frame, 42, quoted);
        return frame;
    }

    /** Ethernet header, IPv4 header without options, {@code payload} zero bytes of L4. */
    private static byte[] ip(int src, int dst, int protocol, int payload) {
        byte[] frame = new byte[34 + payload];
        frame[12] = 0x08;
        frame[14] = 0x45;
        put16(frame, 16, 20 + payload);
        frame[22] = 64;
        frame[23] = (byte) protocol;
        put32(frame, 26, src);
        put32(frame, 30, dst);
        return frame;
    }

    static void put16(byte[] frame, int at, int value) {
        frame[at] = (byte) (value >>> 8);
        frame[at + 1] = (byte) value;
    }

    static void put32(byte[] frame, int at, int value) {
        put16(frame, at, value >>> 16);
        put16(frame, at + 2, value);
    }

    private TestPackets() {
    }
}
