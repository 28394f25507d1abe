package io.sluice.acl.internal;

import io.sluice.common.state.StateFile;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The reflect sessions' region as a memory-mapped file, so that they survive a restart of the box as NAT44's
 * do: the pod's established connections keep their ACL session, and the replies keep passing, after
 * {@code ./sluice stop} and {@code start}. The file is a {@link StateFile}: a checked header (kind, geometry,
 * CRC32C), then the region byte for byte ({@link SessionTable}'s header, then its records), in this machine's byte
 * order. A file of another size, record count or layout, truncated, with a damaged header, records in states no table writes
 * ({@link SessionTable#damage}), or not ours at all, is moved aside to {@code <file>.moved-<timestamp>} (with a
 * log line saying why) and a fresh table is created, never misread; a file from before the header (the region
 * alone) is migrated with its sessions. The whole file is reserved with posix_fallocate when it is opened, so a
 * full disk is an error at start naming the file and the bytes, never a fault in a worker later; the component
 * then does not start, and the ACL nodes, which need it, are absent: the graph parks, then drops and counts,
 * what the interfaces with an ACL would send them, and interfaces without one forward as before.
 */
final class SessionFile implements AutoCloseable {
    /** The state file's kind: "ACLREFLS". */
    static final long KIND = 0x4143_4c52_4546_4c53L;
    /**
     * The region's layout: 2, dense 64-byte records below a high water ({@link SessionTable}'s comment draws it).
     * A layout-1 file (a hash table of slots over the whole file) has its sessions moved into a new file first
     * ({@link SessionFileMigration}).
     */
    static final int LAYOUT = 2;

    private final StateFile file;

    private SessionFile(StateFile file) {
        this.file = file;
    }

    /** Maps {@code path} as a region of {@code size} bytes for a table of {@code slots} records. */
    static SessionFile open(Path path, long size, int slots) throws IOException {
        return open(path, size, slots, StateFile.FreeSpace.FILESYSTEM);
    }

    /** {@link #open(Path, long, int)} with the free space probe a test can replace. */
    static SessionFile open(Path path, long size, int slots, StateFile.FreeSpace freeSpace) throws IOException {
        SessionFileMigration.migrateLayout1(path, size, slots, freeSpace);
        return openLayout2(path, size, slots, freeSpace);
    }

    /** {@link #open} without looking for a layout-1 file to migrate first. */
    static SessionFile openLayout2(Path path, long size, int slots, StateFile.FreeSpace freeSpace) throws IOException {
        StateFile.Spec spec = new StateFile.Spec(KIND, LAYOUT, SessionTable.SLOT_SIZE, slots, size,
                "sessions.max for " + slots + " records");
        StateFile.Legacy legacy = (head, fileSize) -> fileSize == size && SessionTable.holdsTable(head, slots) ? null
                : "an ACL session table of an earlier format for " + slots + " records (" + size + " bytes)";
        return new SessionFile(StateFile.open(path, spec, legacy, region -> SessionTable.damage(region, slots),
                freeSpace));
    }

    MemorySegment region() {
        return file.payload();
    }

    Path path() {
        return file.path();
    }

    StateFile.Outcome outcome() {
        return file.outcome();
    }

    /** Takes the file's pages out of the box's resident set, contents kept ({@link StateFile#releaseResidentPages}). */
    void releaseResidentPages() {
        file.releaseResidentPages();
    }

    /** Gives back the whole pages of {@code bytes} from {@code regionOffset} ({@link StateFile#releaseResidentPages(long, long)}). */
    void releaseResidentPages(long regionOffset, long bytes) {
        file.releaseResidentPages(regionOffset, bytes);
    }

    /** Writes dirty pages to the device (msync), without a lock: for power loss; a JVM crash loses nothing anyway. */
    void force() {
        file.force();
    }

    /** Flushes and unmaps. Call only once no worker can reach the table (its nodes removed). */
    @Override
    public void close() throws IOException {
        file.close();
    }
}
