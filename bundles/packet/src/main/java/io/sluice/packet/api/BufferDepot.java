package io.sluice.packet.api;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The free indices of a shared buffer memory that no worker's cache holds ({@link BufferPool#shared}): VPP's
 * buffer pool behind its per-thread caches ({@code vlib_buffer_pool_t}, refilled and spilled in batches). A view
 * comes here only when its cache is empty or full, and then moves {@link BufferPool#DEPOT_BATCH} indices in one
 * {@code System.arraycopy} under the depot's monitor: a few hundred nanoseconds once per 256 buffers, never per
 * packet, and no thread waits long for it (nothing else is done while it is held).
 *
 * <pre>
 *  stack[0 .. count): free indices, the lowest on top at the start (low pages are touched first)
 * </pre>
 */
final class BufferDepot {

    private final MemorySegment segment;
    private final Arena arena;
    private final int capacity;
    private final int[] stack;
    /** Written under the monitor, read by any thread for the counts. */
    private volatile int count;
    private BufferPool[] views = new BufferPool[0];
    /** The views not closed yet (a view closed twice counts once). */
    private boolean[] closed = new boolean[0];
    private int open;

    BufferDepot(MemorySegment segment, Arena arena, int capacity, int views) {
        this.segment = segment;
        this.arena = arena;
        this.capacity = capacity;
        this.stack = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            stack[i] = capacity - 1 - i;
        }
        this.count = capacity;
        this.open = views;
    }

    void bind(BufferPool[] made) {
        this.views = made.clone();
        this.closed = new boolean[made.length];
    }

    MemorySegment segment() {
        return segment;
    }

    int capacity() {
        return capacity;
    }

    /** Moves up to {@code max} free indices into {@code to[at..]}; returns how many. */
    synchronized int take(int[] to, int at, int max) {
        int n = Math.min(max, count);
        System.arraycopy(stack, count - n, to, at, n);
        count -= n;
        return n;
    }

    /** Takes back {@code n} free indices from {@code from[at..]}. */
    synchronized void give(int[] from, int at, int n) {
        if (count + n > capacity) {
            throw new IllegalStateException("buffer freed twice: " + (count + n - capacity)
                    + " more free indices than the memory's " + capacity + " buffers");
        }
        System.arraycopy(from, at, stack, count, n);
        count += n;
    }

    /** Free buffers in the depot and in every view's cache (exact when the workers are quiet). */
    int free() {
        int free = count;
        for (BufferPool view : views) {
            free += view.publishedFreeCount();
        }
        return free;
    }

    /** A view is closed; the last one unmaps the memory. */
    synchronized void release(BufferPool view) {
        for (int w = 0; w < views.length; w++) {
            if (views[w] == view && !closed[w]) {
                closed[w] = true;
                if (--open == 0) {
                    arena.close();
                }
            }
        }
    }
}
