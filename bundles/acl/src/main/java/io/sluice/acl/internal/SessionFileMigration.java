package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import io.sluice.common.state.StateFile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Moves the live sessions of a layout-1 session file (a hash table of 64-byte slots over the whole file, before
 * session 10) into a layout-2 file ({@link SessionTable}'s dense records): they are inserted into a new file
 * {@code <file>.migrating}, which then replaces the old one by an atomic rename, so a crash midway leaves the
 * old file whole (and the next start migrates again). Sessions beyond the new table's records are counted and
 * logged. A layout-1 file whose header does not check (checksum, size) is left to {@link StateFile#open}, which
 * moves it aside as for any file of another layout.
 */
final class SessionFileMigration {
    private static final System.Logger LOG = System.getLogger(SessionFileMigration.class.getName());
    static final int LAYOUT_1 = 1;
    private static final long MAGIC_1 = 0x534c_4143_4c53_0001L; // "SLACLS" v1
    private static final int SLOT_SIZE = 64;
    private static final int REGION_HEADER = 64;
    private static final int LIVE_1 = 2;

    /** What a migration did: sessions carried over and sessions the new table had no record for. */
    record Result(long migrated, long dropped) {
    }

    private SessionFileMigration() {
    }

    /**
     * Migrates {@code path} when it is a sound layout-1 file; returns null when it is not one (absent, layout 2,
     * anything else: {@link StateFile#open} decides about those).
     */
    static Result migrateLayout1(Path path, long size, int records, StateFile.FreeSpace freeSpace) throws IOException {
        if (!Files.isRegularFile(path) || Files.size(path) < StateFile.HEADER_SIZE + REGION_HEADER) {
            return null;
        }
        ByteBuffer head = ByteBuffer.allocate(StateFile.HEADER_SIZE).order(ByteOrder.nativeOrder());
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.read(head, 0);
        }
        CRC32C crc = new CRC32C();
        crc.update(head.array(), 0, 60);
        if (head.getLong(0) != StateFile.MAGIC || head.getLong(16) != SessionFile.KIND || head.getInt(24) != LAYOUT_1
                || head.getInt(60) != (int) crc.getValue()
                || Files.size(path) != StateFile.HEADER_SIZE + head.getLong(40)) {
            return null;
        }
        long slots = head.getLong(32);
        Path migrating = path.resolveSibling(path.getFileName() + ".migrating");
        Files.deleteIfExists(migrating);
        long migrated = 0;
        long dropped = 0;
        try (Arena arena = Arena.ofConfined();
             FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment old = channel.map(FileChannel.MapMode.READ_ONLY, StateFile.HEADER_SIZE, head.getLong(40), arena);
            if (old.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != MAGIC_1
                    || old.get(ValueLayout.JAVA_INT_UNALIGNED, 8) != slots
                    || old.byteSize() < REGION_HEADER + slots * SLOT_SIZE) {
                return null;
            }
            try (SessionFile target = SessionFile.openLayout2(migrating, size, records, freeSpace);
                 SessionTable table = new SessionTable(records, SessionTimeouts.VPP_DEFAULTS, target.region())) {
                for (long slot = 0; slot < slots; slot++) {
                    long at = REGION_HEADER + slot * SLOT_SIZE;
                    if (old.get(ValueLayout.JAVA_INT_UNALIGNED, at) != LIVE_1) {
                        continue;
                    }
                    if (table.restore(old.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8),
                            old.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 16),
                            old.get(ValueLayout.JAVA_INT_UNALIGNED, at + 56),
                            old.get(ValueLayout.JAVA_INT_UNALIGNED, at + 60) != 0,
                            old.get(ValueLayout.JAVA_INT_UNALIGNED, at + 4),
                            old.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 24),
                            old.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 32),
                            old.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 40),
                            old.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 48))) {
                        migrated++;
                    } else {
                        dropped++;
                    }
                }
                target.force();
            }
        }
        Files.move(migrating, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.log(dropped == 0 ? System.Logger.Level.INFO : System.Logger.Level.WARNING, path + ": " + migrated
                + " ACL sessions migrated from layout 1 to layout 2" + (dropped == 0 ? ""
                : "; " + dropped + " did not fit the table of " + records + " records and are dropped"
                + " (their replies are denied until the inside sends again)"));
        return new Result(migrated, dropped);
    }
}
