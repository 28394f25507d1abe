package io.sluice.nat44.internal;

import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;

import java.lang.foreign.MemorySegment;

/**
 * Later fragments (RFC 791 offset above 0) through the NAT: the session is found by the ports ip4-sv-reassembly
 * stamped from the datagram's first fragment ({@link BufferPool#L4_REASSEMBLED}), and only the IPv4 header is
 * translated (address and header checksum). The TCP or UDP checksum covers the whole datagram and sits in the first
 * fragment, which the NAT patches incrementally (RFC 1624) for the address and port change of all of it, so the
 * reassembled datagram checks at its receiver (RFC 3022 section 4.1, VPP nat44's non-first fragment handling).
 */
final class Nat44Fragments {

    /** From the port reads: a later fragment without the stamp, whose session cannot be known. */
    static final int NOT_STAMPED = -4;

    private Nat44Fragments() {
    }

    static boolean later(BufferPool pool, int bi) {
        return (pool.l4Info(bi) & BufferPool.L4_NON_FIRST_FRAGMENT) != 0;
    }

    /** As Nat44Packets.sourcePort for a later fragment, from its stamp: the source port or echo identifier. */
    static int sourcePort(BufferPool pool, int bi, int protocol) {
        return port(pool, bi, protocol, true);
    }

    /** As Nat44Packets.destinationPort for a later fragment: the destination port or echo identifier. */
    static int destinationPort(BufferPool pool, int bi, int protocol) {
        return port(pool, bi, protocol, false);
    }

    /** The remote endpoint's port of a later fragment going out, from its stamp: its destination port, 0 for ICMP. */
    static int remotePortOut(BufferPool pool, int bi, int protocol) {
        return protocol == Ipv4.PROTOCOL_ICMP ? 0 : pool.reassembledPorts(bi) & 0xffff;
    }

    /** The remote endpoint's port of a later fragment coming in: its source port, 0 for ICMP. */
    static int remotePortIn(BufferPool pool, int bi, int protocol) {
        return protocol == Ipv4.PROTOCOL_ICMP ? 0 : pool.reassembledPorts(bi) >>> 16;
    }

    private static int port(BufferPool pool, int bi, int protocol, boolean source) {
        if ((pool.l4Info(bi) & BufferPool.L4_REASSEMBLED) == 0) {
            return NOT_STAMPED;
        }
        int ports = pool.reassembledPorts(bi);
        return switch (protocol) {
            case Ipv4.PROTOCOL_TCP, Ipv4.PROTOCOL_UDP -> source ? ports >>> 16 : ports & 0xffff;
            case Ipv4.PROTOCOL_ICMP -> Icmp.isEcho(ports >>> 24) ? pool.reassembledExtra(bi) >>> 16 : -1;
            default -> -2;
        };
    }

    /** Source NAT of a later fragment: the address and the header checksum only. */
    static void rewriteSource(MemorySegment seg, long ip, int address) {
        Ipv4.rewriteSrc(seg, ip, 0, -1, address);
    }

    /** Destination NAT of a later fragment: the address and the header checksum only. */
    static void rewriteDestination(MemorySegment seg, long ip, int address) {
        Ipv4.rewriteDst(seg, ip, 0, -1, address);
    }
}
