package io.sluice.acl.internal;

import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;

/**
 * The 5-tuple of a later fragment, from what ip4-sv-reassembly stamped in its metadata
 * ({@link BufferPool#L4_REASSEMBLED}): the first fragment's ports, ICMP type, code and echo identifier, TCP flags. So
 * every fragment of a datagram meets the same rule and session as its first (VPP's acl-plugin reads
 * {@code vnet_buffer(b)->ip.reass} the same way); without the stamp a later fragment has no ports (0).
 */
final class AclFragments {

    private AclFragments() {
    }

    static boolean reassembled(BufferPool pool, int bi) {
        return (pool.l4Info(bi) & BufferPool.L4_REASSEMBLED) != 0;
    }

    /** VPP's port[0]: the source port, or the ICMP type. */
    static int port0(BufferPool pool, int bi, int protocol) {
        int ports = pool.reassembledPorts(bi);
        return protocol == Ipv4.PROTOCOL_ICMP ? ports >>> 24 : ports >>> 16;
    }

    /** VPP's port[1]: the destination port, or the ICMP code. */
    static int port1(BufferPool pool, int bi, int protocol) {
        int ports = pool.reassembledPorts(bi);
        return protocol == Ipv4.PROTOCOL_ICMP ? (ports >>> 16) & 0xff : ports & 0xffff;
    }

    static int tcpFlags(BufferPool pool, int bi, int protocol) {
        return protocol == Ipv4.PROTOCOL_TCP ? pool.reassembledExtra(bi) & 0xff : 0;
    }

    /** As AclDataplane.sessionKey1: an ICMP echo keys by its identifier on both sides. */
    static long sessionKey1(BufferPool pool, int bi, int protocol, boolean input, int sw) {
        int sport;
        int dport;
        if (protocol == Ipv4.PROTOCOL_ICMP && Icmp.isEcho(port0(pool, bi, protocol))) {
            sport = pool.reassembledExtra(bi) >>> 16;
            dport = sport;
        } else {
            sport = port0(pool, bi, protocol);
            dport = port1(pool, bi, protocol);
        }
        return input ? SessionTable.key1(sport, dport, protocol, sw) : SessionTable.key1(dport, sport, protocol, sw);
    }
}
