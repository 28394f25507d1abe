package io.sluice.nat44.internal;

import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.Tcp;
import io.sluice.packet.api.Udp;

import java.lang.foreign.MemorySegment;

/**
 * Reading NAT keys out of IPv4 packets and rewriting them, with checksums patched incrementally (RFC 1624).
 * The outer header is not parsed here: the nodes pass the L4 header and protocol ip4-input recorded in the
 * buffer's metadata (the quoted packet of an ICMP error is parsed, as nothing recorded it):
 * the IPv4 header checksum and the TCP/UDP pseudo-header part by {@link Ipv4#rewriteSrc}/{@link Ipv4#rewriteDst},
 * the port or ICMP echo identifier by the header's own rewrite. A UDP checksum of 0 stays 0 (RFC 768).
 * ICMP error messages carry the packet that caused them; RFC 5508 section 4.2 (REQ-4) asks the NAT to
 * translate that embedded packet too, which {@link #translateEmbedded} does.
 */
final class Nat44Packets {

    /** An ICMP error must quote at least the IPv4 header and 8 bytes of its payload (RFC 792). */
    static final int MIN_EMBEDDED = Ipv4.MIN_HEADER_LENGTH + 8;

    private Nat44Packets() {
    }

    /** From {@link #sourcePort} and {@link #destinationPort}: the header NAT reads and rewrites is cut short. */
    static final int TRUNCATED = -3;

    /**
     * The port that identifies the sending endpoint: TCP/UDP source port, the identifier of an ICMP echo
     * request or reply; -1 for an ICMP error or another ICMP type, -2 for any other protocol, {@link #TRUNCATED}
     * when the packet ends before the end of the header NAT rewrites (TCP 20 bytes, UDP and ICMP 8: ip4-input's
     * L4_VALID vouches for the ports only, and the checksum lies after them). {@code l4} is the L4 header
     * ip4-input recorded ({@code BufferPool.l4Header}) of the packet at {@code ip}, not a later fragment.
     */
    static int sourcePort(MemorySegment seg, long ip, long l4, int protocol) {
        if (truncated(seg, ip, l4, protocol)) {
            return TRUNCATED;
        }
        return switch (protocol) {
            case Ipv4.PROTOCOL_TCP, Ipv4.PROTOCOL_UDP -> NetworkOrder.u16(seg, l4);
            case Ipv4.PROTOCOL_ICMP -> Icmp.isEcho(Icmp.type(seg, l4)) ? Icmp.echoId(seg, l4) : -1;
            default -> -2;
        };
    }

    /** As {@link #sourcePort} for the receiving endpoint: the destination port, or the echo identifier. */
    static int destinationPort(MemorySegment seg, long ip, long l4, int protocol) {
        if (truncated(seg, ip, l4, protocol)) {
            return TRUNCATED;
        }
        return switch (protocol) {
            case Ipv4.PROTOCOL_TCP, Ipv4.PROTOCOL_UDP -> NetworkOrder.u16(seg, l4 + 2);
            case Ipv4.PROTOCOL_ICMP -> Icmp.isEcho(Icmp.type(seg, l4)) ? Icmp.echoId(seg, l4) : -1;
            default -> -2;
        };
    }

    /**
     * The remote endpoint's port of a packet going out (in2out), the other half of its session's 5-tuple: the
     * destination port, or 0 for an ICMP echo (its identifier is the inside endpoint's). Only after
     * {@link #sourcePort} gave a port.
     */
    static int remotePortOut(MemorySegment seg, long l4, int protocol) {
        return protocol == Ipv4.PROTOCOL_ICMP ? 0 : NetworkOrder.u16(seg, l4 + 2);
    }

    /** As {@link #remotePortOut} for a packet coming in (out2in): the source port, or 0 for an ICMP echo. */
    static int remotePortIn(MemorySegment seg, long l4, int protocol) {
        return protocol == Ipv4.PROTOCOL_ICMP ? 0 : NetworkOrder.u16(seg, l4);
    }

    /** Whether the packet's total length ends before the whole TCP, UDP or ICMP header NAT rewrites. */
    private static boolean truncated(MemorySegment seg, long ip, long l4, int protocol) {
        int needed = switch (protocol) {
            case Ipv4.PROTOCOL_TCP -> Tcp.MIN_HEADER_LENGTH;
            case Ipv4.PROTOCOL_UDP -> Udp.HEADER_LENGTH;
            case Ipv4.PROTOCOL_ICMP -> Icmp.HEADER_LENGTH;
            default -> 0;
        };
        return Ipv4.totalLength(seg, ip) - (int) (l4 - ip) < needed;
    }

    /** Source NAT: the source address and port (or echo identifier) become {@code address}:{@code port}. */
    static void rewriteSource(MemorySegment seg, long ip, long l4, int protocol, int address, int port) {
        Ipv4.rewriteSrc(seg, ip, l4, protocol, address);
        switch (protocol) {
            case Ipv4.PROTOCOL_TCP -> Tcp.rewriteSrcPort(seg, l4, port);
            case Ipv4.PROTOCOL_UDP -> Udp.rewriteSrcPort(seg, l4, port);
            case Ipv4.PROTOCOL_ICMP -> Icmp.rewriteEchoId(seg, l4, Ipv4.totalLength(seg, ip) - (int) (l4 - ip), port);
            default -> {
            }
        }
    }

    /** Destination NAT: the destination address and port (or echo identifier) become {@code address}:{@code port}. */
    static void rewriteDestination(MemorySegment seg, long ip, long l4, int protocol, int address, int port) {
        Ipv4.rewriteDst(seg, ip, l4, protocol, address);
        switch (protocol) {
            case Ipv4.PROTOCOL_TCP -> Tcp.rewriteDstPort(seg, l4, port);
            case Ipv4.PROTOCOL_UDP -> Udp.rewriteDstPort(seg, l4, port);
            case Ipv4.PROTOCOL_ICMP -> Icmp.rewriteEchoId(seg, l4, Ipv4.totalLength(seg, ip) - (int) (l4 - ip), port);
            default -> {
            }
        }
    }

    /** The TCP flags of a TCP packet, 0 for other protocols or later fragments. */
    static int tcpFlags(MemorySegment seg, long l4, int protocol) {
        return protocol == Ipv4.PROTOCOL_TCP ? Tcp.flags(seg, l4) : 0;
    }

    /**
     * Offset of the quoted IPv4 header of an ICMP error at {@code ip} (its ICMP header at {@code icmp}), or -1
     * when the message is malformed: outside the {@code available} bytes, too short to quote a header and 8
     * bytes, a bad ICMP checksum, or quoting something other than TCP, UDP or an ICMP echo.
     */
    static long embeddedHeader(MemorySegment seg, long ip, long icmp, int available) {
        int headerLength = (int) (icmp - ip);
        int total = Ipv4.totalLength(seg, ip);
        if (total > available || total < headerLength + Icmp.HEADER_LENGTH + MIN_EMBEDDED) {
            return -1;
        }
        if (!Icmp.checksumValid(seg, icmp, total - headerLength)) {
            return -1;
        }
        long inner = Icmp.embeddedIpOffset(icmp);
        int innerHeaderLength = Ipv4.headerLength(seg, inner);
        if (Ipv4.version(seg, inner) != 4 || innerHeaderLength < Ipv4.MIN_HEADER_LENGTH
                || inner + innerHeaderLength + 8 > ip + total) {
            return -1;
        }
        int protocol = Ipv4.protocol(seg, inner);
        if (protocol == Ipv4.PROTOCOL_ICMP) {
            return Icmp.isEcho(Icmp.type(seg, inner + innerHeaderLength)) ? inner : -1;
        }
        return protocol == Ipv4.PROTOCOL_TCP || protocol == Ipv4.PROTOCOL_UDP ? inner : -1;
    }

    /**
     * Rewrites the quoted packet of an ICMP error: its source endpoint ({@code sourceSide}, an error
     * coming back from outside about a packet we translated on its way out) or its destination endpoint (an
     * error an inside host sends about a packet that came in), patching the quoted IPv4 checksum and, when
     * the quoted bytes include it, the quoted TCP/UDP checksum; then recomputes the ICMP checksum over the
     * message, which was verified before ({@link #embeddedHeader}).
     */
    static void translateEmbedded(MemorySegment seg, long ip, long icmp, long inner, boolean sourceSide, int address,
                                  int port) {
        int icmpLength = Ipv4.totalLength(seg, ip) - (int) (icmp - ip);
        long quotedEnd = icmp + icmpLength;
        int addressField = sourceSide ? Ipv4.SRC : Ipv4.DST;
        int oldAddress = NetworkOrder.u32(seg, inner + addressField);
        NetworkOrder.setU32(seg, inner + addressField, address);
        Ipv4.setChecksum(seg, inner, Checksum.update32(Ipv4.checksum(seg, inner), oldAddress, address));
        int protocol = Ipv4.protocol(seg, inner);
        long l4 = Ipv4.payloadOffset(seg, inner);
        if (protocol == Ipv4.PROTOCOL_ICMP) {
            int oldId = Icmp.echoId(seg, l4);
            Icmp.setEchoId(seg, l4, port);
            if (l4 + Icmp.CHECKSUM + 2 <= quotedEnd) {
                Icmp.setChecksum(seg, l4, Checksum.update16(Icmp.checksum(seg, l4), oldId, port));
            }
        } else {
            long portField = l4 + (sourceSide ? 0 : 2);
            int oldPort = NetworkOrder.u16(seg, portField);
            NetworkOrder.setU16(seg, portField, port);
            if (protocol == Ipv4.PROTOCOL_TCP && l4 + Tcp.CHECKSUM + 2 <= quotedEnd) {
                int c = Checksum.update32(Tcp.checksum(seg, l4), oldAddress, address);
                Tcp.setChecksum(seg, l4, Checksum.update16(c, oldPort, port));
            } else if (protocol == Ipv4.PROTOCOL_UDP && l4 + Udp.CHECKSUM + 2 <= quotedEnd) {
                int c = Checksum.updateUdp32(Udp.checksum(seg, l4), oldAddress, address);
                Udp.setChecksum(seg, l4, Checksum.updateUdp16(c, oldPort, port));
            }
        }
        Icmp.setChecksum(seg, icmp, Icmp.computeChecksum(seg, icmp, icmpLength));
    }

    /**
     * The address of the quoted packet's other endpoint than {@link #embeddedKey}'s: the remote half of its session's
     * 5-tuple (the destination when {@code sourceSide}, else the source).
     */
    static int embeddedRemoteAddress(MemorySegment seg, long inner, boolean sourceSide) {
        return NetworkOrder.u32(seg, inner + (sourceSide ? Ipv4.DST : Ipv4.SRC));
    }

    /** The port of that other endpoint, 0 for an ICMP echo (its identifier is the session endpoint's). */
    static int embeddedRemotePort(MemorySegment seg, long inner, boolean sourceSide) {
        if (Ipv4.protocol(seg, inner) == Ipv4.PROTOCOL_ICMP) {
            return 0;
        }
        return NetworkOrder.u16(seg, Ipv4.payloadOffset(seg, inner) + (sourceSide ? 2 : 0));
    }

    /** The NAT key of the quoted packet's source ({@code sourceSide}) or destination endpoint. */
    static long embeddedKey(MemorySegment seg, long inner, boolean sourceSide) {
        int protocol = Ipv4.protocol(seg, inner);
        long l4 = Ipv4.payloadOffset(seg, inner);
        int address = NetworkOrder.u32(seg, inner + (sourceSide ? Ipv4.SRC : Ipv4.DST));
        int port = protocol == Ipv4.PROTOCOL_ICMP ? Icmp.echoId(seg, l4) : NetworkOrder.u16(seg, l4 + (sourceSide ? 0 : 2));
        return SessionTable.key(address, port, protocol);
    }
}
