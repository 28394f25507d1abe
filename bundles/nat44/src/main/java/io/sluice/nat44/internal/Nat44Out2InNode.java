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
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.Opaque;
import io.sluice.vnet.api.VnetBufferFlags;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code nat44-out2in}: destination NAT on the ip4-unicast arc, before the route lookup. A packet of a live
 * session's flow (its outside 5-tuple: the outside endpoint and the remote it came from) is sent on to the
 * session's inside endpoint; one that matches a static mapping creates the mapping's session first; an ICMP error quoting one of our translated packets is
 * translated with its quote (RFC 5508 REQ-4), one to a pool address quoting no session is dropped
 * ({@link Nat44IcmpError}). The destination a translated packet arrived with is left in its metadata for
 * ip4-icmp-error. Everything else passes untouched (session index -1), as the
 * seed's SYN does on the pod interface. Filtering is address-and-port-dependent by default (RFC 4787 REQ-8, VPP's
 * NAT44-ED): a packet to a live dynamic mapping from a remote its inside endpoint has no session with is dropped and
 * counted ({@code filtered}); with {@code filtering = endpoint-independent} (RFC 4787 REQ-8's option, RFC 5382
 * REQ-3) it opens a session for that remote instead.
 *
 * <p>On an inside interface this is also where hairpinning happens (RFC 4787 REQ-9, RFC 5382 REQ-8): an
 * inside host reaching another through its outside endpoint gets its source translated to its own outside endpoint
 * first (the remote half of the destination's 5-tuple), then its destination, so each side sees the other's public
 * endpoint. An inside sender is not filtered.
 */
@Component(service = Node.class)
public final class Nat44Out2InNode implements Node {
    public static final String NAME = "nat44-out2in";

    enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP),
        /**
         * The end of ip4-unicast, which featureNext reaches: declared so its index is fixed, as VPP's
         * NAT44_OUT2IN_NEXT_LOOKUP.
         */
        LOOKUP("ip4-lookup");

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

    enum Error implements NodeError {
        OUT2IN_PACKETS("Good out2in packets processed"),
        SESSIONS_CREATED("static mapping sessions created"),
        BAD_ICMP("ICMP error malformed, truncated or with a bad checksum"),
        FRAGMENT("non-first fragment to a pool address without a session passed untranslated (no stamp, or none)"),
        OUT_OF_PORTS("out of ports (hairpinning)"),
        MAX_SESSIONS_EXCEEDED("maximum sessions exceeded"),
        MAX_USER_SESSIONS_EXCEEDED("maximum sessions per inside address exceeded"),
        MAPPING_COLLISION("static mapping collides with a session"),
        TRUNCATED("TCP, UDP or ICMP header truncated (to a static mapping)"),
        /**
         * A RST or FIN from outside whose sequence number is not in the window the session's inside host advertised
         * (RFC 5961): dropped, and the session's state and timeout stay as they were.
         */
        TCP_OUT_OF_WINDOW("TCP RST or FIN from outside with a sequence number out of the session's window"),
        /**
         * An ICMP error to a pool address quoting no live session (or not addressed to the endpoint it quotes):
         * nobody inside is waiting for it (RFC 5508 REQ-4; RFC 5927's blind attacks).
         */
        ICMP_NO_SESSION("ICMP error about a flow with no session"),
        /**
         * Address-and-port-dependent filtering (RFC 4787 REQ-8, the default): a packet to the outside endpoint of a
         * live dynamic mapping from a remote endpoint the inside endpoint has no session with.
         */
        FILTERED("packet to a mapping from a remote without a session (address-and-port-dependent filtering)"),
        /** Endpoint-independent filtering (or hairpinning): a new remote reached a live dynamic mapping. */
        MAPPING_SESSIONS_CREATED("sessions a new remote opened to a dynamic mapping (endpoint-independent filtering)"),
        /** A new session found the table or its inside address full and took an expired session's place. */
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
                    NextArc.names(Next.class), List.of(Error.values()), Nat44Trace::formatOut2In)
            .withFeature(FeatureRegistration.on(FeatureArc.IP4_UNICAST).after("acl-plugin-in-ip4-fa"));

    private final Nat44Dataplane dataplane;
    private final int[] counts = new int[Error.values().length];
    /** The graph's workers, set under the table lock: a hairpinned sender's new port comes from its owner's block. */
    private int workers = 1;

    /** A node over {@code dataplane}, for the bundle's tests and testkit; DS sees only the public constructor. */
    Nat44Out2InNode(Nat44Dataplane dataplane) {
        this.dataplane = dataplane;
    }

    @Activate
    public Nat44Out2InNode(@Reference Nat44Runtime runtime) {
        this(runtime.dataplane());
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        Nat44Policy policy = dataplane.policy();
        SessionTable table = dataplane.table();
        long now = dataplane.now();
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        int translated = 0;
        int fragments = 0;
        int outOfWindow = 0;
        boolean slowWork = false;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int rx = pool.rxSwIfIndex(bi);
            long ip = pool.l3Header(bi);
            long l4 = pool.l4Header(bi);
            int protocol = pool.ipProtocol(bi);
            int session = -1;
            int next = context.featureNext(rx);
            if (Nat44Fragments.later(pool, bi)) {
                int port = Nat44Fragments.destinationPort(pool, bi, protocol);
                int s = port < 0 ? -1 : table.lookupOut2In(SessionTable.key(Ipv4.dst(seg, ip), port, protocol),
                        Ipv4.src(seg, ip), Nat44Fragments.remotePortIn(pool, bi, protocol));
                if (s >= 0 && table.expiresAt(s) > now && !policy.inside(rx)) {
                    dataplane.touch(policy, s, now, protocol, 0, false, Ipv4.totalLength(seg, ip));
                    Nat44Fragments.rewriteDestination(seg, ip, SessionTable.keyAddress(table.inKey(s)));
                    pool.orFlags(bi, VnetBufferFlags.NATED);
                    session = s;
                    translated++;
                } else if (port >= 0 && policy.mappings.translatesExternal(Ipv4.dst(seg, ip), port, protocol)) {
                    slowWork = true; // its first fragment may make the static mapping's session in this frame
                    session = -2;
                } else if (dataplane.ports().indexOf(Ipv4.dst(seg, ip)) >= 0) {
                    fragments++;
                }
            } else {
                int port = Nat44Packets.destinationPort(seg, ip, l4, protocol);
                boolean fromInside = policy.inside(rx);
                // From inside the remote half of the key is the sender's own outside endpoint, known only once the
                // slow path has translated its source (hairpinning).
                int s = port < 0 || fromInside ? -1 : table.lookupOut2In(SessionTable.key(Ipv4.dst(seg, ip), port,
                        protocol), Ipv4.src(seg, ip), Nat44Packets.remotePortIn(seg, l4, protocol));
                if (s >= 0 && table.expiresAt(s) > now
                        && protocol == Ipv4.PROTOCOL_TCP && dataplane.outsideWithoutEvidence(s, seg, l4)) {
                    next = ARC_DROP;
                    context.stampError(bi, Error.TCP_OUT_OF_WINDOW.ordinal());
                    session = s;
                    outOfWindow++;
                    dataplane.drops().record(Nat44DropRecorder.NODE_OUT2IN, Error.TCP_OUT_OF_WINDOW.ordinal(), pool, bi,
                            now);
                } else if (s >= 0 && table.expiresAt(s) > now) {
                    long inKey = table.inKey(s);
                    dataplane.touch(policy, s, now, protocol, Nat44Packets.tcpFlags(seg, l4, protocol), false,
                            Ipv4.totalLength(seg, ip));
                    Nat44IcmpError.recordArrived(pool, bi, Ipv4.dst(seg, ip), port);
                    Nat44Packets.rewriteDestination(seg, ip, l4, protocol, SessionTable.keyAddress(inKey),
                            SessionTable.keyPort(inKey));
                    pool.orFlags(bi, VnetBufferFlags.NATED);
                    session = s;
                    translated++;
                } else if (s >= 0 || port == -1
                        || policy.mappings.translatesExternal(Ipv4.dst(seg, ip), port, protocol)
                        || (port >= 0 && dataplane.outsidePortInUse(Ipv4.dst(seg, ip), port, protocol)
                            && policy.mappings.findByExternal(Ipv4.dst(seg, ip), port, protocol) < 0)) {
                    // A live dynamic mapping's port (an identity mapping's reserved port stays on the fast path):
                    // filtered, opened (endpoint-independent filtering) or hairpinned under the lock.
                    slowWork = true;
                    session = -2;
                }
            }
            pool.setOpaque(bi, Opaque.NAT_SESSION, session);
            nexts[i] = next;
        }
        if (slowWork) {
            synchronized (table.lock()) {
                workers = context.workerCount();
                long reusedBefore = dataplane.reused();
                for (int i = 0; i < n; i++) {
                    int bi = buffers[i];
                    if (pool.opaque(bi, Opaque.NAT_SESSION) == -2) {
                        int cause = translateSlow(policy, pool, bi, now);
                        if (cause >= 0) {
                            counts[cause]++;
                            nexts[i] = ARC_DROP;
                            context.stampError(bi, cause);
                            dataplane.drops().record(Nat44DropRecorder.NODE_OUT2IN, cause, pool, bi, now);
                        }
                    }
                }
                counts[Error.OUT2IN_PACKETS.ordinal()] += translated;
                counts[Error.FRAGMENT.ordinal()] += fragments;
                counts[Error.TCP_OUT_OF_WINDOW.ordinal()] += outOfWindow;
                counts[Error.SESSIONS_REUSED.ordinal()] += (int) (dataplane.reused() - reusedBefore);
                flush(context);
            }
        } else {
            context.countError(Error.OUT2IN_PACKETS.ordinal(), translated);
            context.countError(Error.FRAGMENT.ordinal(), fragments);
            context.countError(Error.TCP_OUT_OF_WINDOW.ordinal(), outOfWindow);
        }
        if (frame.traced()) {
            for (int i = 0; i < n; i++) {
                Nat44Trace.record(context, pool, buffers[i],
                        nexts[i] == ARC_DROP ? Nat44Trace.OUT2IN_NEXT_DROP : Nat44Trace.OUT2IN_NEXT_LOOKUP);
            }
        }
        return n;
    }

    private void flush(NodeContext context) {
        for (int e = 0; e < counts.length; e++) {
            if (counts[e] != 0) {
                context.countError(e, counts[e]);
                counts[e] = 0;
            }
        }
    }

    /**
     * The rare cases, lock held: ICMP errors, static mappings, expired sessions, hairpinning. Returns -1 to
     * forward the packet (translated or not), or the ordinal of the error that drops it.
     */
    private int translateSlow(Nat44Policy policy, BufferPool pool, int bi, long now) {
        pool.setOpaque(bi, Opaque.NAT_SESSION, -1);
        MemorySegment seg = pool.segment();
        SessionTable table = dataplane.table();
        long ip = pool.l3Header(bi);
        long l4 = pool.l4Header(bi);
        int protocol = pool.ipProtocol(bi);
        if (Nat44Fragments.later(pool, bi)) {
            return translateLaterFragment(policy, pool, bi, ip, protocol, now);
        }
        int port = Nat44Packets.destinationPort(seg, ip, l4, protocol);
        if (port == Nat44Packets.TRUNCATED) {
            return Error.TRUNCATED.ordinal();
        }
        if (port == -1) {
            return translateIcmpError(pool, bi, ip, l4, now);
        }
        int dst = Ipv4.dst(seg, ip);
        int rx = pool.rxSwIfIndex(bi);
        boolean fromInside = policy.inside(rx);
        long outKey = SessionTable.key(dst, port, protocol);
        int mapping = policy.mappings.findByExternal(dst, port, protocol);
        StaticMapping m = mapping < 0 ? null : policy.mappings.get(mapping);
        if (m != null && m.identity()) {
            return -1;
        }
        int dynamic = m == null ? dataplane.mappingOfOutside(outKey) : -1;
        if (fromInside) {
            if (m == null && dynamic < 0) {
                return -1;
            }
            int cause = hairpinSource(policy, pool, bi, ip, l4, protocol, now);
            if (cause >= 0) {
                return cause;
            }
        }
        // The remote half of the 5-tuple: the sender, as translated when it is inside (hairpinning).
        int remoteAddress = Ipv4.src(seg, ip);
        int remotePort = Nat44Packets.remotePortIn(seg, l4, protocol);
        int s = table.lookupOut2In(outKey, remoteAddress, remotePort);
        if (s >= 0 && table.expiresAt(s) <= now) {
            dataplane.delete(s);
            s = -1;
            dynamic = m == null ? dataplane.mappingOfOutside(outKey) : -1;
        }
        if (s < 0) {
            if (m != null) {
                int insidePort = m.addressOnly() ? port : m.localPort();
                s = dataplane.createStatic(policy, m.localAddress(), insidePort, protocol, dst, port, remoteAddress,
                        remotePort, -1, now);
                if (s < 0) {
                    return causeOf(s);
                }
                counts[Error.SESSIONS_CREATED.ordinal()]++;
            } else if (dynamic < 0) {
                return -1;
            } else if (!fromInside && !policy.endpointIndependentFiltering) {
                return Error.FILTERED.ordinal();
            } else {
                s = dataplane.createFromOutside(policy, dynamic, remoteAddress, remotePort, now);
                if (s < 0) {
                    return s == Nat44Dataplane.NO_SESSION ? Error.FILTERED.ordinal() : causeOf(s);
                }
                counts[Error.MAPPING_SESSIONS_CREATED.ordinal()]++;
            }
        }
        long inKey = table.inKey(s);
        Nat44IcmpError.recordArrived(pool, bi, dst, port);
        if (fromInside) {
            Nat44IcmpError.recordNotQuotable(pool, bi);
        }
        if (protocol == Ipv4.PROTOCOL_TCP && !fromInside && dataplane.outsideWithoutEvidence(s, seg, l4)) {
            pool.setOpaque(bi, Opaque.NAT_SESSION, s);
            return Error.TCP_OUT_OF_WINDOW.ordinal();
        }
        dataplane.touch(policy, s, now, protocol, Nat44Packets.tcpFlags(seg, l4, protocol), false,
                Ipv4.totalLength(seg, ip));
        Nat44Packets.rewriteDestination(seg, ip, l4, protocol, SessionTable.keyAddress(inKey),
                SessionTable.keyPort(inKey));
        pool.orFlags(bi, VnetBufferFlags.NATED);
        pool.setOpaque(bi, Opaque.NAT_SESSION, s);
        counts[Error.OUT2IN_PACKETS.ordinal()]++;
        return -1;
    }

    /** A later fragment to a static mapping: the session its first fragment made, by the stamped ports, or none. */
    private int translateLaterFragment(Nat44Policy policy, BufferPool pool, int bi, long ip, int protocol, long now) {
        MemorySegment seg = pool.segment();
        SessionTable table = dataplane.table();
        int port = Nat44Fragments.destinationPort(pool, bi, protocol);
        int s = port < 0 ? -1 : table.lookupOut2In(SessionTable.key(Ipv4.dst(seg, ip), port, protocol),
                Ipv4.src(seg, ip), Nat44Fragments.remotePortIn(pool, bi, protocol));
        if (s < 0 || table.expiresAt(s) <= now || policy.inside(pool.rxSwIfIndex(bi))) {
            counts[Error.FRAGMENT.ordinal()]++;
            return -1;
        }
        dataplane.touch(policy, s, now, protocol, 0, false, Ipv4.totalLength(seg, ip));
        Nat44Fragments.rewriteDestination(seg, ip, SessionTable.keyAddress(table.inKey(s)));
        pool.orFlags(bi, VnetBufferFlags.NATED);
        pool.setOpaque(bi, Opaque.NAT_SESSION, s);
        counts[Error.OUT2IN_PACKETS.ordinal()]++;
        return -1;
    }

    /**
     * Hairpinning: the sender is inside too, so its source becomes its own outside endpoint (creating its
     * session if needed) before the destination is translated. TCP and UDP only.
     */
    private int hairpinSource(Nat44Policy policy, BufferPool pool, int bi, long ip, long l4, int protocol, long now) {
        if (protocol != Ipv4.PROTOCOL_TCP && protocol != Ipv4.PROTOCOL_UDP) {
            return -1;
        }
        MemorySegment seg = pool.segment();
        SessionTable table = dataplane.table();
        int src = Ipv4.src(seg, ip);
        int srcPort = Nat44Packets.sourcePort(seg, ip, l4, protocol);
        int dstPort = Nat44Packets.destinationPort(seg, ip, l4, protocol);
        int s = table.lookupIn2Out(SessionTable.key(src, srcPort, protocol), Ipv4.dst(seg, ip), dstPort);
        if (s >= 0 && table.expiresAt(s) <= now) {
            dataplane.delete(s);
            s = -1;
        }
        if (s < 0) {
            s = dataplane.createIn2Out(policy, src, srcPort, protocol, Ipv4.dst(seg, ip), dstPort,
                    pool.rxSwIfIndex(bi), now, Nat44WorkerOwner.ofInsideAddress(src, workers));
            if (s < 0) {
                return causeOf(s);
            }
            counts[Error.SESSIONS_CREATED.ordinal()]++;
        }
        dataplane.touch(policy, s, now, protocol, Nat44Packets.tcpFlags(seg, l4, protocol), true,
                Ipv4.totalLength(seg, ip));
        long outKey = table.outKey(s);
        Nat44Packets.rewriteSource(seg, ip, l4, protocol, SessionTable.keyAddress(outKey),
                SessionTable.keyPort(outKey));
        return -1;
    }

    /** An ICMP error from outside: translated with its quote when it is about a session ({@link Nat44IcmpError}). */
    private int translateIcmpError(BufferPool pool, int bi, long ip, long icmp, long now) {
        if (!Icmp.isError(Icmp.type(pool.segment(), icmp))) {
            return -1;
        }
        return switch (Nat44IcmpError.out2In(dataplane, pool, bi, ip, icmp, now)) {
            case Nat44IcmpError.TRANSLATED -> {
                counts[Error.OUT2IN_PACKETS.ordinal()]++;
                yield -1;
            }
            case Nat44IcmpError.MALFORMED -> Error.BAD_ICMP.ordinal();
            case Nat44IcmpError.NO_SESSION -> Error.ICMP_NO_SESSION.ordinal();
            default -> -1;
        };
    }

    private static int causeOf(int createResult) {
        return switch (createResult) {
            case Nat44Dataplane.NO_PORTS, Nat44Dataplane.NO_ADDRESS -> Error.OUT_OF_PORTS.ordinal();
            case Nat44Dataplane.NO_SESSION -> Error.FILTERED.ordinal();
            case Nat44Dataplane.TABLE_FULL -> Error.MAX_SESSIONS_EXCEEDED.ordinal();
            case Nat44Dataplane.USER_LIMIT -> Error.MAX_USER_SESSIONS_EXCEEDED.ordinal();
            default -> Error.MAPPING_COLLISION.ordinal();
        };
    }
}
