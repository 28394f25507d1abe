package io.sluice.ip4.node;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.VnetBufferFlags;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@code ip4-icmp-error}: turns the offending packet into the ICMP error another node asked for
 * ({@link Ip4Graph#requestIcmpError}), in place: an IPv4 and ICMP header are written into the headroom in
 * front of the original, which is cut so the error is at most 576 bytes (RFC 1812 section 4.3.2.3), and the
 * error is routed back to the sender through ip4-lookup. The source address is one of the receiving
 * interface's (else any of the box's). No error is sent about an ICMP error, a non-first fragment, or a
 * packet from or to a multicast or broadcast address, or from 0.0.0.0 (RFC 1812 4.3.2.7). A packet nat44-out2in
 * translated on its way in is quoted as its sender sent it ({@link NatArrivedQuote}): the error carries no inside
 * address to the outside, and the sender's NAT and ACL state recognise it; one out2in rewrote on both sides
 * (hairpinning) is not quoted at all. The error is marked {@link BufferPool#FLAG_LOCALLY_ORIGINATED}, so
 * ip4-rewrite sends it with its own initial TTL. Errors are rate-limited per worker by a token bucket (RFC 1812
 * 4.3.2.8).
 */
@Component(service = Node.class, immediate = true)
public final class Ip4IcmpErrorNode implements Node {

    public enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP),
        LOOKUP(Ip4Graph.IP4_LOOKUP);

        private final String nodeName;

        Next(String nodeName) {
            this.nodeName = nodeName;
        }

        @Override
        public String nodeName() {
            return nodeName;
        }
    }

    public static final int NEXT_DROP = Next.DROP.ordinal();
    public static final int NEXT_LOOKUP = Next.LOOKUP.ordinal();

    static final int MAX_ERROR_LENGTH = 576;
    static final int ERROR_HEADERS = Ipv4.MIN_HEADER_LENGTH + Icmp.HEADER_LENGTH;
    static final int DEFAULT_RATE_PER_SECOND = 1000;
    static final int DEFAULT_BURST = 100;
    private static final int MAX_WORKERS = 64;

    /** Wording of VPP's icmp4 error counters where it has one. */
    public enum Error implements NodeError {
        TTL_EXPIRE_RESP_SENT("hop limit exceeded response sent"),
        DEST_UNREACH_SENT("destination unreachable response sent"),
        FRAGMENTATION_NEEDED_SENT("fragmentation needed response sent"),
        RATE_LIMITED("error message rate limited"),
        NO_SOURCE_ADDRESS("no source address for error message"),
        /**
         * No error about a packet NAT44 rewrote in a way that cannot be undone here (out2in hairpinning rewrote its
         * source too): the quote would hand a private address and port to the host the error goes to.
         */
        NATED_NOT_QUOTED("no error about a NAT-translated packet (its quote would reveal the inside address)"),
        DROP("error message dropped"),
        /** An error about a packet out2in translated, quoting it as its sender sent it (RFC 5508 REQ-4). */
        NATED_QUOTED_AS_SENT("error quotes a NAT-translated packet as its sender sent it");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(Ip4Graph.IP4_ICMP_ERROR,
            NextArc.names(Next.class), List.of(Error.values()), Ip4Input::format);

    private final InterfaceTable interfaces;
    private final long[] tokensByWorker = new long[MAX_WORKERS];
    private final long[] refilledAtByWorker = new long[MAX_WORKERS];
    private volatile long ratePerSecond = DEFAULT_RATE_PER_SECOND;
    private volatile long burst = DEFAULT_BURST;

    @Activate
    public Ip4IcmpErrorNode(@Reference InterfaceTable interfaces) {
        this.interfaces = interfaces;
        java.util.Arrays.fill(tokensByWorker, DEFAULT_BURST);
    }

    /** Errors a worker may send per second, and how many at once after a quiet spell. */
    public void setRateLimit(long perSecond, long burstSize) {
        if (perSecond < 1 || perSecond > 1_000_000 || burstSize < 1) {
            throw new IllegalArgumentException("ICMP error rate must be 1..1000000 a second and the burst positive");
        }
        ratePerSecond = perSecond;
        burst = burstSize;
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        InterfaceSnapshot snapshot = interfaces.snapshot();
        int worker = context.workerIndex();
        long tokens = refill(worker, System.nanoTime());
        long timeExceeded = 0;
        long unreachable = 0;
        long fragmentationNeeded = 0;
        long rateLimited = 0;
        long noSource = 0;
        long nated = 0;
        long natedQuoted = 0;
        long dropped = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            nexts[i] = NEXT_DROP;
            long ip = pool.l3Header(bi);
            if (!deservesError(pool, bi, ip, snapshot)) {
                dropped++;
                context.stampError(bi, Error.DROP.ordinal());
                continue;
            }
            if (tokens == 0) {
                rateLimited++;
                context.stampError(bi, Error.RATE_LIMITED.ordinal());
                continue;
            }
            int source = sourceAddress(snapshot, pool.rxSwIfIndex(bi));
            if (source == 0) {
                noSource++;
                context.stampError(bi, Error.NO_SOURCE_ADDRESS.ordinal());
                continue;
            }
            if ((pool.flags(bi) & VnetBufferFlags.NATED) != 0) {
                if (!NatArrivedQuote.restore(pool, bi, ip)) {
                    nated++;
                    context.stampError(bi, Error.NATED_NOT_QUOTED.ordinal());
                    continue;
                }
                natedQuoted++;
            }
            tokens--;
            int type = Ip4Graph.requestedType(pool, bi);
            int code = Ip4Graph.requestedCode(pool, bi);
            int quoted = Math.min(pool.length(bi), MAX_ERROR_LENGTH - ERROR_HEADERS);
            int destination = Ipv4.src(seg, ip);
            int current = pool.l3Offset(bi) - ERROR_HEADERS;
            pool.setData(bi, current, quoted + ERROR_HEADERS);
            long error = ip - ERROR_HEADERS;
            Ipv4.setVersionAndIhl(seg, error, Ipv4.VERSION_IHL_NO_OPTIONS);
            Ipv4.setTos(seg, error, 0);
            Ipv4.setTotalLength(seg, error, quoted + ERROR_HEADERS);
            Ipv4.setId(seg, error, 0);
            Ipv4.setFlagsAndFragmentOffset(seg, error, 0);
            Ipv4.setTtl(seg, error, Ip4LocalNode.REPLY_TTL);
            Ipv4.setProtocol(seg, error, Ipv4.PROTOCOL_ICMP);
            Ipv4.setSrc(seg, error, source);
            Ipv4.setDst(seg, error, destination);
            Checksum.setIp4HeaderChecksum(seg, error);
            long icmp = error + Ipv4.MIN_HEADER_LENGTH;
            Icmp.setType(seg, icmp, type);
            Icmp.setCode(seg, icmp, code);
            boolean fragmentation = type == Icmp.TYPE_DESTINATION_UNREACHABLE && code == Icmp.CODE_FRAGMENTATION_NEEDED;
            NetworkOrder.setU32(seg, icmp + Icmp.POINTER, fragmentation ? Ip4Graph.requestedData(pool, bi) : 0);
            Icmp.setChecksum(seg, icmp, Icmp.computeChecksum(seg, icmp, Icmp.HEADER_LENGTH + quoted));
            // A new packet in the old one's buffer: none of the offending packet's marks apply to it, and the
            // graph did not parse it, so its header is recorded here for ip4-lookup and the nodes after it.
            pool.setFlags(bi, BufferPool.FLAG_LOCALLY_ORIGINATED | (pool.flags(bi) & BufferPool.FLAG_TRACED));
            pool.setIp4Header(bi, current, current + Ipv4.MIN_HEADER_LENGTH, Ipv4.PROTOCOL_ICMP, BufferPool.L4_VALID);
            if (type == Icmp.TYPE_TIME_EXCEEDED) {
                timeExceeded++;
            } else if (fragmentation) {
                fragmentationNeeded++;
            } else {
                unreachable++;
            }
            nexts[i] = NEXT_LOOKUP;
        }
        tokensByWorker[worker] = tokens;
        if (frame.traced()) {
            Ip4Input.trace(context, pool, buffers, n);
        }
        context.countError(Error.TTL_EXPIRE_RESP_SENT.ordinal(), timeExceeded);
        context.countError(Error.DEST_UNREACH_SENT.ordinal(), unreachable);
        context.countError(Error.FRAGMENTATION_NEEDED_SENT.ordinal(), fragmentationNeeded);
        context.countError(Error.RATE_LIMITED.ordinal(), rateLimited);
        context.countError(Error.NO_SOURCE_ADDRESS.ordinal(), noSource);
        context.countError(Error.NATED_NOT_QUOTED.ordinal(), nated);
        context.countError(Error.DROP.ordinal(), dropped);
        context.countError(Error.NATED_QUOTED_AS_SENT.ordinal(), natedQuoted);
        return n;
    }

    private long refill(int worker, long now) {
        long elapsed = now - refilledAtByWorker[worker];
        long earned = elapsed / (1_000_000_000L / ratePerSecond);
        if (earned > 0) {
            tokensByWorker[worker] = Math.min(burst, tokensByWorker[worker] + earned);
            refilledAtByWorker[worker] = now;
        }
        return tokensByWorker[worker];
    }

    /**
     * RFC 1812 section 4.3.2.7: the packets that must not cause an ICMP error: a later fragment, an ICMP error,
     * one to a broadcast or multicast address, one whose source names no single host (zero, loopback, broadcast,
     * multicast, class E). Broadcast includes the directed broadcast of a subnet the box is on.
     */
    private static boolean deservesError(BufferPool pool, int bi, long ip, InterfaceSnapshot snapshot) {
        MemorySegment seg = pool.segment();
        int src = Ipv4.src(seg, ip);
        int dst = Ipv4.dst(seg, ip);
        if (src == 0 || (src >>> 24) == LOOPBACK_NET || isGroupOrBroadcast(src) || isGroupOrBroadcast(dst)
                || (pool.l4Info(bi) & BufferPool.L4_NON_FIRST_FRAGMENT) != 0
                || isSubnetBroadcast(snapshot, src) || isSubnetBroadcast(snapshot, dst)) {
            return false;
        }
        if (pool.ipProtocol(bi) == Ipv4.PROTOCOL_ICMP) {
            long icmp = pool.l4Header(bi);
            return pool.length(bi) <= icmp - ip || !Icmp.isError(Icmp.type(seg, icmp));
        }
        return true;
    }

    /** 127.0.0.0/8 (RFC 1122 section 3.2.1.3 (g)): never on the wire. */
    private static final int LOOPBACK_NET = 127;

    /** Whether {@code address} is the broadcast address of a subnet on one of the box's interfaces (/30 or wider). */
    private static boolean isSubnetBroadcast(InterfaceSnapshot snapshot, int address) {
        for (int sw = 1; sw < snapshot.size(); sw++) {
            int[] addresses = snapshot.ip4Addresses(sw);
            int[] lengths = snapshot.ip4PrefixLengths(sw);
            for (int a = 0; a < addresses.length; a++) {
                if (lengths[a] > 0 && lengths[a] < 31 && (addresses[a] | (-1 >>> lengths[a])) == address) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Class D multicast, class E and the limited broadcast: 224.0.0.0 and above. */
    private static boolean isGroupOrBroadcast(int address) {
        return (address >>> 28) >= 0xe;
    }

    private static int sourceAddress(InterfaceSnapshot snapshot, int rxSwIfIndex) {
        int[] own = snapshot.ip4Addresses(rxSwIfIndex);
        if (own.length > 0) {
            return own[0];
        }
        for (int sw = 1; sw < snapshot.size(); sw++) {
            int[] addresses = snapshot.ip4Addresses(sw);
            if (addresses.length > 0) {
                return addresses[0];
            }
        }
        return 0;
    }
}
