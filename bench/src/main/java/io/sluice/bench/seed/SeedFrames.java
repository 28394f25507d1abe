package io.sluice.bench.seed;

import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Tcp;

import java.lang.foreign.MemorySegment;

/**
 * The seed's 64-byte TCP frames (60 bytes and the FCS the wire adds): Ethernet, IPv4 without options (total length
 * 46), TCP without options, 6 bytes of payload; both checksums right. Requests go from the pod (10.1.1.3) to the
 * server 31.134.97.51:80 in seed/POD_TO_INTERNET.md, replies from the server to the node address and the port
 * NAT44 gave the flow.
 */
final class SeedFrames {
    static final int LENGTH = 60;
    static final int IP_HEADER = 20;
    static final int SERVER_IP = 0x1f866133;    // 31.134.97.51
    static final int SERVER_PORT = 80;

    private SeedFrames() {
    }

    /** A request of the pod's flow from {@code podPort} with TCP flags {@code flags}, as tap2 receives it. */
    static void request(MemorySegment seg, long off, int podPort, int flags) {
        write(seg, off, SeedGraph.TAP2_MAC, SeedGraph.POD_MAC, 64, SeedGraph.POD_IP, SERVER_IP, podPort, SERVER_PORT, flags);
    }

    /** The server's reply to NAT44's {@code natPort} with TCP flags {@code flags}, as the GbE receives it. */
    static void reply(MemorySegment seg, long off, int natPort, int flags) {
        write(seg, off, SeedGraph.GBE_MAC, SeedGraph.GATEWAY_MAC, 63, SERVER_IP, SeedGraph.NODE_IP, SERVER_PORT, natPort,
                flags);
    }

    private static void write(MemorySegment seg, long off, long dstMac, long srcMac, int ttl, int src, int dst,
                              int srcPort, int dstPort, int flags) {
        seg.asSlice(off, LENGTH).fill((byte) 0);
        Ethernet.setDst(seg, off, dstMac);
        Ethernet.setSrc(seg, off, srcMac);
        Ethernet.setEtherType(seg, off, Ethernet.TYPE_IP4);
        long ip = off + Ethernet.HEADER_LENGTH;
        Ipv4.setVersionAndIhl(seg, ip, Ipv4.VERSION_IHL_NO_OPTIONS);
        Ipv4.setTotalLength(seg, ip, LENGTH - Ethernet.HEADER_LENGTH);
        Ipv4.setFlagsAndFragmentOffset(seg, ip, Ipv4.FLAG_DONT_FRAGMENT);
        Ipv4.setTtl(seg, ip, ttl);
        Ipv4.setProtocol(seg, ip, Ipv4.PROTOCOL_TCP);
        Ipv4.setSrc(seg, ip, src);
        Ipv4.setDst(seg, ip, dst);
        Checksum.setIp4HeaderChecksum(seg, ip);
        long tcp = ip + IP_HEADER;
        Tcp.setSrcPort(seg, tcp, srcPort);
        Tcp.setDstPort(seg, tcp, dstPort);
        Tcp.setDataOffset(seg, tcp, 5);
        Tcp.setFlags(seg, tcp, flags);
        Checksum.setTcpChecksum(seg, ip);
    }
}
