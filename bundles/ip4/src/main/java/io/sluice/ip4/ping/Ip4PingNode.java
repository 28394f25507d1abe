package io.sluice.ip4.ping;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.InterruptibleInput;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.PacketFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ip4-ping}: the box's own echo requests (RFC 792), made from the published {@link PingRun} as the
 * control plane releases them and handed to ip4-lookup, so they are routed, filtered and rewritten as any packet
 * the box sends. An input node, polled by one worker; with no request released it lets the worker sleep.
 */
@Component(service = Node.class, immediate = true)
public final class Ip4PingNode implements Node, InterruptibleInput {

    public enum Next implements NextArc {
        LOOKUP(Ip4Graph.IP4_LOOKUP),
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

    static final int NEXT_LOOKUP = Next.LOOKUP.ordinal();

    public enum Error implements NodeError {
        ECHO_REQUESTS_SENT("echo requests sent"),
        NO_BUFFERS("echo requests not sent: the buffer pool was empty");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    /** Initial TTL of the box's requests (RFC 1700's recommended default, as ip4-local's replies). */
    static final int REQUEST_TTL = 64;

    /** Trace record: identifier, sequence, source, destination, data length. */
    private static final int TRACE_IDENTIFIER = 0;
    private static final int TRACE_SEQUENCE = 4;
    private static final int TRACE_SOURCE = 8;
    private static final int TRACE_DESTINATION = 12;
    private static final int TRACE_LENGTH = 16;

    private static final NodeRegistration REGISTRATION = NodeRegistration.input(Ip4Graph.IP4_PING, NextArc.names(Next.class),
            List.of(Error.values()), Ip4PingNode::format);

    private final Ip4PingService service;

    @Activate
    public Ip4PingNode(@Reference Ip4PingService service) {
        this.service = service;
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int rxFds(int worker, int[] fds, int from) {
        PingRun run = service.current();
        return run != null && run.pending() ? POLLING_ONLY : 0;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        PingRun run = service.current();
        if (run == null || !run.pending()) {
            return 0;
        }
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        boolean tracing = context.traceArmed() > 0;
        int sent = run.sent.get();
        int due = Math.min(run.due.get(), sent + Frame.CAPACITY - frame.count());
        for (; sent < due; sent++) {
            int bi = pool.alloc();
            if (bi < 0) {
                context.countError(Error.NO_BUFFERS.ordinal(), due - sent);
                break;
            }
            write(pool, seg, bi, run, sent + 1);
            run.sentAt.set(sent, System.nanoTime());
            if (tracing) {
                long record = context.traceInput(bi);
                if (record >= 0) {
                    frame.setTraced(true);
                    trace(context.traceSegment(), record, run, sent + 1);
                }
            }
            frame.add(bi, NEXT_LOOKUP);
        }
        context.countError(Error.ECHO_REQUESTS_SENT.ordinal(), sent - run.sent.get());
        run.sent.set(sent);
        return frame.count();
    }

    /** An IPv4 header with no options, the echo request's header and its data (the sequence's low byte, repeated). */
    static void write(BufferPool pool, MemorySegment seg, int bi, PingRun run, int sequence) {
        int icmpLength = Icmp.HEADER_LENGTH + run.dataLength;
        int total = Ipv4.MIN_HEADER_LENGTH + icmpLength;
        pool.setData(bi, 0, total);
        long ip = pool.dataOffset(bi);
        Ipv4.setVersionAndIhl(seg, ip, Ipv4.VERSION_IHL_NO_OPTIONS);
        Ipv4.setTos(seg, ip, 0);
        Ipv4.setTotalLength(seg, ip, total);
        Ipv4.setId(seg, ip, sequence & 0xffff);
        Ipv4.setFlagsAndFragmentOffset(seg, ip, 0);
        Ipv4.setTtl(seg, ip, REQUEST_TTL);
        Ipv4.setProtocol(seg, ip, Ipv4.PROTOCOL_ICMP);
        Ipv4.setSrc(seg, ip, run.source);
        Ipv4.setDst(seg, ip, run.destination);
        Checksum.setIp4HeaderChecksum(seg, ip);
        long icmp = ip + Ipv4.MIN_HEADER_LENGTH;
        Icmp.setType(seg, icmp, Icmp.TYPE_ECHO_REQUEST);
        Icmp.setCode(seg, icmp, 0);
        NetworkOrder.setU16(seg, icmp + Icmp.ECHO_ID, run.identifier);
        NetworkOrder.setU16(seg, icmp + Icmp.ECHO_SEQ, sequence & 0xffff);
        for (int i = 0; i < run.dataLength; i++) {
            seg.set(ValueLayout.JAVA_BYTE, icmp + Icmp.HEADER_LENGTH + i, (byte) sequence);
        }
        Icmp.setChecksum(seg, icmp, 0);
        Icmp.setChecksum(seg, icmp, Checksum.internetChecksum(seg, icmp, icmpLength));
        pool.setRxSwIfIndex(bi, run.rxSwIfIndex);
        pool.setFlags(bi, BufferPool.FLAG_LOCALLY_ORIGINATED);
        pool.setIp4Header(bi, 0, Ipv4.MIN_HEADER_LENGTH, Ipv4.PROTOCOL_ICMP, BufferPool.L4_VALID);
    }

    private static void trace(MemorySegment trace, long record, PingRun run, int sequence) {
        trace.set(ValueLayout.JAVA_INT, record + TRACE_IDENTIFIER, run.identifier);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_SEQUENCE, sequence);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_SOURCE, run.source);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_DESTINATION, run.destination);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_LENGTH, run.dataLength);
    }

    /** {@code ICMP echo request: 192.168.16.1 -> 203.0.113.51 id 0x1a2b seq 1, 56 data bytes}. */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        out.append("ICMP echo request: ")
                .append(PacketFormat.formatIp4(record.get(ValueLayout.JAVA_INT, offset + TRACE_SOURCE))).append(" -> ")
                .append(PacketFormat.formatIp4(record.get(ValueLayout.JAVA_INT, offset + TRACE_DESTINATION)))
                .append(" id 0x").append(String.format("%04x", record.get(ValueLayout.JAVA_INT, offset + TRACE_IDENTIFIER)))
                .append(" seq ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_SEQUENCE)).append(", ")
                .append(record.get(ValueLayout.JAVA_INT, offset + TRACE_LENGTH)).append(" data bytes\n");
    }
}
