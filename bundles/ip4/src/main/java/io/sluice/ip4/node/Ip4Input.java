package io.sluice.ip4.node;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PacketFormat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The body of ip4-input and ip4-input-no-checksum (RFC 1812 section 5.2.2, "IP header validation"): version
 * 4, a header of at least 20 bytes that fits in the total length, a total length the buffer holds (the
 * buffer is then trimmed to it, dropping Ethernet padding), the header checksum unless the driver vouched
 * for it, no fragment at offset 1 (RFC 1858 section 3.2, the overlapping-fragment attack), and a TTL above 0
 * (RFC 1812 5.3.1; a TTL of 0 is answered with ICMP time exceeded). Options are allowed and stepped over.
 * A good packet gets the one parse of its header recorded in its metadata (L3 and L4 offsets, protocol, whether
 * the L4 header is there: {@link BufferPool#setIp4Header}), which the nodes after it read instead of parsing
 * again, and starts the ip4-unicast arc.
 */
final class Ip4Input {

    /** Next arcs of both variants. */
    enum Next implements NextArc {
        DROP(GraphRuntime.ERROR_DROP),
        ICMP_ERROR(Ip4Graph.IP4_ICMP_ERROR);

        private final String nodeName;

        Next(String nodeName) {
            this.nodeName = nodeName;
        }

        @Override
        public String nodeName() {
            return nodeName;
        }
    }

    static final int NEXT_DROP = Next.DROP.ordinal();
    static final int NEXT_ICMP_ERROR = Next.ICMP_ERROR.ordinal();

    /** Trace record: packet length, then the packet's first bytes (the seed's IPv4 and TCP block). */
    static final int TRACE_LENGTH = 0;
    static final int TRACE_PACKET = 4;
    static final int TRACE_CAPTURE = TraceRing.PAYLOAD_SIZE - TRACE_PACKET;

    private Ip4Input() {
    }

    /** {@code verifyChecksum} is a constant in each variant, so the JIT folds the test away. */
    static int process(NodeContext context, Frame frame, boolean verifyChecksum) {
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        long tooShort = 0;
        long badLength = 0;
        long badHeaderLength = 0;
        long badChecksum = 0;
        long badVersion = 0;
        long fragmentOffsetOne = 0;
        long timeExpired = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int length = pool.length(bi);
            if (length < Ipv4.MIN_HEADER_LENGTH) {
                tooShort++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Ip4InputError.TOO_SHORT.ordinal());
                continue;
            }
            long ip = pool.dataOffset(bi);
            int versionAndIhl = seg.get(ValueLayout.JAVA_BYTE, ip) & 0xff;
            if (versionAndIhl >>> 4 != 4) {
                badVersion++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Ip4InputError.VERSION.ordinal());
                continue;
            }
            int headerLength = (versionAndIhl & 0x0f) << 2;
            int totalLength = Ipv4.totalLength(seg, ip);
            if (headerLength < Ipv4.MIN_HEADER_LENGTH || totalLength < Ipv4.MIN_HEADER_LENGTH) {
                tooShort++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Ip4InputError.TOO_SHORT.ordinal());
                continue;
            }
            if (totalLength > length) {
                badLength++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Ip4InputError.BAD_LENGTH.ordinal());
                continue;
            }
            if (headerLength > totalLength) {
                badHeaderLength++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Ip4InputError.BAD_HEADER_LENGTH.ordinal());
                continue;
            }
            if (verifyChecksum && Checksum.sum(seg, ip, headerLength) != 0xffff) {
                badChecksum++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Ip4InputError.BAD_CHECKSUM.ordinal());
                continue;
            }
            int fragmentOffset = Ipv4.fragmentOffset(seg, ip);
            if (fragmentOffset == 1) {
                fragmentOffsetOne++;
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Ip4InputError.FRAGMENT_OFFSET_ONE.ordinal());
                continue;
            }
            if (length != totalLength) {
                pool.setLength(bi, totalLength);
            }
            int current = pool.currentData(bi);
            int protocol = Ipv4.protocol(seg, ip);
            pool.setIp4Header(bi, current, current + headerLength, protocol,
                    Ipv4.l4Info(protocol, fragmentOffset, totalLength - headerLength));
            if (Ipv4.ttl(seg, ip) == 0) {
                timeExpired++;
                Ip4Graph.requestIcmpError(pool, bi, Icmp.TYPE_TIME_EXCEEDED, Icmp.CODE_TTL_EXCEEDED_IN_TRANSIT, 0);
                nexts[i] = NEXT_ICMP_ERROR;
                continue;
            }
            nexts[i] = context.featureStart(0, pool.rxSwIfIndex(bi));
        }
        if (frame.traced()) {
            trace(context, pool, buffers, n);
        }
        if (tooShort + badLength + badHeaderLength + badChecksum + badVersion + fragmentOffsetOne + timeExpired != 0) {
            context.countError(Ip4InputError.TOO_SHORT.ordinal(), tooShort);
            context.countError(Ip4InputError.BAD_LENGTH.ordinal(), badLength);
            context.countError(Ip4InputError.BAD_HEADER_LENGTH.ordinal(), badHeaderLength);
            context.countError(Ip4InputError.BAD_CHECKSUM.ordinal(), badChecksum);
            context.countError(Ip4InputError.VERSION.ordinal(), badVersion);
            context.countError(Ip4InputError.FRAGMENT_OFFSET_ONE.ordinal(), fragmentOffsetOne);
            context.countError(Ip4InputError.TIME_EXPIRED.ordinal(), timeExpired);
        }
        return n;
    }

    static void trace(NodeContext context, BufferPool pool, int[] buffers, int n) {
        MemorySegment trace = context.traceSegment();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long record = context.trace(bi);
            if (record >= 0) {
                tracePacket(pool, bi, trace, record, TRACE_CAPTURE);
            }
        }
    }

    /** Writes length and first bytes of {@code bi} at {@code record}: shared by the ip4 nodes' traces. */
    static void tracePacket(BufferPool pool, int bi, MemorySegment trace, long record, int capture) {
        int length = pool.length(bi);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_LENGTH, length);
        MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + TRACE_PACKET,
                Math.min(length, capture));
    }

    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        formatPacket(record, offset, out, TRACE_CAPTURE);
    }

    static void formatPacket(MemorySegment record, long offset, StringBuilder out, int capture) {
        int length = record.get(ValueLayout.JAVA_INT, offset + TRACE_LENGTH);
        PacketFormat.appendIp4Header(record, offset + TRACE_PACKET, Math.min(length, capture), out, PacketFormat.column(out));
    }
}
