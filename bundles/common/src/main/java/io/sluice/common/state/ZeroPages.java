package io.sluice.common.state;

import io.sluice.nativeio.api.Libc;
import io.sluice.nativeio.api.LinuxConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Zeroed off-heap memory that is resident only where it has been written: a private anonymous mapping
 * (mmap(2) {@code MAP_PRIVATE | MAP_ANONYMOUS}), whose pages the kernel gives, zero-filled, at their first
 * access. {@code Arena.allocate} zeroes the whole block at once (every page resident from the start); an
 * open-addressing index sized for a million sessions holding a hundred would cost its full size that way.
 *
 * <p>The segment belongs to {@code arena}: closing the arena unmaps it (and any later access fails cleanly, as
 * for memory the arena allocated). {@link #clear} zeroes it again by giving its pages back (madvise(2)
 * {@code MADV_DONTNEED}: a private anonymous page reads as zeros after it), so clearing costs no residency
 * either. Page-aligned, so any record alignment up to 4096 holds.
 */
public final class ZeroPages {
    private ZeroPages() {
    }

    /** {@code bytes} of zeros, mapped now and resident page by page as they are touched. */
    public static MemorySegment allocate(Arena arena, long bytes) {
        MemorySegment mapped = Libc.mmap(bytes, LinuxConstants.PROT_READ | LinuxConstants.PROT_WRITE,
                LinuxConstants.MAP_PRIVATE | LinuxConstants.MAP_ANONYMOUS, -1, 0);
        return mapped.reinterpret(bytes, arena, Libc::munmap);
    }

    /**
     * Zeroes all of {@code segment}, which {@link #allocate} made, without touching a page. Callers make sure no
     * other thread writes it meanwhile (a store racing with the madvise may be lost), as they would for a fill.
     */
    public static void clear(MemorySegment segment) {
        Libc.madvise(segment, LinuxConstants.MADV_DONTNEED);
    }
}
