package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import io.sluice.common.state.StateFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layout-1 session files, written byte by byte as the table before session 10 wrote them (the state file's
 * header, the region's header "SLACLS" v1 with its slot count, then 64-byte slots hashed over the whole file),
 * are migrated to layout 2 at open with their sessions; an unreadable one is moved aside.
 */
class SessionFileMigrationTest {
    private static final long MAGIC_1 = 0x534c_4143_4c53_0001L;
    private static final int LIVE_1 = 2;
    private static final int DEAD_1 = 3;

    /** A layout-1 file of {@code slots} slots with a live session from host 10.1.0.i in slot 7 * i + 3 for each i. */
    private static void writeLayout1(Path file, int slots, int sessions, long now) throws IOException {
        long payload = 64 + (long) slots * 64;
        ByteBuffer bytes = ByteBuffer.allocate((int) (StateFile.HEADER_SIZE + payload)).order(ByteOrder.nativeOrder());
        bytes.put(StateFile.headerBytes(new StateFile.Spec(SessionFile.KIND, 1, 64, slots, payload,
                "sessions.max for " + slots + " slots")));
        int region = StateFile.HEADER_SIZE;
        bytes.putLong(region, MAGIC_1).putInt(region + 8, slots).putLong(region + 16, sessions);
        for (int i = 0; i < sessions; i++) {
            int at = region + 64 + ((7 * i + 3) % slots) * 64;
            bytes.putInt(at, LIVE_1).putInt(at + 4, 0x1212)
                    .putLong(at + 8, SessionTable.key0(0x0a010000 | i, 0x08080808))
                    .putLong(at + 16, SessionTable.key1(40000, 443, 6, 1))
                    .putLong(at + 24, now).putLong(at + 32, now - 5).putLong(at + 40, 9).putLong(at + 48, 900)
                    .putInt(at + 56, 1).putInt(at + 60, 1);
        }
        // a tombstone, which is no session
        bytes.putInt(region + 64, DEAD_1); // slot 0: no session above is hashed there (7i + 3 is not 0 mod 2048)
        Files.write(file, bytes.array());
    }

    private static List<Path> siblings(Path dir, String prefix) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    @Test
    void theLiveSessionsOfALayout1FileAreMovedIntoLayout2(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        ManualClock clock = new ManualClock();
        writeLayout1(file, 2048, 300, clock.nanos());
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(300, box.stats().live());
            SessionTable table = box.table();
            for (int i = 0; i < 300; i++) {
                int record = table.find(SessionTable.key0(0x0a010000 | i, 0x08080808), SessionTable.key1(40000, 443, 6, 1),
                        clock.nanos());
                assertTrue(record >= 0 && record < 300, "session " + i + " is packed at the front: " + record);
                assertTrue(table.createdOnInput(record));
            }
            assertEquals(300, table.highWater());
            var listed = box.sessions(1);
            assertEquals(9, listed.getFirst().packets(), "the traffic is carried over");
        }
        assertEquals(StateFile.HEADER_SIZE + SessionTable.regionSize(1000), Files.size(file));
        assertTrue(siblings(dir, "sessions.bin.").isEmpty(), "neither .migrating nor a moved-aside file is left");
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(300, box.stats().live(), "the migrated file reopens as layout 2");
        }
    }

    @Test
    void sessionsBeyondASmallerTableAreDroppedAndCounted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        ManualClock clock = new ManualClock();
        writeLayout1(file, 2048, 100, clock.nanos());
        SessionFileMigration.Result result = SessionFileMigration.migrateLayout1(file, SessionTable.regionSize(64),
                SessionTable.slotCount(64), StateFile.FreeSpace.FILESYSTEM);
        assertEquals(new SessionFileMigration.Result(64, 36), result);
        try (AclSessionsImpl box = new AclSessionsImpl(file, 64, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(64, box.stats().live());
        }
    }

    @Test
    void anUnreadableLayout1FileIsMovedAside(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        ManualClock clock = new ManualClock();
        writeLayout1(file, 2048, 10, clock.nanos());
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {9, 9}), 33);
        }
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(0, box.stats().live());
        }
        assertEquals(1, siblings(dir, "sessions.bin.moved-").size());
        assertFalse(Files.exists(dir.resolve("sessions.bin.migrating")));
    }
}
