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
import org.osgi.service.component.annotations.Component;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@code ip4-local}: packets for the box's own addresses. An ICMP echo request (RFC 792) is turned into the
 * echo reply in place (type 0, addresses swapped, the ICMP checksum patched by RFC 1624, a fresh TTL) and
 * routed back through ip4-lookup. The box runs no IP host stack: UDP is answered with ICMP port unreachable
 * (RFC 1122 section 4.1.3.1), TCP and other protocols are counted and dropped, as are fragments (no
 * reassembly) and ICMP messages other than echo requests and replies; echo replies go to ip4-icmp-echo-reply,
 * which matches them to the box's own ping.
 */
@Component(service = Node.class, immediate = true)
public final class Ip4LocalNode implements Node {

    public enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP),
        LOOKUP(Ip4Graph.IP4_LOOKUP),
        ICMP_ERROR(Ip4Graph.IP4_ICMP_ERROR),
        ECHO_REPLY(Ip4Graph.IP4_ICMP_ECHO_REPLY);

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
    public static final int NEXT_ICMP_ERROR = Next.ICMP_ERROR.ordinal();
    public static final int NEXT_ECHO_REPLY = Next.ECHO_REPLY.ordinal();

    /** TTL of the box's own replies (RFC 1700's recommended default). */
    static final int REPLY_TTL = 64;

    /** Wording of VPP's ip4_error.h and icmp4.c where they have one. */
    public enum Error implements NodeError {
        ECHO_REPLIES_SENT("echo replies sent"),
        UNKNOWN_PROTOCOL("unknown ip protocol"),
        NO_LISTENER("no listener for dst port"),
        ICMP_NOT_ECHO("icmp message to the box other than echo request"),
        ICMP_BAD_CHECKSUM("bad icmp checksum"),
        FRAGMENT("fragment to the box (no reassembly)");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(Ip4Graph.IP4_LOCAL,
            NextArc.names(Next.class), List.of(Error.values()), Ip4Input::format);

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
        if (frame.traced()) {
            Ip4Input.trace(context, pool, buffers, n);
        }
        long echoReplies = 0;
        long unknownProtocol = 0;
        long noListener = 0;
        long notEcho = 0;
        long badChecksum = 0;
        long fragments = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long ip = pool.l3Header(bi);
            nexts[i] = NEXT_DROP;
            if (Ipv4.isFragment(seg, ip)) {
                fragments++;
                context.stampError(bi, Error.FRAGMENT.ordinal());
                continue;
            }
            long l4 = pool.l4Header(bi);
            int payloadLength = Ipv4.totalLength(seg, ip) - (int) (l4 - ip);
            switch (pool.ipProtocol(bi)) {
                case Ipv4.PROTOCOL_ICMP -> {
                    if (payloadLength >= Icmp.HEADER_LENGTH && Icmp.type(seg, l4) == Icmp.TYPE_ECHO_REPLY) {
                        nexts[i] = NEXT_ECHO_REPLY; // the box's own ping: ip4-icmp-echo-reply matches and counts it
                    } else if (payloadLength < Icmp.HEADER_LENGTH || Icmp.type(seg, l4) != Icmp.TYPE_ECHO_REQUEST) {
                        notEcho++;
                        context.stampError(bi, Error.ICMP_NOT_ECHO.ordinal());
                    } else if (!Icmp.checksumValid(seg, l4, payloadLength)) {
                        badChecksum++;
                        context.stampError(bi, Error.ICMP_BAD_CHECKSUM.ordinal());
                    } else {
                        answerEcho(seg, ip, l4, payloadLength);
                        pool.setFlags(bi, BufferPool.FLAG_LOCALLY_ORIGINATED | (pool.flags(bi) & BufferPool.FLAG_TRACED));
                        echoReplies++;
                        nexts[i] = NEXT_LOOKUP;
                    }
                }
                case Ipv4.PROTOCOL_UDP -> {
                    noListener++;
                    Ip4Graph.requestIcmpError(pool, bi, Icmp.TYPE_DESTINATION_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE, 0);
                    nexts[i] = NEXT_ICMP_ERROR;
                }
                case Ipv4.PROTOCOL_TCP -> {
                    noListener++;
                    context.stampError(bi, Error.NO_LISTENER.ordinal());
                }
                default -> {
                    unknownProtocol++;
                    context.stampError(bi, Error.UNKNOWN_PROTOCOL.ordinal());
                }
            }
        }
        context.countError(Error.ECHO_REPLIES_SENT.ordinal(), echoReplies);
        if (unknownProtocol + noListener + notEcho + badChecksum + fragments != 0) {
            context.countError(Error.UNKNOWN_PROTOCOL.ordinal(), unknownProtocol);
            context.countError(Error.NO_LISTENER.ordinal(), noListener);
            context.countError(Error.ICMP_NOT_ECHO.ordinal(), notEcho);
            context.countError(Error.ICMP_BAD_CHECKSUM.ordinal(), badChecksum);
            context.countError(Error.FRAGMENT.ordinal(), fragments);
        }
        return n;
    }

    /**
     * Turns the request into its reply in place. The ICMP checksum is summed again rather than patched: RFC 1624's
     * equation 3 yields 0x0000 when the reply's words sum to zero, but an all-zero reply (code 0, identifier 0,
     * sequence 0, no data) needs 0xffff, and receivers drop the other. A ping is no fast path, and the request's
     * checksum was just summed anyway.
     */
    private static void answerEcho(MemorySegment seg, long ip, long icmp, int icmpLength) {
        Icmp.setType(seg, icmp, Icmp.TYPE_ECHO_REPLY);
        Icmp.setChecksum(seg, icmp, 0);
        Icmp.setChecksum(seg, icmp, Checksum.internetChecksum(seg, icmp, icmpLength));
        int src = Ipv4.src(seg, ip);
        Ipv4.setSrc(seg, ip, Ipv4.dst(seg, ip));
        Ipv4.setDst(seg, ip, src);
        Ipv4.setTtl(seg, ip, REPLY_TTL);
        Checksum.setIp4HeaderChecksum(seg, ip);
    }
}
