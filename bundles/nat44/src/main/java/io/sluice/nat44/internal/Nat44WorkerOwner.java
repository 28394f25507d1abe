package io.sluice.nat44.internal;

import io.sluice.graph.api.HandoffTrace;
import io.sluice.graph.api.NodeContext;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PortBlocks;

import java.lang.foreign.MemorySegment;

/**
 * Which worker owns a NAT44 flow, as VPP's NAT44-ED chooses it ({@code nat44_ed_get_in2out_worker_index},
 * {@code nat44_ed_get_out2in_worker_index}): what the two handoff nodes read so that both directions of a flow,
 * and so its session's {@code touch()}, run on one worker. Static methods over what the nodes already hold: no
 * allocation, no lock, no virtual call.
 *
 * <ul>
 * <li>in2out: a hash of the inside source address. Every flow of one inside host is on one worker, so its
 * endpoint-independent mappings (RFC 4787 REQ-1), its per-host session count and the port block its new ports
 * come from ({@link PortAllocator#allocate(int, int, int, int)} on that worker) all agree.</li>
 * <li>out2in: a destination on a static mapping belongs to the worker of the mapping's local address (the same
 * hash, so a mapping's two directions agree); a destination port in the dynamic range on a pool address belongs to
 * the worker whose block holds it ({@link PortAllocator#owner}), which is the worker that allocated it. An ICMP
 * echo is owned by its identifier; an ICMP error by the quoted packet's source endpoint, which is our outside
 * endpoint (RFC 5508 section 4.2). Anything else ({@link #STAY}) has no session to protect: it stays where it is
 * and is dropped and counted there as it would be with one worker.</li>
 * </ul>
 */
final class Nat44WorkerOwner {

    /** No owner: the packet stays on the worker it is on. */
    static final int STAY = -1;

    private Nat44WorkerOwner() {
    }

    /** The worker of inside address {@code address} among {@code workers} ({@link PortBlocks#insideOwner}). */
    static int ofInsideAddress(int address, int workers) {
        return PortBlocks.insideOwner(address, workers);
    }

    /**
     * The owner of a packet arriving from outside at {@code address}:{@code port} ({@code protocol}; the echo
     * identifier for ICMP): a translating static mapping's local address's worker, else the port's block on a pool
     * address, else {@link #STAY}.
     */
    static int ofOutsideEndpoint(Nat44Policy policy, PortAllocator ports, int address, int port, int protocol,
                                 int workers) {
        StaticMappings mappings = policy.mappings;
        int mapping = mappings.findByExternal(address, port, protocol);
        if (mapping >= 0) {
            StaticMapping m = mappings.get(mapping);
            return m.identity() ? STAY : ofInsideAddress(m.localAddress(), workers);
        }
        if (port < PortAllocator.FIRST_PORT || ports.indexOf(address) < 0) {
            return STAY;
        }
        int owner = ports.owner(port);
        return owner < workers ? owner : STAY;
    }

    /**
     * The owner of buffer {@code bi} on the outside interface's ip4-unicast arc (current data the IPv4 header,
     * headers as ip4-input recorded them): by its destination endpoint, or a later fragment by the ports the
     * reassembly stamped, or an ICMP error by its quoted packet's source endpoint; {@link #STAY} when none.
     */
    static int ofOut2In(Nat44Policy policy, PortAllocator ports, BufferPool pool, int bi, int workers) {
        MemorySegment seg = pool.segment();
        long ip = pool.l3Header(bi);
        int protocol = pool.ipProtocol(bi);
        int port;
        if (Nat44Fragments.later(pool, bi)) {
            port = Nat44Fragments.destinationPort(pool, bi, protocol);
        } else {
            long l4 = pool.l4Header(bi);
            port = Nat44Packets.destinationPort(seg, ip, l4, protocol);
            if (port == -1 && protocol == Ipv4.PROTOCOL_ICMP && Icmp.isError(Icmp.type(seg, l4))) {
                return ofIcmpError(policy, ports, pool, bi, ip, l4, workers);
            }
        }
        return port < 0 ? STAY : ofOutsideEndpoint(policy, ports, Ipv4.dst(seg, ip), port, protocol, workers);
    }

    /** An ICMP error from outside: the owner of the endpoint it quotes as source; a malformed one stays. */
    private static int ofIcmpError(Nat44Policy policy, PortAllocator ports, BufferPool pool, int bi, long ip,
                                   long icmp, int workers) {
        MemorySegment seg = pool.segment();
        int available = pool.length(bi) - (int) (ip - pool.dataOffset(bi));
        long inner = Nat44Packets.embeddedHeader(seg, ip, icmp, available);
        if (inner < 0) {
            return STAY;
        }
        long key = Nat44Packets.embeddedKey(seg, inner, true);
        return ofOutsideEndpoint(policy, ports, SessionTable.keyAddress(key), SessionTable.keyPort(key),
                SessionTable.keyProtocol(key), workers);
    }

    /** Writes the handoff trace record of traced buffer {@code bi} going to {@code worker} (VPP's handoff trace). */
    static void trace(NodeContext context, BufferPool pool, int bi, int worker) {
        int traceIndex = pool.traceHandle(bi);
        long record = context.trace(bi);
        if (record >= 0) {
            HandoffTrace.write(context.traceSegment(), record, worker, traceIndex);
        }
    }
}
