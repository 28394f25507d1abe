package io.sluice.pg.internal;

import io.sluice.pg.api.PgStream;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A stream as the worker runs it: its packets copied once into native memory (so each send is a
 * segment-to-segment copy), the arc to its node, and progress that only the worker writes.
 */
final class StreamState {
    final PgStream stream;
    final int index;
    final int arc;
    final MemorySegment templates;
    final long[] offsets;
    final int[] lengths;
    private final Arena arena = Arena.ofShared();

    volatile boolean enabled;
    volatile long sent;
    long allocFailures;
    int nextPacket;
    double tokens;
    long lastRefillNanos;

    StreamState(PgStream stream, int index, int arc) {
        this.stream = stream;
        this.index = index;
        this.arc = arc;
        int total = 0;
        for (byte[] packet : stream.packets()) {
            total += packet.length;
        }
        this.templates = arena.allocate(Math.max(total, 1), 64);
        this.offsets = new long[stream.packets().size()];
        this.lengths = new int[stream.packets().size()];
        long at = 0;
        for (int i = 0; i < offsets.length; i++) {
            byte[] packet = stream.packets().get(i);
            MemorySegment.copy(packet, 0, templates, ValueLayout.JAVA_BYTE, at, packet.length);
            offsets[i] = at;
            lengths[i] = packet.length;
            at += packet.length;
        }
    }

    /** Packets this stream may send now: what remains of its count, bounded by its rate's token bucket. */
    int budget(int room, long nowNanos) {
        long count = stream.count();
        long left = count == 0 ? Long.MAX_VALUE : count - sent;
        long allowed = Math.min(room, left);
        long rate = stream.ratePps();
        if (rate > 0) {
            if (lastRefillNanos == 0) {
                lastRefillNanos = nowNanos;
            }
            // At most one frame's worth may accumulate, so a paused stream does not burst afterwards.
            tokens = Math.min(tokens + (nowNanos - lastRefillNanos) * (rate / 1e9), 256);
            lastRefillNanos = nowNanos;
            allowed = Math.min(allowed, (long) tokens);
        }
        return (int) Math.max(allowed, 0);
    }

    void close() {
        arena.close();
    }
}
