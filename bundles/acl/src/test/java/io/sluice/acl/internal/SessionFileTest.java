package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reflect sessions in their mapped file: a restart finds them again; a foreign file is moved aside, not misread. */
class SessionFileTest {
    private static final long KEY0 = SessionTable.key0(0x0a010103, 0xcb007133);
    private static final long KEY1 = SessionTable.key1(41084, 80, 6, 6);

    @Test
    void aSessionSurvivesARestartAndAgesFromWhereItWas(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("acl").resolve("sessions.bin");
        ManualClock clock = new ManualClock();
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertTrue(box.table().insert(KEY0, KEY1, 6, true, 0x02, 60, clock.nanos()) >= 0);
        }
        assertEquals(io.sluice.common.state.StateFile.HEADER_SIZE + SessionTable.regionSize(1000), Files.size(file),
                "the file's space is reserved whole: its header and the region");
        clock.advanceSeconds(60);
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(1, box.stats().live(), "restored after the restart");
            assertTrue(box.table().find(KEY0, KEY1, clock.nanos()) >= 0, "and found by the packet's keys");
            assertEquals(1, box.stats().added(), "with its counters");
        }
        clock.advanceSeconds(SessionTimeouts.VPP_DEFAULTS.tcpTransientSeconds());
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertTrue(box.table().find(KEY0, KEY1, clock.nanos()) < 0,
                    "a half-open TCP session idle past its transient timeout is not brought back to life");
        }
    }

    private static java.util.List<Path> movedAside(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("sessions.bin.moved-")).sorted().toList();
        }
    }

    @Test
    void aFileOfAnotherSizeOrKindIsMovedAside(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        ManualClock clock = new ManualClock();
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            box.table().insert(KEY0, KEY1, 6, true, 0x02, 60, clock.nanos());
        }
        try (AclSessionsImpl box = new AclSessionsImpl(file, 100_000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(0, box.stats().live(), "another slot count starts empty");
        }
        assertEquals(1, movedAside(dir).size());

        Files.write(file, new byte[(int) SessionTable.regionSize(1000)]);
        Files.write(file, "not a session table".getBytes(), java.nio.file.StandardOpenOption.WRITE);
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(0, box.stats().live());
        }
        java.util.List<Path> aside = movedAside(dir);
        assertTrue(aside.stream().anyMatch(f -> {
            try {
                return new String(Files.readAllBytes(f), 0, 19).equals("not a session table");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), "the foreign file is kept aside as it was");
    }

    @Test
    void aTruncatedFileIsMovedAsideAndTheTableStartsEmpty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        ManualClock clock = new ManualClock();
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            box.table().insert(KEY0, KEY1, 6, true, 0x02, 60, clock.nanos());
        }
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(4096);
        }
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(0, box.stats().live(), "nothing is read from a truncated file");
            assertTrue(box.table().insert(KEY0, KEY1, 6, true, 0x02, 60, clock.nanos()) >= 0, "and the new one works");
        }
        assertEquals(io.sluice.common.state.StateFile.HEADER_SIZE + SessionTable.regionSize(1000), Files.size(file));
        assertEquals(4096, Files.size(movedAside(dir).getFirst()));
    }

    @Test
    void aCorruptHeaderOrDamagedSlotsMoveTheFileAside(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        ManualClock clock = new ManualClock();
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            box.table().insert(KEY0, KEY1, 6, true, 0x02, 60, clock.nanos());
        }
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), 33);
        }
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(0, box.stats().live(), "a header whose checksum fails is not trusted");
            box.table().insert(KEY0, KEY1, 6, true, 0x02, 60, clock.nanos());
        }
        // A slot in a state no table writes: the header is sound, the records are not.
        long slot5 = io.sluice.common.state.StateFile.HEADER_SIZE + SessionTable.HEADER_SIZE + 5L * SessionTable.SLOT_SIZE;
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0x99}), slot5);
        }
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(0, box.stats().live(), "damaged slots are not attached to");
        }
        assertEquals(2, movedAside(dir).size());
    }

    @Test
    void aFileOfTheFormatBeforeTheHeaderIsMigratedWithItsSessions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        ManualClock clock = new ManualClock();
        // The earlier format: the region alone, as a retained segment holds it.
        long size = SessionTable.regionSize(1000);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment region = arena.allocate(size, 64);
            SessionTable table = new SessionTable(1000, SessionTimeouts.VPP_DEFAULTS, region);
            assertTrue(table.insert(KEY0, KEY1, 6, true, 0x02, 60, clock.nanos()) >= 0);
            Files.write(file, region.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(1, box.stats().live(), "the session is kept through the migration");
            assertTrue(box.table().find(KEY0, KEY1, clock.nanos()) >= 0);
        }
        assertTrue(movedAside(dir).isEmpty());
        assertEquals(io.sluice.common.state.StateFile.HEADER_SIZE + size, Files.size(file));
    }

    @Test
    void aDiskThatCannotHoldTheFileRefusesTheStartNamingTheFileAndTheBytes(@TempDir Path dir) {
        Path file = dir.resolve("sessions.bin");
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> SessionFile.open(file, SessionTable.regionSize(1000), SessionTable.slotCount(1000), d -> 4096));
        assertTrue(e.getMessage().startsWith(file + ": sessions.max for 1024 records needs "
                + (64 + SessionTable.regionSize(1000)) + " bytes"), e.getMessage());
        assertTrue(!Files.exists(file), "no half-made file is left");
    }

    /**
     * A disk that fills while the table is in use: the file was reserved whole at open, so every session the table
     * holds is written on a full disk and the next is a counted refusal, never a fault in a worker. A second file
     * on that disk is refused at open, naming it. Needs root for the 2 MB tmpfs.
     */
    @Test
    void aDiskThatFillsUpAfterTheOpenRefusesNewSessionsCountedNeverAFault(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "mounting a small tmpfs needs root");
        Path mount = Files.createDirectories(dir.resolve("small-disk"));
        org.junit.jupiter.api.Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs",
                mount.toString()), "tmpfs could not be mounted here");
        try {
            ManualClock clock = new ManualClock();
            int max = 4000;
            try (AclSessionsImpl box = new AclSessionsImpl(mount.resolve("sessions.bin"), max,
                    SessionTimeouts.VPP_DEFAULTS, clock)) {
                byte[] chunk = new byte[4096];
                try (java.io.OutputStream out = Files.newOutputStream(mount.resolve("filler"))) {
                    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> {
                        while (true) {
                            out.write(chunk);
                        }
                    });
                } catch (java.io.IOException closing) {
                    // the disk is full either way
                }
                for (int i = 0; i < max; i++) {
                    assertTrue(box.table().insert(SessionTable.key0(0x0a010103, 0x08080808 + i),
                            SessionTable.key1(10_000 + (i & 0x3fff), 53, 17, 6), 6, true, 0, 60, clock.nanos()) >= 0,
                            "session " + i + " on a full disk");
                }
                assertEquals(SessionTable.REFUSED_FULL, box.table().insert(SessionTable.key0(0x0a010104, 1),
                        SessionTable.key1(1, 53, 17, 6), 6, true, 0, 60, clock.nanos()));
                assertEquals(max, box.stats().live());
                assertEquals(1, box.stats().refusedFull(), "the refusal is counted");
                java.io.IOException noRoom = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                        () -> new AclSessionsImpl(mount.resolve("other.bin"), max, SessionTimeouts.VPP_DEFAULTS, clock));
                assertTrue(noRoom.getMessage().startsWith(mount.resolve("other.bin") + ": sessions.max for "),
                        noRoom.getMessage());
                assertTrue(!Files.exists(mount.resolve("other.bin")), "no half-made file is left");
            }
        } finally {
            assertTrue(run("umount", mount.toString()), "the tmpfs is unmounted");
        }
    }

    private static boolean run(String... command) throws java.io.IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        return process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
