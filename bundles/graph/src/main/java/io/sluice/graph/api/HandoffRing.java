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
 *  offset 128  entries: capacity x i64, entry i at 128 + (i &amp; mask) * 8
 * </pre>
 *
 * <p>Only the producer thread may call {@link #offer} and {@link #publish}; only the consumer thread
 * {@link #available}, {@link #entry} and {@link #take}. The producer's count of unpublished entries and its
 * cached view of the head are its own fields, the consumer's cached tail its own.
 */
public final class HandoffRing implements AutoCloseable {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long TAIL = 0;
    private static final long HEAD = 64;
    private static final long ENTRIES = 128;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ring;
    private final int capacity;
    private final int mask;
    /** Producer side: the tail including entries not yet published, and the head it last saw. */
    private long producerTail;
    private long producerHeadSeen;
    /** Consumer side: its head and the tail it last read. */
    private long consumerHead;

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
        long tail = producerTail;
        if (tail - producerHeadSeen >= capacity) {
            producerHeadSeen = (long) LONG.getAcquire(ring, HEAD);
            if (tail - producerHeadSeen >= capacity) {
                return false;
            }
        }
        ring.set(ValueLayout.JAVA_LONG, ENTRIES + (tail & mask) * Long.BYTES, entry);
        producerTail = tail + 1;
        return true;
    }

    /** Producer: makes every entry offered so far visible to the consumer (one release store). */
    public void publish() {
        LONG.setRelease(ring, TAIL, producerTail);
    }

    /** Producer: entries offered and not published yet. */
    public boolean hasUnpublished() {
        return producerTail != (long) LONG.get(ring, TAIL);
    }

    /** Consumer: the entries published and not yet taken (one acquire load). */
    public int available() {
        return (int) ((long) LONG.getAcquire(ring, TAIL) - consumerHead);
    }

    /** Consumer: as {@link #available}, with a volatile load (ordered after the caller's earlier volatile store). */
    public int availableVolatile() {
        return (int) ((long) LONG.getVolatile(ring, TAIL) - consumerHead);
    }

    /** Consumer: the {@code i}th entry not yet taken, {@code i < available()}. */
    public long entry(int i) {
        return ring.get(ValueLayout.JAVA_LONG, ENTRIES + ((consumerHead + i) & mask) * Long.BYTES);
    }

    /** Consumer: gives back the room of the first {@code n} entries (one release store). */
    public void take(int n) {
        consumerHead += n;
        LONG.setRelease(ring, HEAD, consumerHead);
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
