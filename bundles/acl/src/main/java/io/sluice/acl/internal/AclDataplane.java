package io.sluice.acl.internal;

import io.sluice.acl.api.AclAction;
import io.sluice.acl.api.AclDenyEvent;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.Opaque;
import io.sluice.packet.api.PacketFormat;
import io.sluice.packet.api.Tcp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The frame loop both ACL nodes share (they differ in the side: which sw_if_index, which list, which
 * way a session key faces), the per-packet decision, and the trace record and its text.
 *
 * <p>Per packet: a packet of a live reflect session passes without rule evaluation (action 3); otherwise
 * the interface's compiled list decides, the first matching rule's action applies, no match denies, and
 * permit+reflect creates a session. A denied packet takes arc 0, error-drop, as VPP's acl next 0 is drop;
 * a permitted one takes the arc to the next feature enabled on its interface.
 *
 * <p>The trace shows VPP v18.01's fa_5tuple_t (src/plugins/acl/fa_node.h) as the six 64-bit words that
 * VPP prints little-endian: addr[0] and addr[1] as ip46_address_t (three words of zero padding, then the
 * IPv4 address in network byte order), the L4 key (port[0], port[1], proto, lsb16 of sw_if_index), and
 * the packet info (sw_if_index, mask_type_index_lsb, tcp_flags, then the bits tcp_flags_valid, is_input,
 * l4_valid, is_nonfirst_fragment, is_ip6, 3 reserved).
 */
final class AclDataplane {
    /** Sessions examined for expiry per frame, on the worker: bounded work, no allocation. */
    static final int SWEEP_PER_FRAME = 64;

    /** The declared next arcs of both ACL nodes; the runtime appends those to the features that follow. */
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

    /** Set in trace_bits when the packet matched an existing session, as VPP does. */
    static final int TRACE_BITS_SESSION = 0x80000000;

    /**
     * VPP's mask_type_index_lsb: which hash mask matched, in its hash-based matching; its seed traces show
     * 0xffff (none), and this classifier has no mask types.
     */
    static final long MASK_TYPE_INDEX_NONE = 0xffff;

    private static final int PACKET_INFO_TCP_FLAGS_VALID = 1;
    private static final int PACKET_INFO_IS_INPUT = 1 << 1;
    private static final int PACKET_INFO_L4_VALID = 1 << 2;
    private static final int PACKET_INFO_NONFIRST_FRAGMENT = 1 << 3;

    /**
     * The decision, packed in a long: action (bits 56-58), a quota full (55), an ICMP error quoting no session
     * (59), table full (60), ACL (32-54), rule or session (0-31).
     */
    private static final int RESULT_ACTION_SHIFT = 56;
    private static final long RESULT_QUOTA = 1L << 55;
    private static final long RESULT_ICMP_ERROR_NO_SESSION = 1L << 59;
    private static final long RESULT_TABLE_FULL = 1L << 60;
    private static final long RESULT_NO_POLICY = 1L << 61;
    private static final long RESULT_RELATED = 1L << 62;
    /** The deny is to be logged, when the deny log is enabled: its ACL asks for it, or the list is not in force. */
    private static final long RESULT_LOG = 1L << 63;
    private static final int RESULT_ACL_SHIFT = 32;
    /** 23 bits: bit 55 is the quota flag. */
    private static final long RESULT_ACL_NONE = 0x7fffffL;

    /** Trace record layout (bytes from the record's payload). */
    private static final int TRACE_SW_IF_INDEX = 0;
    private static final int TRACE_NEXT = 4;
    private static final int TRACE_ACTION = 8;
    private static final int TRACE_ACL = 12;
    private static final int TRACE_RULE = 16;
    private static final int TRACE_BITS = 20;
    private static final int TRACE_WORDS = 24;
    private static final int WORD_COUNT = 6;

    private AclDataplane() {
    }

    /**
     * Runs one frame through the ACL of side {@code input}. Counters are kept in locals and flushed once;
     * the trace is written in a second pass only when the frame is traced. {@code denyLog} is null while the
     * deny log is disabled; otherwise a deny to be logged writes one event unless its flow had one within the
     * interval.
     */
    static int process(NodeContext context, Frame frame, boolean input, AclPolicy policy, SessionTable sessions,
                       long now, AclDenyLogImpl.Recorder denyLog) {
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        long permitted = 0;
        long denied = 0;
        long newSessions = 0;
        long sessionPackets = 0;
        long tooMany = 0;
        long quota = 0;
        long noPolicy = 0;
        long related = 0;
        long errorsNoSession = 0;
        long rateLimited = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int sw = input ? pool.rxSwIfIndex(bi) : pool.txSwIfIndex(bi);
            long result = classify(pool, seg, bi, input, sw, policy.ruleSet(input, sw), sessions, now);
            // The decision rides in the node's scratch words to the trace pass, if the frame is traced.
            pool.setOpaque(bi, Opaque.NODE_SCRATCH_0, (int) (result >>> 32));
            pool.setOpaque(bi, Opaque.NODE_SCRATCH_1, (int) result);
            int action = action(result);
            if (action == AclAction.DENY.code()) {
                nexts[i] = NEXT_DROP;
                context.stampError(bi, AclError.ACL_DROP.ordinal()); // the more specific counters below re-stamp
                denied++;
                if ((result & RESULT_TABLE_FULL) != 0) {
                    tooMany++;
                    context.stampError(bi, AclError.ACL_TOO_MANY_SESSIONS.ordinal());
                    if ((result & RESULT_QUOTA) != 0) {
                        quota++;
                        context.stampError(bi, AclError.SESSION_QUOTA_EXCEEDED.ordinal());
                    }
                }
                if ((result & RESULT_NO_POLICY) != 0) {
                    noPolicy++;
                    context.stampError(bi, AclError.ACL_NO_POLICY.ordinal());
                }
                if ((result & RESULT_ICMP_ERROR_NO_SESSION) != 0) {
                    errorsNoSession++;
                    context.stampError(bi, AclError.ACL_ICMP_ERROR_NO_SESSION.ordinal());
                }
                if (denyLog != null && (result & RESULT_LOG) != 0
                        && !logDenied(pool, seg, bi, input, sw, result, denyLog, now)) {
                    rateLimited++;
                }
                continue;
            }
            nexts[i] = context.featureNext(sw);
            permitted++;
            if (action == AclAction.SESSION.code()) {
                sessionPackets++;
                if ((result & RESULT_RELATED) != 0) {
                    related++;
                }
            } else if (action == AclAction.PERMIT_REFLECT.code()) {
                newSessions++;
            }
        }
        if (frame.traced()) {
            for (int i = 0; i < n; i++) {
                trace(context, pool, seg, buffers[i], nexts[i], input);
            }
        }
        if (rateLimited != 0) {
            denyLog.countRateLimited(rateLimited);
        }
        sessions.sweep(now, SWEEP_PER_FRAME);
        context.countError(AclError.ACL_CHECK.ordinal(), n);
        context.countError(AclError.ACL_PERMIT.ordinal(), permitted);
        context.countError(AclError.ACL_DROP.ordinal(), denied);
        context.countError(AclError.ACL_NEW_SESSION.ordinal(), newSessions);
        context.countError(AclError.ACL_EXIST_SESSION.ordinal(), sessionPackets);
        context.countError(AclError.ACL_TOO_MANY_SESSIONS.ordinal(), tooMany);
        context.countError(AclError.ACL_NO_POLICY.ordinal(), noPolicy);
        context.countError(AclError.ACL_RELATED.ordinal(), related);
        context.countError(AclError.SESSION_QUOTA_EXCEEDED.ordinal(), quota);
        context.countError(AclError.ACL_ICMP_ERROR_NO_SESSION.ordinal(), errorsNoSession);
        return n;
    }

    static int action(long result) {
        return (int) (result >>> RESULT_ACTION_SHIFT) & 0x7;
    }

    static int acl(long result) {
        long acl = (result >>> RESULT_ACL_SHIFT) & RESULT_ACL_NONE;
        return acl == RESULT_ACL_NONE ? -1 : (int) acl;
    }

    static int rule(long result) {
        return (int) result;
    }

    /**
     * Writes the denied packet's event (its 5-tuple from ip4-input's parse in the metadata); false when the flow was
     * rate-limited. {@code now} is the sessions' wall-clock nanoseconds.
     */
    private static boolean logDenied(BufferPool pool, MemorySegment seg, int bi, boolean input, int sw, long result,
                                     AclDenyLogImpl.Recorder denyLog, long now) {
        long ip = pool.l3Header(bi);
        long l4 = pool.l4Header(bi);
        int protocol = pool.ipProtocol(bi);
        boolean l4Valid = (pool.l4Info(bi) & BufferPool.L4_VALID) != 0;
        int acl = acl(result);
        int reason = (result & RESULT_NO_POLICY) != 0 ? AclDenyEvent.REASON_NO_POLICY
                : acl < 0 ? AclDenyEvent.REASON_NO_MATCH : AclDenyEvent.REASON_RULE;
        boolean reassembled = AclFragments.reassembled(pool, bi);
        return denyLog.record(now / 1_000_000L, Ipv4.src(seg, ip), Ipv4.dst(seg, ip), protocol,
                reassembled ? AclFragments.port0(pool, bi, protocol) : port0(seg, l4, protocol, l4Valid),
                reassembled ? AclFragments.port1(pool, bi, protocol) : port1(seg, l4, protocol, l4Valid), sw,
                input ? AclDenyEvent.DIRECTION_INPUT : AclDenyEvent.DIRECTION_OUTPUT, reason, acl,
                acl < 0 ? -1 : rule(result));
    }

    private static long result(int action, int acl, int rule) {
        return (long) action << RESULT_ACTION_SHIFT | (acl < 0 ? RESULT_ACL_NONE : acl & RESULT_ACL_NONE) << RESULT_ACL_SHIFT
                | (rule & 0xffffffffL);
    }

    /** VPP's port[0]: source port, or ICMP type; 0 without a valid L4 header. */
    static int port0(MemorySegment seg, long l4, int protocol, boolean l4Valid) {
        if (!l4Valid) {
            return 0;
        }
        return protocol == Ipv4.PROTOCOL_ICMP ? Icmp.type(seg, l4) : NetworkOrder.u16(seg, l4);
    }

    /** VPP's port[1]: destination port, or ICMP code. */
    static int port1(MemorySegment seg, long l4, int protocol, boolean l4Valid) {
        if (!l4Valid) {
            return 0;
        }
        return protocol == Ipv4.PROTOCOL_ICMP ? Icmp.code(seg, l4) : NetworkOrder.u16(seg, l4 + 2);
    }

    static int tcpFlags(MemorySegment seg, long l4, int protocol, boolean l4Valid) {
        if (!l4Valid || protocol != Ipv4.PROTOCOL_TCP) {
            return 0;
        }
        return Tcp.flags(seg, l4);
    }

    /**
     * The port pair a session key uses: L4 ports, except for ICMP echo, whose request and reply both carry
     * the identifier (RFC 792), which then stands for both ports; other ICMP keeps type and code. L4_VALID
     * vouches for an ICMP packet's first 4 bytes only: the identifier is read only when {@code l4Length} holds
     * the whole 8-byte echo header, else a cut-short echo is keyed by type and code like other ICMP.
     */
    private static int sessionPort(MemorySegment seg, long l4, int l4Length, int protocol, boolean l4Valid,
                                   boolean first) {
        if (l4Valid && protocol == Ipv4.PROTOCOL_ICMP && l4Length >= Icmp.HEADER_LENGTH
                && Icmp.isEcho(Icmp.type(seg, l4))) {
            return Icmp.echoId(seg, l4);
        }
        return first ? port0(seg, l4, protocol, l4Valid) : port1(seg, l4, protocol, l4Valid);
    }

    /** The session key's address word, initiator first: the packet as it is on input, swapped on output. */
    static long sessionKey0(MemorySegment seg, long ip, boolean input) {
        int src = Ipv4.src(seg, ip);
        int dst = Ipv4.dst(seg, ip);
        return input ? SessionTable.key0(src, dst) : SessionTable.key0(dst, src);
    }

    static long sessionKey1(MemorySegment seg, long l4, int l4Length, int protocol, boolean l4Valid, boolean input,
                            int sw) {
        int sport = sessionPort(seg, l4, l4Length, protocol, l4Valid, true);
        int dport = sessionPort(seg, l4, l4Length, protocol, l4Valid, false);
        return input ? SessionTable.key1(sport, dport, protocol, sw) : SessionTable.key1(dport, sport, protocol, sw);
    }

    /**
     * The decision for one packet; a session hit or a new session is recorded in {@code sessions}. The packet's
     * header is ip4-input's parse in the buffer's metadata (offsets, protocol, L4 facts), read once here.
     */
    static long classify(BufferPool pool, MemorySegment seg, int bi, boolean input, int sw, CompiledRuleSet rules,
                         SessionTable sessions, long now) {
        long ip = pool.l3Header(bi);
        long l4 = pool.l4Header(bi);
        int protocol = pool.ipProtocol(bi);
        boolean l4Valid = (pool.l4Info(bi) & BufferPool.L4_VALID) != 0;
        boolean reassembled = AclFragments.reassembled(pool, bi);
        int tcpFlags = reassembled ? AclFragments.tcpFlags(pool, bi, protocol) : tcpFlags(seg, l4, protocol, l4Valid);
        int bytes = Ipv4.totalLength(seg, ip);
        long key0 = sessionKey0(seg, ip, input);
        long key1 = reassembled ? AclFragments.sessionKey1(pool, bi, protocol, input, sw)
                : sessionKey1(seg, l4, bytes - (int) (l4 - ip), protocol, l4Valid, input, sw);
        int session = sessions.find(key0, key1, now);
        if (session >= 0) {
            sessions.touch(session, input == sessions.createdOnInput(session), tcpFlags, bytes, now);
            pool.setOpaque(bi, Opaque.ACL_SESSION, session);
            return result(AclAction.SESSION.code(), -1, session);
        }
        boolean icmpError = l4Valid && protocol == Ipv4.PROTOCOL_ICMP && isRelatableError(Icmp.type(seg, l4));
        if (icmpError) {
            int related = relatedSession(seg, ip, l4, input, sw, sessions, now);
            if (related >= 0) {
                pool.setOpaque(bi, Opaque.ACL_SESSION, related);
                return result(AclAction.SESSION.code(), -1, related) | RESULT_RELATED;
            }
        }
        pool.setOpaque(bi, Opaque.ACL_SESSION, -1);
        if (rules == null) {
            // Fail closed: the feature runs here only because a list is bound; without the list (not loaded yet,
            // or naming an undefined ACL) an established session still passes above, anything new is dropped.
            return result(AclAction.DENY.code(), -1, -1) | RESULT_NO_POLICY | RESULT_LOG
                    | (icmpError ? RESULT_ICMP_ERROR_NO_SESSION : 0);
        }
        int match = rules.match(Ipv4.src(seg, ip), Ipv4.dst(seg, ip), protocol,
                reassembled ? AclFragments.port0(pool, bi, protocol) : port0(seg, l4, protocol, l4Valid),
                reassembled ? AclFragments.port1(pool, bi, protocol) : port1(seg, l4, protocol, l4Valid), tcpFlags);
        if (match == CompiledRuleSet.NO_MATCH) {
            return result(AclAction.DENY.code(), -1, -1) | (rules.logsDenied(match) ? RESULT_LOG : 0)
                    | (icmpError ? RESULT_ICMP_ERROR_NO_SESSION : 0);
        }
        int action = rules.action(match);
        int acl = rules.aclIndex(match);
        int rule = rules.ruleIndex(match);
        if (icmpError) {
            return unrelatedError(action, acl, rule, rules.logsDenied(match));
        }
        if (action == AclAction.PERMIT_REFLECT.code()) {
            int created = sessions.insert(key0, key1, sw, input, tcpFlags, bytes, now);
            if (created < 0) {
                return result(AclAction.DENY.code(), acl, rule) | RESULT_TABLE_FULL
                        | (created == SessionTable.REFUSED_QUOTA ? RESULT_QUOTA : 0);
            }
            pool.setOpaque(bi, Opaque.ACL_SESSION, created);
        }
        return result(action, acl, rule)
                | (action == AclAction.DENY.code() && rules.logsDenied(match) ? RESULT_LOG : 0);
    }

    /** Destination unreachable, time exceeded and parameter problem: the errors matched to the session they quote. */
    static boolean isRelatableError(int type) {
        return type == Icmp.TYPE_DESTINATION_UNREACHABLE || type == Icmp.TYPE_TIME_EXCEEDED
                || type == Icmp.TYPE_PARAMETER_PROBLEM;
    }

    /**
     * The rules' decision for an ICMP error that quotes no session: the rules still decide (an operator may permit
     * errors from a host outright, and an error between two pods quotes a session on one side only), but an error
     * is never the start of a flow, so permit+reflect admits it without creating a session: nobody outside makes
     * state with errors. Denied, it is counted as an error about no session besides the deny.
     */
    private static long unrelatedError(int action, int acl, int rule, boolean logsDenied) {
        if (action == AclAction.DENY.code()) {
            return result(action, acl, rule) | RESULT_ICMP_ERROR_NO_SESSION | (logsDenied ? RESULT_LOG : 0);
        }
        return result(action == AclAction.PERMIT_REFLECT.code() ? AclAction.PERMIT.code() : action, acl, rule);
    }

    /**
     * The session an ICMP error is about, or -1: destination unreachable (frag-needed: path MTU discovery), time
     * exceeded (traceroute) and parameter problem quote the header and first 8 bytes of the packet that caused
     * them (RFC 792, RFC 1812 4.3.2.3), which belongs to a session when the box passed it. The quoted packet went
     * the other way, so it is looked up as a packet of the opposite side; the error must be addressed to the
     * quoted packet's sender, as every genuine one is. Errors do not refresh the session (as conntrack's RELATED).
     */
    static int relatedSession(MemorySegment seg, long ip, long icmp, boolean input, int sw, SessionTable sessions,
                              long now) {
        int headerLength = (int) (icmp - ip);
        int type = Icmp.type(seg, icmp);
        if (type != Icmp.TYPE_DESTINATION_UNREACHABLE && type != Icmp.TYPE_TIME_EXCEEDED
                && type != Icmp.TYPE_PARAMETER_PROBLEM) {
            return -1;
        }
        int icmpLength = Ipv4.totalLength(seg, ip) - headerLength;
        long quoted = icmp + Icmp.HEADER_LENGTH;
        if (icmpLength < Icmp.HEADER_LENGTH + Ipv4.MIN_HEADER_LENGTH + QUOTED_L4_BYTES) {
            return -1;
        }
        int quotedHeaderLength = Ipv4.headerLength(seg, quoted);
        if (quotedHeaderLength < Ipv4.MIN_HEADER_LENGTH
                || icmpLength < Icmp.HEADER_LENGTH + quotedHeaderLength + QUOTED_L4_BYTES
                || Ipv4.fragmentOffset(seg, quoted) != 0) {
            return -1;
        }
        int quotedSrc = Ipv4.src(seg, quoted);
        if (Ipv4.dst(seg, ip) != quotedSrc) {
            return -1;
        }
        int protocol = Ipv4.protocol(seg, quoted);
        long quotedL4 = quoted + quotedHeaderLength;
        int sport;
        int dport;
        if (protocol == Ipv4.PROTOCOL_TCP || protocol == Ipv4.PROTOCOL_UDP) {
            sport = NetworkOrder.u16(seg, quotedL4);
            dport = NetworkOrder.u16(seg, quotedL4 + 2);
        } else if (protocol == Ipv4.PROTOCOL_ICMP && Icmp.isEcho(Icmp.type(seg, quotedL4))) {
            sport = Icmp.echoId(seg, quotedL4);
            dport = sport;
        } else {
            return -1;
        }
        int quotedDst = Ipv4.dst(seg, quoted);
        // The quoted packet on the opposite side: an input-side packet keys as it is, an output-side one swapped.
        long key0 = input ? SessionTable.key0(quotedDst, quotedSrc) : SessionTable.key0(quotedSrc, quotedDst);
        long key1 = input ? SessionTable.key1(dport, sport, protocol, sw) : SessionTable.key1(sport, dport, protocol, sw);
        return sessions.find(key0, key1, now);
    }

    /** RFC 792: an ICMP error quotes the offending packet's IP header and at least 8 bytes after it. */
    private static final int QUOTED_L4_BYTES = 8;

    /**
     * The trace pass: the packet's decision, kept in its scratch words, and its 5-tuple as VPP shows it, from
     * the same metadata the decision read (no third parse of the header).
     */
    private static void trace(NodeContext context, BufferPool pool, MemorySegment seg, int bi, int next,
                              boolean input) {
        long record = context.trace(bi);
        if (record < 0) {
            return;
        }
        long result = (long) pool.opaque(bi, Opaque.NODE_SCRATCH_0) << 32
                | (pool.opaque(bi, Opaque.NODE_SCRATCH_1) & 0xffffffffL);
        int action = action(result);
        int sw = input ? pool.rxSwIfIndex(bi) : pool.txSwIfIndex(bi);
        long ip = pool.l3Header(bi);
        long l4 = pool.l4Header(bi);
        int protocol = pool.ipProtocol(bi);
        int l4Info = pool.l4Info(bi);
        boolean reassembled = (l4Info & BufferPool.L4_REASSEMBLED) != 0;
        boolean l4Valid = (l4Info & BufferPool.L4_VALID) != 0 || reassembled;
        int tcpFlags = reassembled ? AclFragments.tcpFlags(pool, bi, protocol) : tcpFlags(seg, l4, protocol, l4Valid);
        int acl = acl(result);
        int rule = rule(result);
        int traceBits = action == AclAction.SESSION.code() ? TRACE_BITS_SESSION : 0;
        MemorySegment trace = context.traceSegment();
        trace.set(ValueLayout.JAVA_INT, record + TRACE_SW_IF_INDEX, sw);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_NEXT, next);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_ACTION, action);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_ACL, acl);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_RULE, rule);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_BITS, traceBits);
        long words = record + TRACE_WORDS;
        trace.set(ValueLayout.JAVA_LONG, words, 0L);
        trace.set(ValueLayout.JAVA_LONG, words + 8, addressWord(Ipv4.src(seg, ip)));
        trace.set(ValueLayout.JAVA_LONG, words + 16, 0L);
        trace.set(ValueLayout.JAVA_LONG, words + 24, addressWord(Ipv4.dst(seg, ip)));
        trace.set(ValueLayout.JAVA_LONG, words + 32, reassembled
                ? l4Word(AclFragments.port0(pool, bi, protocol), AclFragments.port1(pool, bi, protocol), protocol, sw)
                : l4Word(port0(seg, l4, protocol, l4Valid), port1(seg, l4, protocol, l4Valid), protocol, sw));
        int info = (protocol == Ipv4.PROTOCOL_TCP && l4Valid ? PACKET_INFO_TCP_FLAGS_VALID : 0)
                | (input ? PACKET_INFO_IS_INPUT : 0)
                | (l4Valid ? PACKET_INFO_L4_VALID : 0)
                | ((l4Info & BufferPool.L4_NON_FIRST_FRAGMENT) != 0 ? PACKET_INFO_NONFIRST_FRAGMENT : 0);
        trace.set(ValueLayout.JAVA_LONG, words + 40, packetInfoWord(sw, tcpFlags, info));
    }

    /** The second word of an ip46_address_t holding IPv4: the address's bytes in wire order in its high half. */
    static long addressWord(int address) {
        return (long) Integer.reverseBytes(address) << 32;
    }

    static long l4Word(int port0, int port1, int protocol, int sw) {
        return (port0 & 0xffffL) | (port1 & 0xffffL) << 16 | (protocol & 0xffffL) << 32 | (sw & 0xffffL) << 48;
    }

    static long packetInfoWord(int sw, int tcpFlags, int info) {
        return (sw & 0xffffffffL) | MASK_TYPE_INDEX_NONE << 32 | (long) (tcpFlags & 0xff) << 48 | (long) (info & 0xff) << 56;
    }

    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        int sw = record.get(ValueLayout.JAVA_INT, offset + TRACE_SW_IF_INDEX);
        out.append("acl-plugin: sw_if_index ").append(sw)
                .append(", next index ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_NEXT))
                .append(", action: ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_ACTION))
                .append(", match: acl ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_ACL))
                .append(" rule ").append(record.get(ValueLayout.JAVA_INT, offset + TRACE_RULE))
                .append(" trace_bits ");
        appendHex(out, record.get(ValueLayout.JAVA_INT, offset + TRACE_BITS) & 0xffffffffL, 8);
        out.append("\npkt info");
        long[] words = new long[WORD_COUNT];
        for (int w = 0; w < WORD_COUNT; w++) {
            words[w] = record.get(ValueLayout.JAVA_LONG, offset + TRACE_WORDS + 8L * w);
            out.append(' ');
            appendHex(out, words[w], 16);
        }
        long l4 = words[4];
        long info = words[5];
        int bits = (int) (info >>> 56) & 0xff;
        out.append("\n ").append((bits & PACKET_INFO_IS_INPUT) != 0 ? "input" : "output")
                .append(" sw_if_index ").append((int) info)
                .append(" (lsb16 ").append((l4 >>> 48) & 0xffff).append(") l3 ip4 ");
        PacketFormat.appendIp4(out, Integer.reverseBytes((int) (words[1] >>> 32)));
        out.append(" -> ");
        PacketFormat.appendIp4(out, Integer.reverseBytes((int) (words[3] >>> 32)));
        out.append(" l4 proto ").append((l4 >>> 32) & 0xffff)
                .append(" l4_valid ").append((bits & PACKET_INFO_L4_VALID) != 0 ? 1 : 0)
                .append(" port ").append(l4 & 0xffff).append(" -> ").append((l4 >>> 16) & 0xffff)
                .append(" tcp flags (").append((bits & PACKET_INFO_TCP_FLAGS_VALID) != 0 ? "valid" : "invalid")
                .append(") ");
        appendHex(out, (info >>> 48) & 0xff, 2);
        out.append(" rsvd ").append(Integer.toHexString(bits >>> 5));
    }

    private static void appendHex(StringBuilder out, long value, int digits) {
        String hex = Long.toHexString(value);
        for (int i = hex.length(); i < digits; i++) {
            out.append('0');
        }
        out.append(hex);
    }
}
