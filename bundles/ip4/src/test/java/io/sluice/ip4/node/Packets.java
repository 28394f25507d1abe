package io.sluice.ip4.node;

import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PacketFormat;
import io.sluice.packet.api.Tcp;
import io.sluice.packet.api.Udp;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** Test packets: the seed's SYN and hand-built IPv4 frames, with an independent bytewise checksum. */
final class Packets {
    static final int ICMP = 1;
    static final int TCP = 6;
    static final int UDP = 17;

    private Packets() {
    }

    /**
     * A packet from the internet to {@code dst}: TCP to port {@code port} (a SYN-ACK), UDP to it, or an ICMP echo
     * reply with identifier {@code port}, with whole checksums computed here byte by byte, on the GbE's MACs.
     */
    static byte[] fromServer(int src, int dst, int protocol, int port, int ttl) {
        return fromServer(src, dst, protocol, port, ttl, 12);
    }

    static byte[] fromServer(int src, int dst, int protocol, int port, int ttl, int dataLength) {
        byte[] l4 = switch (protocol) {
            case TCP -> {
                ByteBuffer b = ByteBuffer.allocate(20 + dataLength);
                b.putShort((short) 443).putShort((short) port).putInt(0x01020304).putInt(0x0a0b0c0d);
                b.put((byte) 0x50).put((byte) 0x12).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
                yield b.array();
            }
            case UDP -> {
                ByteBuffer b = ByteBuffer.allocate(8 + dataLength);
                b.putShort((short) 53).putShort((short) port).putShort((short) (8 + dataLength)).putShort((short) 0);
                yield b.array();
            }
            default -> {
                byte[] echo = echoRequest(port, 7, dataLength);
                echo[0] = 0; // echo reply
                int checksum = ~sum(echo, 0, echo.length, 0) & 0xffff;
                echo[2] = (byte) (checksum >>> 8);
                echo[3] = (byte) checksum;
                yield echo;
            }
        };
        for (int i = protocol == TCP ? 20 : 8; i < l4.length; i++) {
            l4[i] = (byte) (i * 7);
        }
        byte[] frame = ip4(SeedBox.GBE_MAC, SeedBox.GATEWAY_MAC, src, dst, protocol, ttl, 0x4000, l4);
        if (protocol != ICMP) {
            int pseudo = sum(frame, 14 + 12, 8, 0) + protocol + l4.length;
            int at = 34 + (protocol == TCP ? 16 : 6);
            int checksum = ~sum(frame, 34, l4.length, pseudo) & 0xffff;
            frame[at] = (byte) (checksum >>> 8);
            frame[at + 1] = (byte) checksum;
        }
        return frame;
    }

    /** {@code frame} as nat44-out2in leaves it: destination address and port (or echo identifier) rewritten. */
    static byte[] out2In(byte[] frame, int address, int port) {
        byte[] copy = frame.clone();
        MemorySegment seg = MemorySegment.ofArray(copy);
        int protocol = copy[23];
        Ipv4.rewriteDst(seg, 14, 34, protocol, address);
        switch (protocol) {
            case TCP -> Tcp.rewriteDstPort(seg, 34, port);
            case UDP -> Udp.rewriteDstPort(seg, 34, port);
            default -> Icmp.rewriteEchoId(seg, 34, copy.length - 34, port);
        }
        return copy;
    }

    /** The seed's ip4-rewrite dump of the SYN: the first 60 of its 74 bytes after the rewrite. */
    static final String SYN_REWRITE_DUMP =
            "08002702a536080027449fd808004500003c7dab40003f0632540a0101031f86"
                    + "6133a07c0050940482c000000000a002721091d00000020405b40402";

    /** RFC 1071 sum of 16-bit big-endian words, a byte at a time: independent of the code under test. */
    static int sum(byte[] bytes, int from, int length, int initial) {
        long s = initial;
        for (int i = 0; i < length; i += 2) {
            int hi = bytes[from + i] & 0xff;
            int lo = i + 1 < length ? bytes[from + i + 1] & 0xff : 0;
            s += (hi << 8) | lo;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** The TCP checksum sum over pseudo-header and segment of the IPv4 packet at {@code ip} in a frame. */
    static int tcpSum(byte[] frame, int ip) {
        int headerLength = (frame[ip] & 0x0f) * 4;
        int total = ((frame[ip + 2] & 0xff) << 8) | (frame[ip + 3] & 0xff);
        int tcpLength = total - headerLength;
        int pseudo = sum(frame, ip + 12, 8, 0) + 6 + tcpLength;
        return sum(frame, ip + headerLength, tcpLength, pseudo);
    }

    /**
     * The SYN the pod sent (74 bytes), rebuilt from the seed: the dump's bytes 0..59 with the pod-side L2
     * header, TTL 64 and checksum 0x3154 put back; bytes 60..73 finish the options Linux sends in a SYN (MSS
     * 1460, SACK permitted, timestamps, NOP, window scale 7; RFC 7323 section 3.2 layout). The seed does not show
     * the timestamp value: its high 16 bits are solved so that the seed's TCP checksum 0x91d0 holds.
     */
    static byte[] seedSyn() {
        byte[] frame = new byte[74];
        byte[] shown = PacketFormat.parseHex(SYN_REWRITE_DUMP);
        System.arraycopy(shown, 0, frame, 0, shown.length);
        byte[] tail = PacketFormat.parseHex("080a" + "00000000" + "00000000" + "01" + "030307");
        System.arraycopy(tail, 0, frame, 60, tail.length);
        putMac(frame, 0, SeedBox.TAP2_MAC);
        putMac(frame, 6, SeedBox.POD_MAC);
        frame[14 + 8] = 64;
        frame[14 + 10] = 0x31;
        frame[14 + 11] = 0x54;
        int tsValHigh = 0xffff - tcpSum(frame, 14);
        frame[62] = (byte) (tsValHigh >>> 8);
        frame[63] = (byte) tsValHigh;
        return frame;
    }

    static void putMac(byte[] frame, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            frame[at + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    /** An Ethernet frame with an IPv4 packet of {@code payload} bytes after a 20-byte header, checksum right. */
    static byte[] ip4(long dstMac, long srcMac, int src, int dst, int protocol, int ttl, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + payload.length);
        b.putShort((short) (dstMac >>> 32)).putInt((int) dstMac);
        b.putShort((short) (srcMac >>> 32)).putInt((int) srcMac);
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length));
        b.putShort((short) 0x1234).putShort((short) flags);
        b.put((byte) ttl).put((byte) protocol).putShort((short) 0);
        b.putInt(src).putInt(dst);
        b.put(payload);
        byte[] frame = b.array();
        int checksum = ~sum(frame, 14, 20, 0) & 0xffff;
        frame[24] = (byte) (checksum >>> 8);
        frame[25] = (byte) checksum;
        return frame;
    }

    /** An ICMP echo request body (RFC 792) with its checksum. */
    static byte[] echoRequest(int id, int seq, int dataLength) {
        byte[] icmp = new byte[8 + dataLength];
        icmp[0] = 8;
        icmp[4] = (byte) (id >>> 8);
        icmp[5] = (byte) id;
        icmp[6] = (byte) (seq >>> 8);
        icmp[7] = (byte) seq;
        for (int i = 8; i < icmp.length; i++) {
            icmp[i] = (byte) i;
        }
        int checksum = ~sum(icmp, 0, icmp.length, 0) & 0xffff;
        icmp[2] = (byte) (checksum >>> 8);
        icmp[3] = (byte) checksum;
        return icmp;
    }

    static byte[] udp(int srcPort, int dstPort, int dataLength) {
        ByteBuffer b = ByteBuffer.allocate(8 + dataLength);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + dataLength)).putShort((short) 0);
        return b.array();
    }
}
