package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session file's residency follows its live sessions: 10 000 sessions in a file for 500 000 (32 MB) are
 * resident in well under 1.5 MB of it, as /proc/self/smaps counts the mapping (64 bytes a session, packed).
 */
class SessionTableResidencyTest {
    @Test
    void tenThousandSessionsAreResidentInTheFirstPagesOfTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sessions.bin");
        ManualClock clock = new ManualClock();
        try (AclSessionsImpl box = new AclSessionsImpl(file, 500_000, SessionTimeouts.VPP_DEFAULTS, clock)) {
            SessionTable table = box.table();
            for (int i = 0; i < 10_000; i++) {
                assertTrue(table.insert(SessionTable.key0(0x0a000000 | i, 0x08080808), SessionTable.key1(40000, 443, 6, 1),
                        1, true, 0x02, 60, clock.nanos()) >= 0);
            }
            for (int i = 0; i < 100_000; i++) {
                // misses, as the internet's unsolicited packets are: they read the index, never the file
                assertEquals(-1, table.find(SessionTable.key0(0x0b000000 | i, 0x08080808),
                        SessionTable.key1(40000, 443, 6, 1), clock.nanos()));
            }
            long residentKb = residentKb(file);
            assertTrue(residentKb > 600, "the sessions themselves are resident: " + residentKb + " kB");
            assertTrue(residentKb < 1536, "the file is resident for its sessions only: " + residentKb + " kB");
        }
    }

    /** The Rss of the mappings of {@code file} in this process, from /proc/self/smaps. */
    private static long residentKb(Path file) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        String name = file.toRealPath().toString();
        long kb = 0;
        boolean inFile = false;
        for (String line : lines) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inFile = line.endsWith(name);
            } else if (inFile && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kb;
    }
}
