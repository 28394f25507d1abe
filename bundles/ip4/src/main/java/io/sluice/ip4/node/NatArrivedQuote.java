package io.sluice.ip4.node;

import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Opaque;
import io.sluice.packet.api.Tcp;
import io.sluice.packet.api.Udp;

import java.lang.foreign.MemorySegment;

/**
 * Puts back the destination a packet arrived with, before ip4-icmp-error quotes it, when nat44-out2in translated
 * it on its way in (a TTL that expires on the way to the pod, a DF packet too big for the pod's link). The quote
 * must be what the sender sent: RFC 5508 section 4.2 (REQ-4) has the NAT translate an error's embedded packet
 * so that its sender recognises it, and the inside address must not reach the outside. nat44-out2in left the address and port it rewrote in the buffer's metadata
 * ({@link Opaque#NAT_ARRIVED_DST_ADDRESS}, {@link Opaque#NAT_ARRIVED_DST_PORT}); the whole packet is still in the
 * buffer here, so the same incremental checksum updates as out2in's (RFC 1624) undo its rewrite exactly.
 */
final class NatArrivedQuote {

    private NatArrivedQuote() {
    }

    /**
     * Restores the arrived destination of the packet at {@code ip}, which out2in translated; false (nothing written)
     * when out2in left no destination to restore (it also rewrote the source: hairpinning) or the packet is not
     * one whose destination it rewrites.
     */
    static boolean restore(BufferPool pool, int bi, long ip) {
        int port = pool.opaque(bi, Opaque.NAT_ARRIVED_DST_PORT);
        if (port < 0 || port > 0xffff || (pool.l4Info(bi) & BufferPool.L4_VALID) == 0) {
            return false;
        }
        MemorySegment seg = pool.segment();
        int protocol = pool.ipProtocol(bi);
        long l4 = pool.l4Header(bi);
        int l4Length = Ipv4.totalLength(seg, ip) - (int) (l4 - ip);
        int address = pool.opaque(bi, Opaque.NAT_ARRIVED_DST_ADDRESS);
        switch (protocol) {
            case Ipv4.PROTOCOL_TCP -> {
                if (l4Length < Tcp.MIN_HEADER_LENGTH) {
                    return false;
                }
                Ipv4.rewriteDst(seg, ip, l4, protocol, address);
                Tcp.rewriteDstPort(seg, l4, port);
            }
            case Ipv4.PROTOCOL_UDP -> {
                if (l4Length < Udp.HEADER_LENGTH) {
                    return false;
                }
                Ipv4.rewriteDst(seg, ip, l4, protocol, address);
                Udp.rewriteDstPort(seg, l4, port);
            }
            case Ipv4.PROTOCOL_ICMP -> {
                if (l4Length < Icmp.HEADER_LENGTH || !Icmp.isEcho(Icmp.type(seg, l4))) {
                    return false;
                }
                Ipv4.rewriteDst(seg, ip, l4, protocol, address);
                Icmp.rewriteEchoId(seg, l4, l4Length, port);
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
