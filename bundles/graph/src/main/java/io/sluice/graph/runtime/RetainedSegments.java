package io.sluice.graph.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * Native memory kept by name for as long as the graph runs, so that state such as ACL sessions outlives the
 * bundle that asked for it ({@code GraphRuntime.retainedSegment}). Freed only under the barrier: a worker may be
 * reading it until then.
 */
final class RetainedSegments {

    private final WorkerPool workers;
    private final Map<String, Arena> arenas = new HashMap<>();
    private final Map<String, MemorySegment> segments = new HashMap<>();

    RetainedSegments(WorkerPool workers) {
        this.workers = workers;
    }

    synchronized MemorySegment get(String name, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("retained segment '" + name + "': size must be positive, got " + bytes);
        }
        MemorySegment existing = segments.get(name);
        if (existing != null) {
            if (existing.byteSize() != bytes) {
                throw new IllegalArgumentException("retained segment '" + name + "' holds " + existing.byteSize()
                        + " bytes; " + bytes + " were asked for (release it first to resize)");
            }
            return existing;
        }
        Arena arena = Arena.ofShared();
        MemorySegment made = arena.allocate(bytes, 64);
        arenas.put(name, arena);
        segments.put(name, made);
        return made;
    }

    void release(String name) {
        Arena arena;
        synchronized (this) {
            arena = arenas.remove(name);
            segments.remove(name);
        }
        if (arena != null) {
            workers.withBarrier(() -> {
                arena.close();
                return null;
            });
        }
    }

    /** Frees every segment: the workers have stopped. */
    synchronized void closeAll() {
        arenas.values().forEach(Arena::close);
        arenas.clear();
        segments.clear();
    }
}
