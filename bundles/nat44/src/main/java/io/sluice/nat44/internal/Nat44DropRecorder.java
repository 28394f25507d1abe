package io.sluice.nat44.internal;

import io.sluice.common.RecordRing;
import io.sluice.graph.api.NodeError;
import io.sluice.nat44.api.Nat44DropEvent;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import java.lang.foreign.MemorySegment;

/**
 * The forwarding path's side of NAT44 drop logging: a packet a NAT44 node drops becomes one {@link Nat44DropEvent}
 * (three longs) in a bounded multi-producer, single-consumer {@link RecordRing} while the log is on. A drop site is
 * one call with what the node already holds (its reason, the buffer, the frame's clock); the addresses and ports
 * come from the headers ip4-input recorded, read in place: no object, no lock, no wait. A full ring refuses the
 * event and counts it lost. While the log is off a drop costs one volatile read.
 *
 * <p>The reason code is the node (high byte) and its error counter's ordinal (low byte), so that the drop log
 * names a drop exactly as {@code errors:show} counts it.
 */
final class Nat44DropRecorder {
    static final int NODE_OUT2IN = 1;
    static final int NODE_IN2OUT_SLOW_PATH = 2;
    static final int NODE_IN2OUT_OUTPUT = 3;
    static final int NODE_IN2OUT_OUTPUT_HANDOFF = 4;
    static final int NODE_OUT2IN_HANDOFF = 5;

    private static final String[] NODE_NAMES = {null, Nat44Out2InNode.NAME, Nat44In2OutSlowPathNode.NAME,
        Nat44In2OutOutputNode.NAME, Nat44In2OutOutputWorkerHandoffNode.NAME, Nat44Out2InWorkerHandoffNode.NAME};
    private static final NodeError[][] NODE_ERRORS = {new NodeError[0], Nat44Out2InNode.Error.values(),
        Nat44In2OutSlowPathNode.Error.values(), Nat44In2OutOutputNode.Error.values(),
        Nat44WorkerHandoff.Error.values(), Nat44WorkerHandoff.Error.values()};

    private volatile RecordRing ring;
    private long recordedBefore;
    private long lostBefore;

    /** The drop of buffer {@code bi} by {@code node} for error {@code errorOrdinal}; nothing while the log is off. */
    void record(int node, int errorOrdinal, BufferPool pool, int bi, long nowMillis) {
        RecordRing r = ring;
        if (r == null) {
            return;
        }
        long position = r.claim();
        if (position < 0) {
            return;
        }
        MemorySegment seg = pool.segment();
        long ip = pool.l3Header(bi);
        int protocol = pool.ipProtocol(bi);
        int sourcePort = 0;
        int destinationPort = 0;
        if ((pool.l4Info(bi) & BufferPool.L4_VALID) != 0) {
            long l4 = pool.l4Header(bi);
            if (protocol == Ipv4.PROTOCOL_ICMP) {
                sourcePort = NetworkOrder.u8(seg, l4);
                destinationPort = NetworkOrder.u8(seg, l4 + 1);
            } else {
                sourcePort = NetworkOrder.u16(seg, l4);
                destinationPort = NetworkOrder.u16(seg, l4 + 2);
            }
        }
        Nat44DropEvent.pack(r.slots(), r.offset(position), nowMillis, node << 8 | errorOrdinal, protocol,
                Ipv4.src(seg, ip), sourcePort, Ipv4.dst(seg, ip), destinationPort);
        r.publish(position);
    }

    synchronized void enable(int capacity) {
        RecordRing next = new RecordRing(capacity, Nat44DropEvent.LONGS);
        retire(ring);
        ring = next;
    }

    synchronized void disable() {
        retire(ring);
        ring = null;
    }

    private void retire(RecordRing r) {
        if (r != null) {
            recordedBefore += r.recorded();
            lostBefore += r.lost();
        }
    }

    boolean enabled() {
        return ring != null;
    }

    int drain(long[] records, int max) {
        RecordRing r = ring;
        return r == null ? 0 : r.drain(records, max);
    }

    synchronized long recorded() {
        RecordRing r = ring;
        return recordedBefore + (r == null ? 0 : r.recorded());
    }

    synchronized long lost() {
        RecordRing r = ring;
        return lostBefore + (r == null ? 0 : r.lost());
    }

    static String reasonName(int reason) {
        int node = reason >>> 8;
        int error = reason & 0xff;
        if (node <= 0 || node >= NODE_NAMES.length || error >= NODE_ERRORS[node].length) {
            return "reason " + reason;
        }
        return NODE_NAMES[node] + "/" + NODE_ERRORS[node][error].counterName();
    }
}
