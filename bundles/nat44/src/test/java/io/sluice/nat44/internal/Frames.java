package io.sluice.nat44.internal;

import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PacketFormat;
import io.sluice.packet.api.Tcp;
import io.sluice.packet.api.Udp;

import java.lang.foreign.MemorySegment;

/** Builds and reads test frames: Ethernet + IPv4 + TCP/UDP/ICMP with correct checksums. */
final class Frames {
    static final int ETH = 14;

    private Frames() {
    }

    static int ip(String dotted) {
        return PacketFormat.parseIp4(dotted);
    }

    static byte[] udp(String src, int sport, String dst, int dport, int payload, boolean checksum) {
        byte[] f = ipv4(Ipv4.PROTOCOL_UDP, src, dst, Udp.HEADER_LENGTH + payload);
        MemorySegment s = MemorySegment.ofArray(f);
        Udp.setSrcPort(s, ETH + 20, sport);
        Udp.setDstPort(s, ETH + 20, dport);
        Udp.setLength(s, ETH + 20, Udp.HEADER_LENGTH + payload);
        for (int i = 0; i < payload; i++) {
            f[ETH + 28 + i] = (byte) (i * 7 + 1);
        }
        if (checksum) {
            Checksum.setUdpChecksum(s, ETH);
        }
        return f;
    }

    static byte[] tcp(String src, int sport, String dst, int dport, int flags) {
        byte[] f = ipv4(Ipv4.PROTOCOL_TCP, src, dst, Tcp.MIN_HEADER_LENGTH);
        MemorySegment s = MemorySegment.ofArray(f);
        Tcp.setSrcPort(s, ETH + 20, sport);
        Tcp.setDstPort(s, ETH + 20, dport);
        Tcp.setSeq(s, ETH + 20, 0x12345678);
        Tcp.setDataOffset(s, ETH + 20, 5);
        Tcp.setFlags(s, ETH + 20, flags);
        Tcp.setWindow(s, ETH + 20, 29200);
        Checksum.setTcpChecksum(s, ETH);
        return f;
    }

    static byte[] echo(String src, String dst, int type, int id, int seq) {
        byte[] f = ipv4(Ipv4.PROTOCOL_ICMP, src, dst, 16);
        MemorySegment s = MemorySegment.ofArray(f);
        Icmp.setType(s, ETH + 20, type);
        Icmp.setEchoId(s, ETH + 20, id);
        Icmp.setEchoSeq(s, ETH + 20, seq);
        Icmp.setChecksum(s, ETH + 20, Icmp.computeChecksum(s, ETH + 20, 16));
        return f;
    }

    /** An ICMP error from {@code src} to {@code dst} quoting the IP packet of {@code quoted} (a frame). */
    static byte[] icmpError(String src, String dst, int type, int code, byte[] quoted, int quoteBytes) {
        byte[] f = ipv4(Ipv4.PROTOCOL_ICMP, src, dst, 8 + quoteBytes);
        MemorySegment s = MemorySegment.ofArray(f);
        Icmp.setType(s, ETH + 20, type);
        Icmp.setCode(s, ETH + 20, code);
        System.arraycopy(quoted, ETH, f, ETH + 28, quoteBytes);
        Icmp.setChecksum(s, ETH + 20, Icmp.computeChecksum(s, ETH + 20, 8 + quoteBytes));
        return f;
    }

    static byte[] ipv4(int protocol, String src, String dst, int l4Length) {
        byte[] f = new byte[ETH + 20 + l4Length];
        MemorySegment s = MemorySegment.ofArray(f);
        s.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 12, (short) 0x0800);
        Ipv4.setVersionAndIhl(s, ETH, Ipv4.VERSION_IHL_NO_OPTIONS);
        Ipv4.setTotalLength(s, ETH, 20 + l4Length);
        Ipv4.setId(s, ETH, 0x1234);
        Ipv4.setTtl(s, ETH, 63);
        Ipv4.setProtocol(s, ETH, protocol);
        Ipv4.setSrc(s, ETH, ip(src));
        Ipv4.setDst(s, ETH, ip(dst));
        Checksum.setIp4HeaderChecksum(s, ETH);
        return f;
    }

    /** A captured packet's IPv4 header offset: captures from the unicast arc start at IP, others at Ethernet. */
    static MemorySegment seg(byte[] bytes) {
        return MemorySegment.ofArray(bytes);
    }

    static boolean checksumsValid(MemorySegment s, long ip) {
        if (!Checksum.ip4HeaderChecksumValid(s, ip)) {
            return false;
        }
        return switch (Ipv4.protocol(s, ip)) {
            case Ipv4.PROTOCOL_TCP -> Checksum.tcpChecksumValid(s, ip);
            case Ipv4.PROTOCOL_UDP -> Checksum.udpChecksumValid(s, ip);
            case Ipv4.PROTOCOL_ICMP -> Icmp.checksumValid(s, ip + Ipv4.headerLength(s, ip),
                    Ipv4.totalLength(s, ip) - Ipv4.headerLength(s, ip));
            default -> true;
        };
    }
}
