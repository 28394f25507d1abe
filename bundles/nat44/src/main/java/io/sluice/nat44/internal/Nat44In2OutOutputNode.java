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
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Opaque;
import io.sluice.vnet.api.VnetBufferFlags;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code nat44-in2out-output}: source NAT after routing, on the ip4-output arc of an outside interface with
 * the output feature (VPP's {@code set interface nat44 out <if> output-feature}). A packet from an inside
 * interface whose flow (inside 5-tuple) has a live session gets the session's outside address and port; a miss
 * (or ICMP error, fragment, other protocol) goes to {@code nat44-in2out-output-slowpath}. Packets that did not
 * come in on an inside interface (the box's own) pass untouched.
 *
 * <p>Current data is the Ethernet header here (ip4-rewrite prepended it); the IPv4 and L4 headers are where
 * ip4-input recorded them ({@code BufferPool.l3Header}, {@code l4Header}), with the protocol and whether the
 * packet is a later fragment. The TTL is already decremented: the checksums patched here are final.
 */
@Component(service = Node.class)
public final class Nat44In2OutOutputNode implements Node {
    public static final String NAME = "nat44-in2out-output";

    enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP),
        SLOW_PATH(Nat44In2OutSlowPathNode.NAME);

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
    static final int ARC_SLOW_PATH = Next.SLOW_PATH.ordinal();

    enum Error implements NodeError {
        IN2OUT_PACKETS("Good in2out packets processed"),
        NO_CONFIGURATION("no valid NAT44 configuration in force (dropped: nothing leaves untranslated)");

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
                    NextArc.names(Next.class), List.of(Error.values()), Nat44Trace::formatFastPath)
            .withFeature(FeatureRegistration.on(FeatureArc.IP4_OUTPUT).after("acl-plugin-out-ip4-fa"));

    private final Nat44Dataplane dataplane;

    /** A node over {@code dataplane}, for the bundle's tests and testkit; DS sees only the public constructor. */
    Nat44In2OutOutputNode(Nat44Dataplane dataplane) {
        this.dataplane = dataplane;
    }

    @Activate
    public Nat44In2OutOutputNode(@Reference Nat44Runtime runtime) {
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
        int refused = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int next = context.featureNext(pool.txSwIfIndex(bi));
            int session = -1;
            if (policy.refusing) {
                next = ARC_DROP;
                context.stampError(bi, Error.NO_CONFIGURATION.ordinal());
                refused++;
                dataplane.drops().record(Nat44DropRecorder.NODE_IN2OUT_OUTPUT, Error.NO_CONFIGURATION.ordinal(), pool,
                        bi, now);
            } else if (policy.inside(pool.rxSwIfIndex(bi))) {
                long ip = pool.l3Header(bi);
                long l4 = pool.l4Header(bi);
                int protocol = pool.ipProtocol(bi);
                boolean later = Nat44Fragments.later(pool, bi);
                int port = later ? Nat44Fragments.sourcePort(pool, bi, protocol)
                        : Nat44Packets.sourcePort(seg, ip, l4, protocol);
                int s = port < 0 ? -1 : table.lookupIn2Out(SessionTable.key(Ipv4.src(seg, ip), port, protocol),
                        Ipv4.dst(seg, ip), later ? Nat44Fragments.remotePortOut(pool, bi, protocol)
                                : Nat44Packets.remotePortOut(seg, l4, protocol));
                if (s < 0 || table.expiresAt(s) <= now) {
                    next = ARC_SLOW_PATH;
                } else {
                    long outKey = table.outKey(s);
                    dataplane.touch(policy, s, now, protocol, later ? 0 : Nat44Packets.tcpFlags(seg, l4, protocol),
                            true, Ipv4.totalLength(seg, ip));
                    if (later) {
                        Nat44Fragments.rewriteSource(seg, ip, SessionTable.keyAddress(outKey));
                    } else {
                        if (protocol == Ipv4.PROTOCOL_TCP) {
                            dataplane.learnInsideWindow(s, seg, ip, l4);
                        }
                        Nat44Packets.rewriteSource(seg, ip, l4, protocol, SessionTable.keyAddress(outKey),
                                SessionTable.keyPort(outKey));
                    }
                    pool.orFlags(bi, VnetBufferFlags.NATED);
                    session = s;
                    translated++;
                }
            }
            pool.setOpaque(bi, Opaque.NAT_SESSION, session);
            nexts[i] = next;
        }
        if (frame.traced()) {
            for (int i = 0; i < n; i++) {
                int arc = nexts[i];
                Nat44Trace.record(context, pool, buffers[i], arc == ARC_SLOW_PATH ? Nat44Trace.IN2OUT_NEXT_SLOW_PATH
                        : arc == ARC_DROP ? Nat44Trace.IN2OUT_NEXT_DROP : Nat44Trace.IN2OUT_NEXT_OUTPUT);
            }
        }
        context.countError(Error.IN2OUT_PACKETS.ordinal(), translated);
        context.countError(Error.NO_CONFIGURATION.ordinal(), refused);
        return n;
    }
}
