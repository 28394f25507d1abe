package io.sluice.graph.api;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer single-consumer queue of {@code long} entries in native memory, one per (source
 * worker, destination worker): VPP's vlib frame queue, in Agrona's OneToOneConcurrentArrayQueue's shape. The
 * producer writes entries with plain stores and publishes a batch with one release store of its tail; the
 * consumer reads the tail with one acquire load, takes the entries and gives their room back with one release
 * store of its head. No lock, no CAS, no allocation.
 *
 * <pre>
 *  offset 0    tail (i64): entries published by the producer   (own cache line: the producer writes it)
 *  offset 64   head (i64): entries taken by the consumer       (own cache line: the consumer writes it)
 *  offset 128  the producer's own tail (with entries not yet published) and the head it last saw (its line)
 *  offset 192  the consumer's own head (its line)
 *  offset 256  entries: capacity x i64, entry i at 256 + (i &amp; mask) * 8
 * </pre>
 *
 * <p>Only the producer thread may call {@link #offer} and {@link #publish}; only the consumer thread
 * {@link #available}, {@link #entry} and {@link #take}. Each side's private cursors sit on a line of their own in
 * the ring's memory, not in this object's fields: as fields they shared one line, which the producer wrote on
 * every entry and the consumer read on every entry, so the line moved between the two cores once per packet.
 * This object's fields are final and only read.
 */
public final class HandoffRing implements AutoCloseable {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long TAIL = 0;
    private static final long HEAD = 64;
    private static final long PRODUCER_TAIL = 128;
    private static final long PRODUCER_HEAD_SEEN = 136;
    private static final long CONSUMER_HEAD = 192;
    private static final long ENTRIES = 256;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ring;
    private final int capacity;
    private final int mask;

    public HandoffRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("handoff ring capacity must be a power of two >= 2, got " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.ring = arena.allocate(ENTRIES + (long) capacity * Long.BYTES, 64);
    }

    public int capacity() {
        return capacity;
    }

    /** Producer: appends {@code entry} unpublished; false when the ring is full (published or not). */
    public boolean offer(long entry) {
        MemorySegment memory = ring;
        long tail = memory.get(ValueLayout.JAVA_LONG, PRODUCER_TAIL);
        if (tail - memory.get(ValueLayout.JAVA_LONG, PRODUCER_HEAD_SEEN) >= capacity) {
            long head = (long) LONG.getAcquire(memory, HEAD);
            memory.set(ValueLayout.JAVA_LONG, PRODUCER_HEAD_SEEN, head);
            if (tail - head >= capacity) {
                return false;
            }
        }
        memory.set(ValueLayout.JAVA_LONG, ENTRIES + (tail & mask) * Long.BYTES, entry);
        memory.set(ValueLayout.JAVA_LONG, PRODUCER_TAIL, tail + 1);
        return true;
    }

    /** Producer: makes every entry offered so far visible to the consumer (one release store). */
    public void publish() {
        LONG.setRelease(ring, TAIL, ring.get(ValueLayout.JAVA_LONG, PRODUCER_TAIL));
    }

    /** Producer: entries offered and not published yet. */
    public boolean hasUnpublished() {
        return ring.get(ValueLayout.JAVA_LONG, PRODUCER_TAIL) != (long) LONG.get(ring, TAIL);
    }

    /** Consumer: the entries published and not yet taken (one acquire load). */
    public int available() {
        return (int) ((long) LONG.getAcquire(ring, TAIL) - ring.get(ValueLayout.JAVA_LONG, CONSUMER_HEAD));
    }

    /** Consumer: as {@link #available}, with a volatile load (ordered after the caller's earlier volatile store). */
    public int availableVolatile() {
        return (int) ((long) LONG.getVolatile(ring, TAIL) - ring.get(ValueLayout.JAVA_LONG, CONSUMER_HEAD));
    }

    /** Consumer: the {@code i}th entry not yet taken, {@code i < available()}. */
    public long entry(int i) {
        long head = ring.get(ValueLayout.JAVA_LONG, CONSUMER_HEAD);
        return ring.get(ValueLayout.JAVA_LONG, ENTRIES + ((head + i) & mask) * Long.BYTES);
    }

    /** Consumer: gives back the room of the first {@code n} entries (one release store). */
    public void take(int n) {
        long head = ring.get(ValueLayout.JAVA_LONG, CONSUMER_HEAD) + n;
        ring.set(ValueLayout.JAVA_LONG, CONSUMER_HEAD, head);
        LONG.setRelease(ring, HEAD, head);
    }

    /** Any thread, for views: entries published and not taken (a racy but bounded reading). */
    public int depth() {
        long depth = (long) LONG.getOpaque(ring, TAIL) - (long) LONG.getOpaque(ring, HEAD);
        return (int) Math.max(0, Math.min(capacity, depth));
    }

    @Override
    public void close() {
        arena.close();
    }
}
