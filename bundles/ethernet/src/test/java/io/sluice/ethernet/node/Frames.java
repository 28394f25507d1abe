package io.sluice.ethernet.node;

import java.nio.ByteBuffer;

/** Test frames built field by field. */
final class Frames {
    private Frames() {
    }

    static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
    }

    static byte[] ethernet(long dst, long src, int type, int payloadLength) {
        ByteBuffer b = ByteBuffer.allocate(14 + payloadLength);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) type);
        return b.array();
    }

    /** An ARP packet (RFC 826) in an Ethernet frame. */
    static byte[] arp(long ethDst, long ethSrc, int op, long senderMac, int senderIp, long targetMac, int targetIp) {
        ByteBuffer b = ByteBuffer.allocate(42);
        putMac(b, ethDst);
        putMac(b, ethSrc);
        b.putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        putMac(b, senderMac);
        b.putInt(senderIp);
        putMac(b, targetMac);
        b.putInt(targetIp);
        return b.array();
    }
}
