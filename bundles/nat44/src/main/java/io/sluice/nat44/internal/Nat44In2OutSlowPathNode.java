package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Opaque;
import io.sluice.vnet.api.VnetBufferFlags;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code nat44-in2out-output-slowpath}: what the fast path could not translate. Creates sessions, one per flow
 * (a static mapping's, or a dynamic one on its inside endpoint's mapping, or with a port from the pool), translates ICMP errors from inside hosts together
 * with the packet they quote (RFC 5508 REQ-4), lets identity-mapped traffic pass, and drops with a counter
 * what cannot be translated. Takes the session table's lock once per frame and expires a few idle sessions
 * each time, so the table recovers ports even when the housekeeping thread is late. With a large table a new
 * session costs mostly cache misses (its index slots and mapping); the frame's in2out and mapping slots are touched
 * in a first pass and its out2in and outside mapping entries inserted together at its end
 * ({@link Nat44Dataplane#beginBatch}), so the
 * misses of a frame's new flows overlap instead of coming one after another.
 */
@Component(service = Node.class)
public final class Nat44In2OutSlowPathNode implements Node {
    public static final String NAME = "nat44-in2out-output-slowpath";

    enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP);

        private final String nodeName;

        Next(String nodeName) {
            this.nodeName = nodeName;
        }

        @Override
        public String nodeName() {
            return nodeName;
        }
    }

    static final int ARC_DROP = Next.DROP.ordinal();

    /** Records the slow path visits per frame looking for expired sessions. */
    static final int EXPIRY_BUDGET = 256;

    enum Error implements NodeError {
        IN2OUT_PACKETS("Good in2out packets processed"),
        SESSIONS_CREATED("sessions created"),
        SESSIONS_EXPIRED("idle sessions expired"),
        OUT_OF_PORTS("out of ports"),
        MAX_SESSIONS_EXCEEDED("maximum sessions exceeded"),
        MAX_USER_SESSIONS_EXCEEDED("maximum sessions per inside address exceeded"),
        NO_ADDRESS("address pool is empty"),
        MAPPING_COLLISION("static mapping collides with a session"),
        UNSUPPORTED_PROTOCOL("unsupported protocol"),
        BAD_ICMP_TYPE("unsupported ICMP type"),
        BAD_ICMP("ICMP error malformed, truncated or with a bad checksum"),
        ICMP_NO_SESSION("ICMP error about a flow with no session"),
        FRAGMENT("non-first fragment without its datagram's session (no stamp from ip4-sv-reassembly, or none made)"),
        TRUNCATED("TCP, UDP or ICMP header truncated"),
        /**
         * A new flow found the table or its inside address full and took the least recently heard expired session's
         * place (VPP NAT44-ED's LRU reuse) instead of being refused.
         */
        SESSIONS_REUSED("expired sessions reused for new ones (table or inside address full)");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(NAME,
                    NextArc.names(Next.class), List.of(Error.values()), Nat44Trace::formatSlowPath)
            .withFeature(FeatureRegistration.continuing(FeatureArc.IP4_OUTPUT, Nat44In2OutOutputNode.NAME));

    private final Nat44Dataplane dataplane;
    private final int[] counts = new int[Error.values().length];
    /** The worker running the frame, set under the lock: new ports come from its block of the pool. */
    private int worker;

    /** A node over {@code dataplane}, for the bundle's tests and testkit; DS sees only the public constructor. */
    Nat44In2OutSlowPathNode(Nat44Dataplane dataplane) {
        this.dataplane = dataplane;
    }

    @Activate
    public Nat44In2OutSlowPathNode(@Reference Nat44Runtime runtime) {
        this(runtime.dataplane());
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        Nat44Policy policy = dataplane.policy();
        long now = dataplane.now();
        BufferPool pool = context.pool();
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        int[] counts = this.counts;
        synchronized (dataplane.table().lock()) {
            counts[Error.SESSIONS_EXPIRED.ordinal()] += dataplane.expireSome(now, EXPIRY_BUDGET);
            long reusedBefore = dataplane.reused();
            worker = context.workerIndex();
            prefetch(policy, pool, buffers, n);
            dataplane.beginBatch();
            try {
                for (int i = 0; i < n; i++) {
                    int bi = buffers[i];
                    int cause = translate(policy, pool, bi, now);
                    if (cause >= 0) {
                        counts[cause]++;
                        nexts[i] = ARC_DROP;
                        context.stampError(bi, cause);
                        dataplane.drops().record(Nat44DropRecorder.NODE_IN2OUT_SLOW_PATH, cause, pool, bi, now);
                    } else {
                        nexts[i] = context.featureNext(pool.txSwIfIndex(bi));
                    }
                }
            } finally {
                // Before the lock is let go and before any packet of the frame leaves: see SessionTable.beginBatch.
                dataplane.endBatch();
            }
            counts[Error.SESSIONS_REUSED.ordinal()] += (int) (dataplane.reused() - reusedBefore);
            // The counts are this instance's scratch, shared by workers: flushed before the lock is let go.
            for (int e = 0; e < counts.length; e++) {
                if (counts[e] != 0) {
                    context.countError(e, counts[e]);
                    counts[e] = 0;
                }
            }
        }
        if (frame.traced()) {
            for (int i = 0; i < n; i++) {
                Nat44Trace.record(context, pool, buffers[i],
                        nexts[i] == ARC_DROP ? Nat44Trace.IN2OUT_NEXT_DROP : Nat44Trace.IN2OUT_NEXT_OUTPUT);
            }
        }
        return n;
    }

    /**
     * A first pass over the frame that only reads what each new flow's session creation will probe first (its
     * in2out slot and its endpoint mapping's slot, {@link Nat44Dataplane#prefetchNewFlow}): with a large table these
     * are cache misses, and issued together they overlap, where the creation loop would wait for each in turn.
     * Reads the packets as {@link #translate} does and changes nothing; packets translate skips are skipped.
     */
    private void prefetch(Nat44Policy policy, BufferPool pool, int[] buffers, int n) {
        MemorySegment seg = pool.segment();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            if (!policy.inside(pool.rxSwIfIndex(bi)) || Nat44Fragments.later(pool, bi)) {
                continue;
            }
            long ip = pool.l3Header(bi);
            long l4 = pool.l4Header(bi);
            int protocol = pool.ipProtocol(bi);
            int port = Nat44Packets.sourcePort(seg, ip, l4, protocol);
            if (port >= 0) {
                dataplane.prefetchNewFlow(SessionTable.key(Ipv4.src(seg, ip), port, protocol), Ipv4.dst(seg, ip),
                        Nat44Packets.remotePortOut(seg, l4, protocol));
            }
        }
    }

    /** Translates one packet; returns -1 to forward it, or the ordinal of the error that drops it. */
    private int translate(Nat44Policy policy, BufferPool pool, int bi, long now) {
        pool.setOpaque(bi, Opaque.NAT_SESSION, -1);
        if (!policy.inside(pool.rxSwIfIndex(bi))) {
            return -1;
        }
        MemorySegment seg = pool.segment();
        SessionTable table = dataplane.table();
        if (Nat44Fragments.later(pool, bi)) {
            return translateLaterFragment(policy, pool, bi, now);
        }
        long ip = pool.l3Header(bi);
        long l4 = pool.l4Header(bi);
        int protocol = pool.ipProtocol(bi);
        int port = Nat44Packets.sourcePort(seg, ip, l4, protocol);
        if (port == Nat44Packets.TRUNCATED) {
            return Error.TRUNCATED.ordinal();
        }
        if (port == -2) {
            return Error.UNSUPPORTED_PROTOCOL.ordinal();
        }
        if (port == -1) {
            return translateIcmpError(pool, bi, ip, l4, now);
        }
        int src = Ipv4.src(seg, ip);
        int remotePort = Nat44Packets.remotePortOut(seg, l4, protocol);
        int s = table.lookupIn2Out(SessionTable.key(src, port, protocol), Ipv4.dst(seg, ip), remotePort);
        if (s >= 0 && table.expiresAt(s) <= now) {
            dataplane.delete(s);
            counts[Error.SESSIONS_EXPIRED.ordinal()]++;
            s = -1;
        }
        if (s < 0) {
            int mapping = policy.mappings.findByLocal(src, port, protocol);
            if (mapping >= 0) {
                StaticMapping m = policy.mappings.get(mapping);
                if (m.identity()) {
                    return -1;
                }
            }
            s = dataplane.createIn2Out(policy, src, port, protocol, Ipv4.dst(seg, ip), remotePort,
                    pool.rxSwIfIndex(bi), now, worker);
            if (s < 0) {
                return switch (s) {
                    case Nat44Dataplane.NO_PORTS -> Error.OUT_OF_PORTS.ordinal();
                    case Nat44Dataplane.TABLE_FULL -> Error.MAX_SESSIONS_EXCEEDED.ordinal();
                    case Nat44Dataplane.USER_LIMIT -> Error.MAX_USER_SESSIONS_EXCEEDED.ordinal();
                    case Nat44Dataplane.NO_ADDRESS -> Error.NO_ADDRESS.ordinal();
                    default -> Error.MAPPING_COLLISION.ordinal();
                };
            }
            counts[Error.SESSIONS_CREATED.ordinal()]++;
        }
        long outKey = table.outKey(s);
        dataplane.touch(policy, s, now, protocol, Nat44Packets.tcpFlags(seg, l4, protocol), true,
                Ipv4.totalLength(seg, ip));
        if (protocol == Ipv4.PROTOCOL_TCP) {
            dataplane.learnInsideWindow(s, seg, ip, l4);
        }
        Nat44Packets.rewriteSource(seg, ip, l4, protocol, SessionTable.keyAddress(outKey),
                SessionTable.keyPort(outKey));
        pool.orFlags(bi, VnetBufferFlags.NATED);
        pool.setOpaque(bi, Opaque.NAT_SESSION, s);
        counts[Error.IN2OUT_PACKETS.ordinal()]++;
        return -1;
    }

    /**
     * A later fragment the fast path did not translate, its first fragment having made the session earlier in this
     * frame (or it expired): found by its stamped ports, never creating one, since only a first fragment may.
     */
    private int translateLaterFragment(Nat44Policy policy, BufferPool pool, int bi, long now) {
        MemorySegment seg = pool.segment();
        SessionTable table = dataplane.table();
        long ip = pool.l3Header(bi);
        int protocol = pool.ipProtocol(bi);
        int port = Nat44Fragments.sourcePort(pool, bi, protocol);
        int s = port < 0 ? -1 : table.lookupIn2Out(SessionTable.key(Ipv4.src(seg, ip), port, protocol),
                Ipv4.dst(seg, ip), Nat44Fragments.remotePortOut(pool, bi, protocol));
        if (s < 0 || table.expiresAt(s) <= now) {
            return Error.FRAGMENT.ordinal();
        }
        dataplane.touch(policy, s, now, protocol, 0, true, Ipv4.totalLength(seg, ip));
        Nat44Fragments.rewriteSource(seg, ip, SessionTable.keyAddress(table.outKey(s)));
        pool.orFlags(bi, VnetBufferFlags.NATED);
        pool.setOpaque(bi, Opaque.NAT_SESSION, s);
        counts[Error.IN2OUT_PACKETS.ordinal()]++;
        return -1;
    }

    /**
     * An ICMP error from an inside host about a packet that reached it through the NAT (a port unreachable
     * for a mapped service, say): the quoted packet's destination is the inside endpoint of a session
     * ({@link Nat44IcmpError}).
     */
    private int translateIcmpError(BufferPool pool, int bi, long ip, long icmp, long now) {
        if (!Icmp.isError(Icmp.type(pool.segment(), icmp))) {
            return Error.BAD_ICMP_TYPE.ordinal();
        }
        return switch (Nat44IcmpError.in2Out(dataplane, pool, bi, ip, icmp, now)) {
            case Nat44IcmpError.TRANSLATED -> {
                counts[Error.IN2OUT_PACKETS.ordinal()]++;
                yield -1;
            }
            case Nat44IcmpError.MALFORMED -> Error.BAD_ICMP.ordinal();
            default -> Error.ICMP_NO_SESSION.ordinal();
        };
    }
}
