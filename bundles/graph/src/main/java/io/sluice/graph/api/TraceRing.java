package io.sluice.graph.api;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A worker's trace memory: fixed-size records appended in order, formatted only when shown. By default tracing
 * stops when the ring is full (counted), as VPP's trace buffer does, rather than overwrite what was captured; in
 * {@linkplain #setKeepLast keep-last} mode the ring wraps and the oldest records are overwritten, so that it
 * holds the most recent packets of a trace that never stops (a packet whose first records were overwritten is
 * left out when shown).
 *
 * <pre>
 *  record (RECORD_SIZE bytes):
 *  +0  int  packet number (the buffer's trace handle)
 *  +4  int  node slot
 *  +8  long time, nanoseconds of wall clock
 *  +16 payload (PAYLOAD_SIZE bytes) written by the node
 * </pre>
 */
public final class TraceRing implements AutoCloseable {
    public static final int RECORD_SIZE = 256;
    public static final int HEADER_SIZE = 16;
    public static final int PAYLOAD_SIZE = RECORD_SIZE - HEADER_SIZE;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment records;
    private final int capacity;
    private final long wallClockBaseNanos;
    private final long monotonicBaseNanos;
    private int used;
    private int nextPacket;
    private long full;
    private boolean keepLast;
    /** Records appended in keep-last mode since the ring last wrapped into its start: where the next one goes. */
    private int next;
    private long overwritten;

    public TraceRing(int capacity) {
        this.capacity = capacity;
        this.records = arena.allocate((long) capacity * RECORD_SIZE, 64);
        this.wallClockBaseNanos = System.currentTimeMillis() * 1_000_000L;
        this.monotonicBaseNanos = System.nanoTime();
    }

    public MemorySegment segment() {
        return records;
    }

    /** Starts a new traced packet: its number, to keep in the buffer's trace handle. */
    public int newPacket() {
        return nextPacket++;
    }

    /**
     * Appends a record for {@code packet} at node {@code slot}; returns the payload's offset in
     * {@link #segment()}, or -1 when the ring is full.
     */
    public long append(int packet, int slot) {
        long at;
        if (used < capacity) {
            at = (long) used++ * RECORD_SIZE;
            next = used == capacity ? 0 : used;
        } else if (keepLast) {
            at = (long) next * RECORD_SIZE;
            next = next + 1 == capacity ? 0 : next + 1;
            overwritten++;
        } else {
            full++;
            return -1;
        }
        records.set(ValueLayout.JAVA_INT, at, packet);
        records.set(ValueLayout.JAVA_INT, at + 4, slot);
        records.set(ValueLayout.JAVA_LONG, at + 8, wallClockBaseNanos + (System.nanoTime() - monotonicBaseNanos));
        return at + HEADER_SIZE;
    }

    /** Keep-last mode: wrap and overwrite the oldest records instead of refusing. Set under the barrier. */
    public void setKeepLast(boolean keepLast) {
        this.keepLast = keepLast;
    }

    public boolean keepLast() {
        return keepLast;
    }

    /** Records overwritten in keep-last mode. */
    public long overwritten() {
        return overwritten;
    }

    /**
     * Copies the used records into {@code target} oldest first (a wrapped ring's start is not its oldest record).
     * Under the barrier.
     */
    public void copyInOrder(MemorySegment target) {
        long bytes = (long) used * RECORD_SIZE;
        if (used < capacity || next == 0) {
            MemorySegment.copy(records, 0, target, 0, bytes);
            return;
        }
        long oldest = (long) next * RECORD_SIZE;
        MemorySegment.copy(records, oldest, target, 0, bytes - oldest);
        MemorySegment.copy(records, 0, target, bytes - oldest, oldest);
    }

    public int used() {
        return used;
    }

    public int capacity() {
        return capacity;
    }

    /** Records refused because the ring was full. */
    public long refused() {
        return full;
    }

    public int packets() {
        return nextPacket;
    }

    public int recordPacket(int record) {
        return recordPacket(records, record);
    }

    public int recordSlot(int record) {
        return recordSlot(records, record);
    }

    public long recordTimeNanos(int record) {
        return recordTimeNanos(records, record);
    }

    /** The packet number of record {@code record} in {@code records}: a ring's segment or a copy of it. */
    public static int recordPacket(MemorySegment records, int record) {
        return records.get(ValueLayout.JAVA_INT, (long) record * RECORD_SIZE);
    }

    /** The node slot of record {@code record} in {@code records}: a ring's segment or a copy of it. */
    public static int recordSlot(MemorySegment records, int record) {
        return records.get(ValueLayout.JAVA_INT, (long) record * RECORD_SIZE + 4);
    }

    /** The wall-clock time of record {@code record} in {@code records}: a ring's segment or a copy of it. */
    public static long recordTimeNanos(MemorySegment records, int record) {
        return records.get(ValueLayout.JAVA_LONG, (long) record * RECORD_SIZE + 8);
    }

    public static long payloadOffset(int record) {
        return (long) record * RECORD_SIZE + HEADER_SIZE;
    }

    public void clear() {
        used = 0;
        nextPacket = 0;
        full = 0;
        next = 0;
        overwritten = 0;
        keepLast = false;
    }

    @Override
    public void close() {
        arena.close();
    }
}
