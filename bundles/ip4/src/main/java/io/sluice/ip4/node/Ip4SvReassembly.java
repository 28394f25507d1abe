package io.sluice.ip4.node;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.Tcp;
import io.sluice.packet.api.Udp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The body of ip4-sv-reassembly-feature (ip4-unicast) and ip4-sv-reassembly-output-feature (ip4-output): shallow
 * virtual reassembly, as VPP's src/vnet/ip/reass/ip4_sv_reass.c. Nothing is rebuilt or copied: the first fragment of
 * a datagram (offset 0, more fragments) passes as it is and its L4 facts (ports or ICMP type, code and echo
 * identifier, TCP flags) are kept per datagram; every later fragment is stamped with them in its metadata
 * ({@link BufferPool#setReassembledL4}), so that the ACL and NAT after this node treat it as they treated the first.
 * A later fragment that comes before its first is held (bounded: per datagram, per worker, in time) and sent on
 * right after the first, in offset order. Packets that are not fragments pass untouched and untraced, so traces of
 * unfragmented traffic read as before; fragments of protocols without ports pass unstamped.
 *
 * <p>Dropped as malformed (RFC 791 section 3.2, RFC 1858 section 3, RFC 3128): a fragment ending past 65535 bytes, a
 * fragment with more to follow whose payload is not a multiple of 8 bytes, a first fragment shorter than its L4
 * header (the tiny-fragment attack), a later fragment starting inside the first one's L4 header (the overlapping
 * fragment attack), and a second first fragment that disagrees with the first about the ports.
 */
final class Ip4SvReassembly {

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

    static final int NEXT_DROP = Next.DROP.ordinal();

    /** Contexts examined for their deadline per frame, as the ACL's sweep: bounded work on the worker. */
    static final int SWEEP_PER_FRAME = 64;

    /** What the node did to a buffer: the trace's op. */
    static final int OP_PASS = 0;
    static final int OP_FIRST = 1;
    static final int OP_STAMPED = 2;
    static final int OP_HELD = 3;
    static final int OP_RELEASED = 4;
    static final int OP_NO_PORTS = 5;
    static final int OP_MALFORMED = 6;
    static final int OP_TOO_MANY = 7;
    static final int OP_TABLE_FULL = 8;
    private static final String[] OP_NAMES = {"pass", "first fragment", "forward", "held", "released",
            "forward, no ports to learn", "drop malformed", "drop too many fragments", "drop table full"};

    /** Trace record layout. */
    private static final int TRACE_OP = 0;
    private static final int TRACE_CONTEXT = 4;
    private static final int TRACE_ID = 8;
    private static final int TRACE_OFFSET = 12;
    private static final int TRACE_PROTOCOL = 16;
    private static final int TRACE_PORTS = 20;
    private static final int TRACE_EXTRA = 24;

    private Ip4SvReassembly() {
    }

    /** The bytes of the L4 header a first fragment must hold for its facts to be learnt (RFC 1858 3.1). */
    static int l4HeaderLength(int protocol) {
        return switch (protocol) {
            case Ipv4.PROTOCOL_TCP -> Tcp.MIN_HEADER_LENGTH;
            case Ipv4.PROTOCOL_UDP -> Udp.HEADER_LENGTH;
            case Ipv4.PROTOCOL_ICMP -> Icmp.HEADER_LENGTH;
            default -> 0;
        };
    }

    /**
     * One frame. {@code output} is a constant in each node (the side whose sw_if_index continues the arc), so the
     * JIT folds the test. Buffers held leave the frame (it is compacted); buffers released are emitted after it.
     */
    static int process(NodeContext context, Frame frame, SvReassemblyTable[] tables, long now, boolean output) {
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        int worker = context.workerIndex();
        SvReassemblyTable table = worker < tables.length ? tables[worker] : null;
        if (table == null) {
            // A worker the node was not built for (the worker count grew): without a table fragments cannot be
            // stamped, so they are dropped and counted, never passed with ports 0.
            return dropFragmentsWithoutTable(context, frame, output);
        }
        boolean traced = frame.traced();
        if (traced) {
            System.arraycopy(buffers, 0, table.traceBuffers, 0, n);
        }
        table.pool = pool;
        long stamped = 0;
        long heldNow = 0;
        long released = 0;
        long tooMany = 0;
        long tableFull = 0;
        long malformed = 0;
        long timeout = table.expire(now, SWEEP_PER_FRAME, pool);
        boolean fullSweepDone = false;
        int[] ops = table.traceOps;
        int[] slots = table.traceSlots;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            long ip = pool.l3Header(bi);
            int flags = Ipv4.flagsAndFragmentOffset(seg, ip);
            int next = context.featureNext(output ? pool.txSwIfIndex(bi) : pool.rxSwIfIndex(bi));
            int op = OP_PASS;
            int slot = -1;
            if ((flags & (Ipv4.FLAG_MORE_FRAGMENTS | Ipv4.FRAGMENT_OFFSET_MASK)) != 0) {
                if (output) {
                    pool.clearReassembledL4(bi);
                }
                int protocol = pool.ipProtocol(bi);
                int needed = l4HeaderLength(protocol);
                long l4 = pool.l4Header(bi);
                int offset = (flags & Ipv4.FRAGMENT_OFFSET_MASK) << 3;
                int payload = Ipv4.totalLength(seg, ip) - (int) (l4 - ip);
                boolean last = (flags & Ipv4.FLAG_MORE_FRAGMENTS) == 0;
                if (needed == 0) {
                    op = OP_NO_PORTS;
                } else if (offset + payload > 0xffff || (!last && (payload & 7) != 0)
                        || (offset == 0 ? payload < needed : offset < needed)) {
                    op = OP_MALFORMED;
                } else {
                    long k0 = SvReassemblyTable.key0(Ipv4.src(seg, ip), Ipv4.dst(seg, ip));
                    int k1 = SvReassemblyTable.key1(Ipv4.id(seg, ip), protocol);
                    slot = table.find(k0, k1);
                    if (slot < 0) {
                        slot = table.create(k0, k1, now);
                        if (slot < 0 && !fullSweepDone) {
                            fullSweepDone = true;
                            timeout += table.expire(now, table.maxReassemblies, pool);
                            slot = table.create(k0, k1, now);
                        }
                    }
                    if (offset == 0) {
                        int portsWord = NetworkOrder.u32(seg, l4);
                        int extraWord = protocol == Ipv4.PROTOCOL_TCP ? Tcp.flags(seg, l4)
                                : protocol == Ipv4.PROTOCOL_ICMP ? Icmp.echoId(seg, l4) << 16 : 0;
                        if (slot < 0) {
                            op = OP_FIRST; // it carries its own header; only the later ones will miss a context
                        } else if (table.known(slot) && table.ports(slot) != portsWord) {
                            op = OP_MALFORMED;
                        } else {
                            op = OP_FIRST;
                            table.learn(slot, portsWord, extraWord);
                            table.refresh(slot, now);
                            int count = table.heldCount(slot);
                            for (int k = 0; k < count; k++) {
                                int hb = table.held(slot, k);
                                pool.setReassembledL4(hb, portsWord, extraWord);
                                int hnext = context.featureNext(output ? pool.txSwIfIndex(hb) : pool.rxSwIfIndex(hb));
                                if (!context.emit(hb, hnext)) {
                                    pool.free(hb);
                                    tableFull++;
                                    continue;
                                }
                                released++;
                                stamped++;
                                if (traced) {
                                    traceReleased(context, pool, seg, hb, slot, portsWord, extraWord);
                                }
                            }
                            table.clearHeld(slot);
                            if (table.account(slot, payload, offset + payload, last)) {
                                table.remove(slot);
                            }
                        }
                    } else if (slot < 0) {
                        op = OP_TABLE_FULL;
                    } else if (table.known(slot)) {
                        op = OP_STAMPED;
                        pool.setReassembledL4(bi, table.ports(slot), table.extra(slot));
                        table.refresh(slot, now);
                        if (table.account(slot, payload, offset + payload, last)) {
                            table.remove(slot);
                        }
                    } else if (table.heldCount(slot) >= table.maxFragments) {
                        op = OP_TOO_MANY;
                        tooMany += table.freeHeld(slot, pool);
                        table.remove(slot);
                    } else if (table.heldBuffers() >= table.maxHeldBuffers) {
                        op = OP_TABLE_FULL;
                        if (table.heldCount(slot) == 0) {
                            table.remove(slot);
                        }
                    } else {
                        op = OP_HELD;
                        table.hold(slot, bi, offset);
                        table.refresh(slot, now);
                        table.account(slot, payload, offset + payload, last);
                    }
                }
            }
            switch (op) {
                case OP_STAMPED -> stamped++;
                case OP_HELD -> heldNow++;
                case OP_MALFORMED -> {
                    malformed++;
                    context.stampError(bi, Ip4SvReassemblyError.MALFORMED.ordinal());
                }
                case OP_TOO_MANY -> {
                    tooMany++;
                    context.stampError(bi, Ip4SvReassemblyError.TOO_MANY_FRAGMENTS.ordinal());
                }
                case OP_TABLE_FULL -> {
                    tableFull++;
                    context.stampError(bi, Ip4SvReassemblyError.TABLE_FULL.ordinal());
                }
                default -> {
                }
            }
            ops[i] = op;
            slots[i] = slot;
            if (op == OP_HELD) {
                continue; // the buffer now belongs to the table
            }
            buffers[kept] = bi;
            nexts[kept] = op >= OP_MALFORMED ? NEXT_DROP : next;
            kept++;
        }
        frame.setCount(kept);
        if (traced) {
            trace(context, pool, seg, table, n);
        }
        if (stamped + heldNow + released + tooMany + tableFull + malformed + timeout != 0) {
            context.countError(Ip4SvReassemblyError.STAMPED.ordinal(), stamped);
            context.countError(Ip4SvReassemblyError.HELD.ordinal(), heldNow);
            context.countError(Ip4SvReassemblyError.RELEASED.ordinal(), released);
            context.countError(Ip4SvReassemblyError.TIMEOUT.ordinal(), timeout);
            context.countError(Ip4SvReassemblyError.TOO_MANY_FRAGMENTS.ordinal(), tooMany);
            context.countError(Ip4SvReassemblyError.TABLE_FULL.ordinal(), tableFull);
            context.countError(Ip4SvReassemblyError.MALFORMED.ordinal(), malformed);
        }
        return n;
    }

    private static int dropFragmentsWithoutTable(NodeContext context, Frame frame, boolean output) {
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        long dropped = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            if (Ipv4.isFragment(seg, pool.l3Header(bi))) {
                nexts[i] = NEXT_DROP;
                context.stampError(bi, Ip4SvReassemblyError.TABLE_FULL.ordinal());
                dropped++;
            } else {
                nexts[i] = context.featureNext(output ? pool.txSwIfIndex(bi) : pool.rxSwIfIndex(bi));
            }
        }
        context.countError(Ip4SvReassemblyError.TABLE_FULL.ordinal(), dropped);
        return n;
    }

    /** The trace pass over the frame as it came (the loop kept what it did per position): fragments only. */
    private static void trace(NodeContext context, BufferPool pool, MemorySegment seg, SvReassemblyTable table, int n) {
        for (int i = 0; i < n; i++) {
            int op = table.traceOps[i];
            if (op == OP_PASS) {
                continue;
            }
            int bi = table.traceBuffers[i];
            long record = context.trace(bi);
            if (record >= 0) {
                boolean reassembled = (pool.l4Info(bi) & BufferPool.L4_REASSEMBLED) != 0;
                long l4 = pool.l4Header(bi);
                boolean first = (Ipv4.fragmentOffset(seg, pool.l3Header(bi))) == 0 && op != OP_NO_PORTS
                        && op != OP_MALFORMED;
                int ports = reassembled ? pool.reassembledPorts(bi) : first ? NetworkOrder.u32(seg, l4) : 0;
                int extra = reassembled ? pool.reassembledExtra(bi) : 0;
                write(context.traceSegment(), record, seg, pool, bi, op, table.traceSlots[i], ports, extra);
            }
        }
    }

    private static void traceReleased(NodeContext context, BufferPool pool, MemorySegment seg, int bi, int slot,
                                      int ports, int extra) {
        long record = context.trace(bi);
        if (record >= 0) {
            write(context.traceSegment(), record, seg, pool, bi, OP_RELEASED, slot, ports, extra);
        }
    }

    private static void write(MemorySegment trace, long record, MemorySegment seg, BufferPool pool, int bi, int op,
                              int slot, int ports, int extra) {
        long ip = pool.l3Header(bi);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_OP, op);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_CONTEXT, slot);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_ID, Ipv4.id(seg, ip));
        trace.set(ValueLayout.JAVA_INT, record + TRACE_OFFSET, Ipv4.fragmentOffset(seg, ip) << 3);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_PROTOCOL, pool.ipProtocol(bi));
        trace.set(ValueLayout.JAVA_INT, record + TRACE_PORTS, ports);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_EXTRA, extra);
    }

    /**
     * VPP's format_ip4_sv_reass_trace in Sluice's words, e.g.
     * {@code [context 3] forward, fragment id 0x1c2d offset 1480, ip proto 17, src_port 41084, dst_port 5353}.
     */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        int op = record.get(ValueLayout.JAVA_INT, offset + TRACE_OP);
        int protocol = record.get(ValueLayout.JAVA_INT, offset + TRACE_PROTOCOL);
        int ports = record.get(ValueLayout.JAVA_INT, offset + TRACE_PORTS);
        out.append("[context ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_CONTEXT)).append("] ")
                .append(op >= 0 && op < OP_NAMES.length ? OP_NAMES[op] : "op " + op)
                .append(", fragment id 0x")
                .append(String.format("%04x", record.get(ValueLayout.JAVA_INT, offset + TRACE_ID)))
                .append(" offset ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_OFFSET))
                .append(", ip proto ").append(protocol);
        if (op == OP_FIRST || op == OP_STAMPED || op == OP_RELEASED) {
            if (protocol == Ipv4.PROTOCOL_ICMP) {
                out.append(", icmp type ").append(ports >>> 24).append(" code ").append((ports >>> 16) & 0xff);
            } else {
                out.append(", src_port ").append(ports >>> 16).append(", dst_port ").append(ports & 0xffff);
            }
        }
    }
}
