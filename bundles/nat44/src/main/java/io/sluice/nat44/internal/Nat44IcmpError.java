package io.sluice.nat44.internal;

import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Opaque;
import io.sluice.vnet.api.VnetBufferFlags;

import java.lang.foreign.MemorySegment;

/**
 * ICMP errors (destination unreachable, time exceeded, parameter problem) matched to the session of the packet
 * they quote, the quoted IPv4 header and the first 8 bytes after it (RFC 792; RFC 5508 section 4.2, REQ-4),
 * in both directions. The quote holds both endpoints, so the session is the quoted flow's own (its 5-tuple):
 * <ul>
 *   <li>out2in: an error from outside about a packet a session translated on its way out quotes the session's
 *   outside endpoint as its source and is addressed to it. Its outer destination and the quoted source (address,
 *   port or echo identifier) become the inside endpoint, with the quoted IPv4 checksum, the quoted TCP/UDP checksum
 *   where the quote holds it, and the ICMP checksum fixed ({@link Nat44Packets#translateEmbedded}).</li>
 *   <li>in2out: an error from an inside host about a packet that reached it through a session quotes the inside
 *   endpoint as its destination and comes from it; its outer source and the quoted destination become the
 *   outside endpoint.</li>
 * </ul>
 * An error to one of the pool's addresses (out2in) or from an inside host (in2out) that quotes no live session, or
 * does not come from or go to the endpoint it quotes, is dropped and counted: nothing could deliver it, and
 * passing it would let anyone probe or reset the inside (RFC 5927's blind ICMP attacks).
 *
 * <p>Also what out2in leaves for ip4-icmp-error: the destination a packet arrived with ({@link #recordArrived}), so
 * an error the box itself builds about it after translation quotes what its sender sent.
 */
final class Nat44IcmpError {

    /** Translated: the packet goes on to its inside (out2in) or outside (in2out) destination. */
    static final int TRANSLATED = 0;
    /** Not about a session and not to or from the NAT's endpoints: passed untouched, as any other packet. */
    static final int NOT_OURS = 1;
    /** Malformed, truncated or with a bad ICMP checksum, while addressed to the NAT: dropped. */
    static final int MALFORMED = 2;
    /** Quotes no live session, or comes from or goes to another endpoint than the one it quotes: dropped. */
    static final int NO_SESSION = 3;

    private Nat44IcmpError() {
    }

    /**
     * out2in: the error at {@code ip} (its ICMP header at {@code icmp}, a type {@link Icmp#isError} accepts) from
     * outside. Translated in place when it is about a live session; the session index is left in
     * {@link Opaque#NAT_SESSION}.
     */
    static int out2In(Nat44Dataplane dataplane, BufferPool pool, int bi, long ip, long icmp, long now) {
        MemorySegment seg = pool.segment();
        boolean toPool = dataplane.ports().indexOf(Ipv4.dst(seg, ip)) >= 0;
        int available = pool.length(bi) - (int) (ip - pool.dataOffset(bi));
        long inner = Nat44Packets.embeddedHeader(seg, ip, icmp, available);
        if (inner < 0) {
            return toPool ? MALFORMED : NOT_OURS;
        }
        SessionTable table = dataplane.table();
        int s = table.lookupOut2In(Nat44Packets.embeddedKey(seg, inner, true),
                Nat44Packets.embeddedRemoteAddress(seg, inner, true), Nat44Packets.embeddedRemotePort(seg, inner, true));
        // A genuine error goes back to the quoted packet's sender: the session's outside address.
        if (s < 0 || table.expiresAt(s) <= now || Ipv4.dst(seg, ip) != Ipv4.src(seg, inner)) {
            return toPool ? NO_SESSION : NOT_OURS;
        }
        long inKey = table.inKey(s);
        int insideAddress = SessionTable.keyAddress(inKey);
        Ipv4.rewriteDst(seg, ip, icmp, Ipv4.PROTOCOL_ICMP, insideAddress);
        Nat44Packets.translateEmbedded(seg, ip, icmp, inner, true, insideAddress, SessionTable.keyPort(inKey));
        pool.orFlags(bi, VnetBufferFlags.NATED);
        pool.setOpaque(bi, Opaque.NAT_SESSION, s);
        recordNotQuotable(pool, bi);
        return TRANSLATED;
    }

    /**
     * in2out: the error at {@code ip} from an inside host (a type {@link Icmp#isError} accepts). Translated in place
     * when it is about a live session whose inside endpoint sends it.
     */
    static int in2Out(Nat44Dataplane dataplane, BufferPool pool, int bi, long ip, long icmp, long now) {
        MemorySegment seg = pool.segment();
        int available = pool.length(bi) - (int) (ip - pool.dataOffset(bi));
        long inner = Nat44Packets.embeddedHeader(seg, ip, icmp, available);
        if (inner < 0) {
            return MALFORMED;
        }
        SessionTable table = dataplane.table();
        int s = table.lookupIn2Out(Nat44Packets.embeddedKey(seg, inner, false),
                Nat44Packets.embeddedRemoteAddress(seg, inner, false),
                Nat44Packets.embeddedRemotePort(seg, inner, false));
        if (s < 0 || table.expiresAt(s) <= now || Ipv4.src(seg, ip) != Ipv4.dst(seg, inner)) {
            return NO_SESSION;
        }
        long outKey = table.outKey(s);
        int outsideAddress = SessionTable.keyAddress(outKey);
        Ipv4.rewriteSrc(seg, ip, icmp, Ipv4.PROTOCOL_ICMP, outsideAddress);
        Nat44Packets.translateEmbedded(seg, ip, icmp, inner, false, outsideAddress, SessionTable.keyPort(outKey));
        pool.orFlags(bi, VnetBufferFlags.NATED);
        pool.setOpaque(bi, Opaque.NAT_SESSION, s);
        return TRANSLATED;
    }

    /**
     * out2in is about to rewrite the destination of {@code bi} from {@code address}:{@code port}: kept for
     * ip4-icmp-error ({@link Opaque#NAT_ARRIVED_DST_ADDRESS}, {@link Opaque#NAT_ARRIVED_DST_PORT}).
     */
    static void recordArrived(BufferPool pool, int bi, int address, int port) {
        pool.setOpaque(bi, Opaque.NAT_ARRIVED_DST_ADDRESS, address);
        pool.setOpaque(bi, Opaque.NAT_ARRIVED_DST_PORT, port);
    }

    /** out2in rewrote more of {@code bi} than its destination: no error may quote it. */
    static void recordNotQuotable(BufferPool pool, int bi) {
        pool.setOpaque(bi, Opaque.NAT_ARRIVED_DST_PORT, -1);
    }
}
