package io.sluice.acl.internal;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclRule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One interface's ACL list (one side), compiled for lookup without a scan over the rules: a bit-vector
 * classifier (Lakshman and Stiliadis, "High-speed policy-based packet forwarding using efficient
 * multi-dimensional range matching", SIGCOMM 1998). The rules of every ACL of the list are laid end to end
 * in evaluation order; for each field (source address, destination address, protocol, source port or ICMP
 * type, destination port or ICMP code, TCP flags) the value space is cut into the elementary intervals that
 * the rules' ranges make, and each interval carries the bit vector of the rules whose range covers it. A
 * lookup finds one interval per field (binary search over at most 2n+1 boundaries, or a table for the
 * one-byte fields), ANDs the six vectors word by word and takes the lowest set bit: the first rule, in
 * evaluation order, that matches every field.
 *
 * <p>Immutable once built: published to the workers as part of an {@link AclPolicy} snapshot.
 */
final class CompiledRuleSet {
    /** Result of {@link #match} when no rule matches. */
    static final int NO_MATCH = -1;

    private final int ruleCount;
    private final int words;
    /** Per combined rule: the VPP action code, the ACL index and the rule's index within its ACL. */
    private final byte[] actions;
    private final int[] aclIndices;
    private final int[] ruleIndices;
    /** Per combined rule: whether its ACL logs the packets it denies ({@link Acl#logDenied}). */
    private final boolean[] logsDenied;
    /** Whether a packet no rule matches (the list's implicit deny) is logged: when any ACL of the list logs. */
    private final boolean logsNoMatch;
    private final List<Acl> acls;

    private final RangeField sourceAddresses;
    private final RangeField destinationAddresses;
    private final RangeField sourcePorts;
    private final RangeField destinationPorts;
    /** One-byte fields: value to bit-vector number, and the vectors. */
    private final int[] protocolClass;
    private final long[] protocolBits;
    private final int[] tcpFlagsClass;
    private final long[] tcpFlagsBits;

    CompiledRuleSet(List<Acl> acls) {
        this.acls = List.copyOf(acls);
        List<AclRule> rules = new ArrayList<>();
        List<Integer> aclOf = new ArrayList<>();
        List<Integer> ruleOf = new ArrayList<>();
        List<Boolean> logOf = new ArrayList<>();
        boolean anyLogs = false;
        for (Acl acl : acls) {
            anyLogs |= acl.logDenied();
            for (int r = 0; r < acl.rules().size(); r++) {
                rules.add(acl.rules().get(r));
                aclOf.add(acl.index());
                ruleOf.add(r);
                logOf.add(acl.logDenied());
            }
        }
        logsNoMatch = anyLogs;
        ruleCount = rules.size();
        words = Math.max(1, (ruleCount + 63) >>> 6);
        actions = new byte[ruleCount];
        aclIndices = new int[ruleCount];
        ruleIndices = new int[ruleCount];
        logsDenied = new boolean[ruleCount];
        long[] srcLo = new long[ruleCount];
        long[] srcHi = new long[ruleCount];
        long[] dstLo = new long[ruleCount];
        long[] dstHi = new long[ruleCount];
        long[] sportLo = new long[ruleCount];
        long[] sportHi = new long[ruleCount];
        long[] dportLo = new long[ruleCount];
        long[] dportHi = new long[ruleCount];
        for (int i = 0; i < ruleCount; i++) {
            AclRule rule = rules.get(i);
            actions[i] = (byte) rule.action().code();
            aclIndices[i] = aclOf.get(i);
            ruleIndices[i] = ruleOf.get(i);
            logsDenied[i] = logOf.get(i);
            srcLo[i] = Integer.toUnsignedLong(rule.sourceAddress());
            srcHi[i] = srcLo[i] + (1L << (32 - rule.sourcePrefixLength())) - 1;
            dstLo[i] = Integer.toUnsignedLong(rule.destinationAddress());
            dstHi[i] = dstLo[i] + (1L << (32 - rule.destinationPrefixLength())) - 1;
            sportLo[i] = rule.sourcePortFirst();
            sportHi[i] = rule.sourcePortLast();
            dportLo[i] = rule.destinationPortFirst();
            dportHi[i] = rule.destinationPortLast();
        }
        sourceAddresses = new RangeField(srcLo, srcHi, words);
        destinationAddresses = new RangeField(dstLo, dstHi, words);
        sourcePorts = new RangeField(sportLo, sportHi, words);
        destinationPorts = new RangeField(dportLo, dportHi, words);

        List<long[]> protocolVectors = new ArrayList<>();
        protocolClass = byteField(protocolVectors, rules, words, true);
        protocolBits = flatten(protocolVectors, words);
        List<long[]> flagVectors = new ArrayList<>();
        tcpFlagsClass = byteField(flagVectors, rules, words, false);
        tcpFlagsBits = flatten(flagVectors, words);
    }

    int ruleCount() {
        return ruleCount;
    }

    List<Acl> acls() {
        return acls;
    }

    /** The VPP action code of combined rule {@code rule}. */
    int action(int rule) {
        return actions[rule];
    }

    int aclIndex(int rule) {
        return aclIndices[rule];
    }

    int ruleIndex(int rule) {
        return ruleIndices[rule];
    }

    /** Whether a packet denied by {@code rule} ({@link #NO_MATCH}: by the implicit deny) is to be logged. */
    boolean logsDenied(int rule) {
        return rule == NO_MATCH ? logsNoMatch : logsDenied[rule];
    }

    /**
     * The first rule (combined index) that matches, or {@link #NO_MATCH}. Ports are the packet's ports, or
     * ICMP type and code, or 0 when the packet has no valid L4 header; {@code tcpFlags} 0 when not TCP.
     */
    int match(int source, int destination, int protocol, int sourcePort, int destinationPort, int tcpFlags) {
        long[] srcBits = sourceAddresses.bits;
        long[] dstBits = destinationAddresses.bits;
        long[] sportBits = sourcePorts.bits;
        long[] dportBits = destinationPorts.bits;
        int src = sourceAddresses.find(source ^ Integer.MIN_VALUE) * words;
        int dst = destinationAddresses.find(destination ^ Integer.MIN_VALUE) * words;
        int sport = sourcePorts.find(sourcePort ^ Integer.MIN_VALUE) * words;
        int dport = destinationPorts.find(destinationPort ^ Integer.MIN_VALUE) * words;
        int proto = protocolClass[protocol & 0xff] * words;
        int flags = tcpFlagsClass[tcpFlags & 0xff] * words;
        for (int w = 0; w < words; w++) {
            long hit = srcBits[src + w] & dstBits[dst + w] & sportBits[sport + w] & dportBits[dport + w]
                    & protocolBits[proto + w] & tcpFlagsBits[flags + w];
            if (hit != 0) {
                return (w << 6) + Long.numberOfTrailingZeros(hit);
            }
        }
        return NO_MATCH;
    }

    /**
     * A field whose rules give ranges: the starts of the elementary intervals (as unsigned values flipped
     * into signed order, so one int compare orders them) and one bit vector per interval.
     */
    private static final class RangeField {
        final int[] starts;
        final long[] bits;

        RangeField(long[] lo, long[] hi, int words) {
            long[] boundaries = new long[lo.length * 2 + 1];
            int n = 0;
            boundaries[n++] = 0;
            for (int i = 0; i < lo.length; i++) {
                boundaries[n++] = lo[i];
                boundaries[n++] = hi[i] + 1;
            }
            long[] sorted = Arrays.stream(boundaries, 0, n).sorted().distinct().toArray();
            int count = 0;
            for (long boundary : sorted) {
                if (boundary <= 0xffffffffL) {
                    count++;
                }
            }
            starts = new int[count];
            bits = new long[count * words];
            for (int interval = 0; interval < count; interval++) {
                long start = sorted[interval];
                starts[interval] = (int) start ^ Integer.MIN_VALUE;
                for (int rule = 0; rule < lo.length; rule++) {
                    if (lo[rule] <= start && start <= hi[rule]) {
                        bits[interval * words + (rule >>> 6)] |= 1L << rule;
                    }
                }
            }
        }

        /** The interval holding {@code flipped}: the last start not above it. */
        int find(int flipped) {
            int low = 0;
            int high = starts.length - 1;
            while (low < high) {
                int mid = (low + high + 1) >>> 1;
                if (starts[mid] <= flipped) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            return low;
        }
    }

    /** Protocol (when {@code protocol}) or TCP flags: value to vector number, equal vectors shared. */
    private static int[] byteField(List<long[]> vectors, List<AclRule> rules, int words, boolean protocol) {
        int[] classOf = new int[256];
        Map<String, Integer> known = new HashMap<>();
        for (int value = 0; value < 256; value++) {
            long[] vector = new long[words];
            for (int rule = 0; rule < rules.size(); rule++) {
                AclRule r = rules.get(rule);
                boolean covers = protocol
                        ? r.protocol() == AclRule.PROTOCOL_ANY || r.protocol() == value
                        : (value & r.tcpFlagsMask()) == r.tcpFlagsValue();
                if (covers) {
                    vector[rule >>> 6] |= 1L << rule;
                }
            }
            String key = Arrays.toString(vector);
            Integer existing = known.get(key);
            if (existing == null) {
                existing = vectors.size();
                known.put(key, existing);
                vectors.add(vector);
            }
            classOf[value] = existing;
        }
        return classOf;
    }

    private static long[] flatten(List<long[]> vectors, int words) {
        long[] flat = new long[vectors.size() * words];
        for (int i = 0; i < vectors.size(); i++) {
            System.arraycopy(vectors.get(i), 0, flat, i * words, words);
        }
        return flat;
    }
}
