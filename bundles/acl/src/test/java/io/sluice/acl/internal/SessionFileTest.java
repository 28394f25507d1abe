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
        assertEquals(SessionTable.regionSize(1000), Files.size(file), "the file's space is reserved whole");
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
        assertTrue(Files.exists(dir.resolve("sessions.bin.incompatible")));

        Files.write(file, new byte[(int) SessionTable.regionSize(1000)]);
        Files.write(file, "not a session table".getBytes(), java.nio.file.StandardOpenOption.WRITE);
        try (AclSessionsImpl box = new AclSessionsImpl(file, 1000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            assertEquals(0, box.stats().live());
        }
        assertTrue(new String(Files.readAllBytes(dir.resolve("sessions.bin.incompatible")), 0, 19)
                .equals("not a session table"), "the foreign file is kept aside as it was");
    }
}
