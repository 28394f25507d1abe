package io.sluice.graph.api;

import io.sluice.packet.api.BufferPool;

/**
 * A packet capture as the workers see it (VPP's {@code pcap trace rx tx drop}): which points capture, on which
 * interface, into which worker's {@link CaptureRing}. Immutable apart from the rings; the control plane
 * publishes a new one through {@link CaptureSwitch} and nodes read it once per frame
 * ({@link NodeContext#capture()}), so with capture off a node pays one load and one test per frame.
 */
public final class ArmedCapture {
    /** Capture points, as bits of {@link #points()}. */
    public static final int RX = 1;
    public static final int TX = 2;
    public static final int DROP = 4;
    /** Capture on every interface. */
    public static final int ANY_INTERFACE = -1;

    /** Nothing is captured. */
    public static final ArmedCapture OFF = new ArmedCapture(0, ANY_INTERFACE, new CaptureRing[0]);

    private final int points;
    private final int swIfIndex;
    private final CaptureRing[] rings;

    /** {@code rings}: one per worker, indexed by the worker's index. */
    public ArmedCapture(int points, int swIfIndex, CaptureRing[] rings) {
        this.points = points;
        this.swIfIndex = swIfIndex;
        this.rings = rings.clone();
    }

    public int points() {
        return points;
    }

    public int swIfIndex() {
        return swIfIndex;
    }

    public CaptureRing ring(int worker) {
        return rings[worker];
    }

    public int workers() {
        return rings.length;
    }

    /** True when point {@code point} captures at all: test once per frame. */
    public boolean captures(int point) {
        return (points & point) != 0;
    }

    /** True when point {@code point} captures on {@code sw}: for a node whose frame is all one interface. */
    public boolean captures(int point, int sw) {
        return (points & point) != 0 && (swIfIndex == ANY_INTERFACE || swIfIndex == sw);
    }

    /**
     * Copies buffers {@code [from, end)}, all seen at {@code point} on interface {@code sw}, from their current
     * data into worker {@code worker}'s ring. Call only when {@link #captures(int, int)}. A full ring refuses
     * (and counts) each packet it cannot take, so the loop goes on past a refusal until the limit is reached.
     */
    public void take(int worker, BufferPool pool, int[] buffers, int from, int end, int sw, int point) {
        CaptureRing ring = rings[worker];
        for (int i = from; i < end; i++) {
            int bi = buffers[i];
            if (!ring.offer(pool.segment(), pool.dataOffset(bi), pool.length(bi), sw, point, -1, -1)
                    && ring.exhausted()) {
                return;
            }
        }
    }

    /**
     * Copies the dropped buffers {@code [0, n)} that arrived on the captured interface, each under its rx
     * sw_if_index, from its Ethernet header when a node has already advanced past it, with the error counter
     * its node stamped ({@link BufferPool#error}) or else that node's slot. Call only when
     * {@link #captures(int) captures(DROP)}.
     */
    public void takeDropped(int worker, BufferPool pool, int[] buffers, int n) {
        CaptureRing ring = rings[worker];
        int wanted = swIfIndex;
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            int sw = pool.rxSwIfIndex(bi);
            if (wanted != ANY_INTERFACE && wanted != sw) {
                continue;
            }
            int current = pool.currentData(bi);
            int start = Math.min(pool.l2Offset(bi), current);
            if (!ring.offer(pool.segment(), BufferPool.dataStart(bi) + start, pool.length(bi) + current - start,
                    sw, DROP, pool.droppedBy(bi), pool.error(bi)) && ring.exhausted()) {
                return;
            }
        }
    }
}
