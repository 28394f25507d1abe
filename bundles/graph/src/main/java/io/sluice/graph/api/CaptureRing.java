package io.sluice.graph.api;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's packet-capture memory: a single-producer (the worker), single-consumer (the control plane's
 * drainer) ring of fixed-size records in native memory, made before the capture is armed. The worker copies a
 * packet's first {@code snaplen} bytes into the next free record and publishes it with a release store of the
 * tail; the drainer reads records up to the tail it loads with acquire and gives them back by moving the head.
 * A full ring refuses the packet and counts it ({@link #ringFull()}): the worker never waits and never does file
 * I/O. At most {@code limit} packets are taken in all, so that {@code max N} stops the worker's copying by itself.
 *
 * <pre>
 *  record (recordSize() bytes = HEADER_SIZE + snaplen rounded up to 8):
 *  +0  int  captured length (at most snaplen)
 *  +4  int  original length on the wire
 *  +8  long time, nanoseconds of wall clock
 *  +16 int  sw_if_index
 *  +20 int  capture point (ArmedCapture.RX, TX or DROP)
 *  +24 int  for a drop, the graph slot of the node that dropped it; else -1
 *  +28 int  for a drop, the global index of the error counter its node stamped on it; else -1
 *  +32 the packet's first bytes
 * </pre>
 */
public final class CaptureRing implements AutoCloseable {
    public static final int HEADER_SIZE = 32;
    private static final int CAPTURED_LENGTH = 0;
    private static final int ORIGINAL_LENGTH = 4;
    private static final int TIME = 8;
    private static final int SW_IF_INDEX = 16;
    private static final int POINT = 20;
    private static final int NODE = 24;
    private static final int ERROR = 28;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(CaptureRing.class, "head", long.class);
            TAIL = lookup.findVarHandle(CaptureRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment records;
    private final int capacity;
    private final long mask;
    private final int recordSize;
    private final int snaplen;
    private final long limit;
    private final long wallClockBaseNanos;
    private final long monotonicBaseNanos;
    /** Records the drainer has consumed: written by the drainer only. */
    @SuppressWarnings("unused")
    private volatile long head;
    /** Records the worker has published: written by the worker only. */
    @SuppressWarnings("unused")
    private volatile long tail;
    /** Worker-owned counts, read by the control plane for status (a stale value is harmless there). */
    private long taken;
    private long full;

    /** {@code capacity}: records, a power of two; {@code limit}: packets to take at most in all. */
    public CaptureRing(int capacity, int snaplen, long limit) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capture ring capacity must be a power of two: " + capacity);
        }
        if (snaplen <= 0) {
            throw new IllegalArgumentException("snaplen must be positive: " + snaplen);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.snaplen = snaplen;
        this.recordSize = HEADER_SIZE + ((snaplen + 7) & ~7);
        this.limit = limit;
        this.records = arena.allocate((long) capacity * recordSize, 64);
        this.wallClockBaseNanos = System.currentTimeMillis() * 1_000_000L;
        this.monotonicBaseNanos = System.nanoTime();
    }

    // ---- worker side ----

    /** {@link #offer(MemorySegment, long, int, int, int, int, int)} without an error counter. */
    public boolean offer(MemorySegment packet, long offset, int length, int swIfIndex, int point, int node) {
        return offer(packet, offset, length, swIfIndex, point, node, -1);
    }

    /**
     * Copies {@code length} bytes at {@code offset} of {@code packet} (up to the snaplen) as a packet seen at
     * {@code point} on {@code swIfIndex}; {@code node} is the slot of the node that dropped it, or -1, and
     * {@code error} the global index of the error counter that node stamped, or -1. False when the limit is
     * reached or the ring is full (counted).
     */
    public boolean offer(MemorySegment packet, long offset, int length, int swIfIndex, int point, int node,
                         int error) {
        if (taken >= limit) {
            return false;
        }
        long t = tail;
        if (t - (long) HEAD.getAcquire(this) == capacity) {
            full++;
            return false;
        }
        long at = (t & mask) * recordSize;
        int captured = Math.min(length, snaplen);
        records.set(ValueLayout.JAVA_INT, at + CAPTURED_LENGTH, captured);
        records.set(ValueLayout.JAVA_INT, at + ORIGINAL_LENGTH, length);
        records.set(ValueLayout.JAVA_LONG, at + TIME, wallClockBaseNanos + (System.nanoTime() - monotonicBaseNanos));
        records.set(ValueLayout.JAVA_INT, at + SW_IF_INDEX, swIfIndex);
        records.set(ValueLayout.JAVA_INT, at + POINT, point);
        records.set(ValueLayout.JAVA_INT, at + NODE, node);
        records.set(ValueLayout.JAVA_INT, at + ERROR, error);
        MemorySegment.copy(packet, offset, records, at + HEADER_SIZE, captured);
        taken++;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** True once {@code limit} packets were taken: nothing more will be, and nothing more is counted. */
    public boolean exhausted() {
        return taken >= limit;
    }

    // ---- drainer side ----

    /** Records published and not yet released. */
    public int available() {
        return (int) ((long) TAIL.getAcquire(this) - head);
    }

    /** The offset in {@link #segment()} of the {@code i}-th record not yet released ({@code i < available()}). */
    public long peek(int i) {
        return ((head + i) & mask) * recordSize;
    }

    /** Gives the first {@code n} unreleased records back to the worker. */
    public void release(int n) {
        HEAD.setRelease(this, head + n);
    }

    public MemorySegment segment() {
        return records;
    }

    public static int capturedLength(MemorySegment records, long record) {
        return records.get(ValueLayout.JAVA_INT, record + CAPTURED_LENGTH);
    }

    public static int originalLength(MemorySegment records, long record) {
        return records.get(ValueLayout.JAVA_INT, record + ORIGINAL_LENGTH);
    }

    public static long timeNanos(MemorySegment records, long record) {
        return records.get(ValueLayout.JAVA_LONG, record + TIME);
    }

    public static int swIfIndex(MemorySegment records, long record) {
        return records.get(ValueLayout.JAVA_INT, record + SW_IF_INDEX);
    }

    public static int point(MemorySegment records, long record) {
        return records.get(ValueLayout.JAVA_INT, record + POINT);
    }

    /** For a drop, the graph slot of the node that dropped the packet; -1 when not a drop or not known. */
    public static int node(MemorySegment records, long record) {
        return records.get(ValueLayout.JAVA_INT, record + NODE);
    }

    /** For a drop, the global index of the error counter that counts it; -1 when not a drop or not stamped. */
    public static int error(MemorySegment records, long record) {
        return records.get(ValueLayout.JAVA_INT, record + ERROR);
    }

    public static long bytesOffset(long record) {
        return record + HEADER_SIZE;
    }

    public int capacity() {
        return capacity;
    }

    public int snaplen() {
        return snaplen;
    }

    /** Packets the worker copied into the ring. */
    public long taken() {
        return taken;
    }

    /** Packets refused because the drainer had not yet emptied the ring. */
    public long ringFull() {
        return full;
    }

    /** Frees the memory: only once no worker can still see the ring (after the barrier that disarmed it). */
    @Override
    public void close() {
        arena.close();
    }
}
