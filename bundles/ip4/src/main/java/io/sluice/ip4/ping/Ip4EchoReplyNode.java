package io.sluice.ip4.ping;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.packet.api.PacketFormat;
import java.lang.foreign.ValueLayout;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ip4-icmp-echo-reply} (VPP's ping plugin's node of that name): echo replies addressed to the box, handed
 * over by ip4-local. A reply to the ping in progress is matched by source, identifier and sequence number and
 * its time recorded; every reply is then freed and counted, the ping's and the others apart.
 */
@Component(service = Node.class, immediate = true)
public final class Ip4EchoReplyNode implements Node {

    public enum Next implements NextArc {
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

    public enum Error implements NodeError {
        ECHO_REPLIES_RECEIVED("echo replies received for the box's ping"),
        ECHO_REPLY_UNEXPECTED("echo replies matching no ping in progress (late, duplicated or not ours)"),
        ECHO_REPLY_BAD_CHECKSUM("echo replies with a bad icmp checksum or truncated");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(Ip4Graph.IP4_ICMP_ECHO_REPLY,
            NextArc.names(Next.class), List.of(Error.values()), Ip4EchoReplyNode::format);

    /** Trace record: the reply's source, identifier, sequence number. */
    private static final int TRACE_SOURCE = 0;
    private static final int TRACE_IDENTIFIER = 4;
    private static final int TRACE_SEQUENCE = 8;

    private final Ip4PingService service;

    @Activate
    public Ip4EchoReplyNode(@Reference Ip4PingService service) {
        this.service = service;
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
        PingRun run = service.current();
        long now = System.nanoTime();
        long received = 0;
        long unexpected = 0;
        long bad = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            nexts[i] = Next.DROP.ordinal();
            long ip = pool.l3Header(bi);
            long icmp = pool.l4Header(bi);
            int icmpLength = Ipv4.totalLength(seg, ip) - (int) (icmp - ip);
            if (icmpLength < Icmp.HEADER_LENGTH || !Icmp.checksumValid(seg, icmp, icmpLength)) {
                context.stampError(bi, Error.ECHO_REPLY_BAD_CHECKSUM.ordinal());
                bad++;
            } else if (run != null && run.reply(Ipv4.src(seg, ip), Icmp.echoId(seg, icmp), Icmp.echoSeq(seg, icmp), now)) {
                context.stampError(bi, Error.ECHO_REPLIES_RECEIVED.ordinal());
                received++;
            } else {
                context.stampError(bi, Error.ECHO_REPLY_UNEXPECTED.ordinal());
                unexpected++;
            }
        }
        if (frame.traced()) {
            trace(context, pool, buffers, n);
        }
        context.countError(Error.ECHO_REPLIES_RECEIVED.ordinal(), received);
        context.countError(Error.ECHO_REPLY_UNEXPECTED.ordinal(), unexpected);
        context.countError(Error.ECHO_REPLY_BAD_CHECKSUM.ordinal(), bad);
        return n;
    }

    private static void trace(NodeContext context, BufferPool pool, int[] buffers, int n) {
        MemorySegment seg = pool.segment();
        MemorySegment trace = context.traceSegment();
        for (int i = 0; i < n; i++) {
            long record = context.trace(buffers[i]);
            if (record < 0) {
                continue;
            }
            long ip = pool.l3Header(buffers[i]);
            long icmp = pool.l4Header(buffers[i]);
            trace.set(ValueLayout.JAVA_INT, record + TRACE_SOURCE, Ipv4.src(seg, ip));
            trace.set(ValueLayout.JAVA_INT, record + TRACE_IDENTIFIER, Icmp.echoId(seg, icmp));
            trace.set(ValueLayout.JAVA_INT, record + TRACE_SEQUENCE, Icmp.echoSeq(seg, icmp));
        }
    }

    /** {@code ICMP echo reply: from 203.0.113.51 id 0x1a2b seq 1}. */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        out.append("ICMP echo reply: from ")
                .append(PacketFormat.formatIp4(record.get(ValueLayout.JAVA_INT, offset + TRACE_SOURCE)))
                .append(" id 0x").append(String.format("%04x", record.get(ValueLayout.JAVA_INT, offset + TRACE_IDENTIFIER)))
                .append(" seq ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_SEQUENCE)).append('\n');
    }
}
