package io.sluice.example.dscp;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import org.osgi.service.component.annotations.Component;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ip4-dscp-mark}: sets the DSCP (RFC 2474: the six high bits of the former TOS octet) of every IPv4
 * packet received on an interface where it is enabled, to that interface's configured code point, keeping the
 * two ECN bits (RFC 3168), and patches the header checksum incrementally (RFC 1624). A feature of the
 * ip4-unicast arc, ahead of the ACL so that policy sees the marked packet.
 *
 * <p>The code points come from {@link DscpMarkConfig} as an immutable array indexed by sw_if_index, published
 * whole and read once per frame. An interface where the feature runs but no code point is loaded (the node came
 * back before its configuration did) drops the packet and counts it: what the configuration says must happen
 * happens, or the packet does not pass.
 */
@Component(service = {Node.class, DscpMarkNode.class}, immediate = true)
public final class DscpMarkNode implements Node {
    public static final String NAME = "ip4-dscp-mark";

    /** No code point configured on the interface. */
    static final byte UNSET = -1;

    /** The arcs, in the order of the registration's next nodes. */
    enum Next {
        DROP(GraphRuntime.ERROR_DROP);

        final String node;

        Next(String node) {
            this.node = node;
        }
    }

    enum Error implements NodeError {
        MARKED("packets marked"),
        NO_CONFIGURATION("no code point loaded for the interface (dropped)");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    /** Trace record: sw_if_index, the TOS octet before and after. */
    private static final long TRACE_SW_IF_INDEX = 0;
    private static final long TRACE_TOS_BEFORE = 4;
    private static final long TRACE_TOS_AFTER = 8;

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(NAME,
                    Arrays.stream(Next.values()).map(next -> next.node).toList(), List.of(Error.values()),
                    DscpMarkNode::format)
            .withFeature(FeatureRegistration.on(FeatureArc.IP4_UNICAST).before("acl-plugin-in-ip4-fa"));

    private volatile byte[] dscpBySw = new byte[0];

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    /**
     * Sets (or, with {@link #UNSET}, clears) the code point of {@code swIfIndex} and publishes the whole array
     * anew: the control plane's only write, never seen half done by a worker.
     */
    synchronized void setCodePoint(int swIfIndex, int dscp) {
        byte[] next = Arrays.copyOf(dscpBySw, Math.max(dscpBySw.length, swIfIndex + 1));
        Arrays.fill(next, dscpBySw.length, next.length, UNSET);
        next[swIfIndex] = (byte) dscp;
        dscpBySw = next;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        byte[] codePoints = dscpBySw;
        BufferPool pool = context.pool();
        MemorySegment seg = pool.segment();
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        long marked = 0;
        long unconfigured = 0;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int sw = pool.rxSwIfIndex(bi);
            int dscp = sw >= 0 && sw < codePoints.length ? codePoints[sw] : UNSET;
            if (dscp == UNSET) {
                nexts[i] = Next.DROP.ordinal();
                unconfigured++;
                continue;
            }
            long ip = BufferPool.dataStart(bi) + pool.l3Offset(bi);
            int word = NetworkOrder.u16(seg, ip);
            int newWord = (word & 0xff03) | (dscp << 2);
            if (newWord != word) {
                NetworkOrder.setU16(seg, ip, newWord);
                Ipv4.setChecksum(seg, ip, Checksum.update16(Ipv4.checksum(seg, ip), word, newWord));
            }
            nexts[i] = context.featureNext(sw);
            marked++;
            if (frame.traced()) {
                long record = context.trace(bi);
                if (record >= 0) {
                    MemorySegment trace = context.traceSegment();
                    trace.set(ValueLayout.JAVA_INT_UNALIGNED, record + TRACE_SW_IF_INDEX, sw);
                    trace.set(ValueLayout.JAVA_INT_UNALIGNED, record + TRACE_TOS_BEFORE, word & 0xff);
                    trace.set(ValueLayout.JAVA_INT_UNALIGNED, record + TRACE_TOS_AFTER, newWord & 0xff);
                }
            }
        }
        context.countError(Error.MARKED.ordinal(), marked);
        context.countError(Error.NO_CONFIGURATION.ordinal(), unconfigured);
        return n;
    }

    /** {@code ip4-dscp-mark: sw_if_index 6 dscp 0 -> 46 (tos 0x00 -> 0xb8)}. */
    static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        int before = record.get(ValueLayout.JAVA_INT_UNALIGNED, offset + TRACE_TOS_BEFORE);
        int after = record.get(ValueLayout.JAVA_INT_UNALIGNED, offset + TRACE_TOS_AFTER);
        out.append("ip4-dscp-mark: sw_if_index ").append(record.get(ValueLayout.JAVA_INT_UNALIGNED,
                        offset + TRACE_SW_IF_INDEX))
                .append(" dscp ").append(before >>> 2).append(" -> ").append(after >>> 2)
                .append(String.format(" (tos 0x%02x -> 0x%02x)", before, after));
    }
}
