package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import io.sluice.packet.api.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reflect table's per-page occupancy counts (what lets the sweep skip empty pages and the release give them
 * back): checked against the slots themselves while random sessions are created, refused by a host quota, kept
 * alive and expired; and the residency they buy, read from this process's /proc/self/smaps as
 * StateFileResidencyTest does (page tables, not timing).
 */
class SessionTableOccupancyTest {
    private static final long SECOND = 1_000_000_000L;
    private static final SessionTimeouts TIMEOUTS = new SessionTimeouts(30, 2, 10);
    /** Twice what Linux maps around a read fault of a file page (mm/memory.c, fault_around_bytes: 64 kB). */
    private static final long FAULT_AROUND_KB = 128;
    private static final Pattern MAPPING = Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    private static long udpKey1(int initiatorPort, int responderPort) {
        return SessionTable.key1(initiatorPort, responderPort, Ipv4.PROTOCOL_UDP, 1);
    }

    /** Each page's count is the number of its slots that are not EMPTY. */
    private static void assertCountsMatchSlots(SessionTable table) {
        int[] counted = new int[table.pages()];
        for (int slot = 0; slot < table.capacity(); slot++) {
            if (table.slotState(slot) != SessionTable.EMPTY) {
                counted[table.pageOf(slot)]++;
            }
        }
        for (int page = 0; page < counted.length; page++) {
            assertEquals(counted[page], table.occupancy(page), "page " + page);
        }
    }

    @Test
    void randomCreatesAndExpiriesKeepEachPageCountEqualToItsSlots() {
        SplittableRandom random = new SplittableRandom(21);
        Map<List<Long>, Long> lastActive = new HashMap<>();
        try (SessionTable table = new SessionTable(4096, TIMEOUTS)) {
            table.setMaxPerHost(40);
            long now = SECOND;
            for (int round = 0; round < 400; round++) {
                now += SECOND;
                for (int n = random.nextInt(40); n > 0; n--) {
                    long key0 = SessionTable.key0(0x0a010100 + random.nextInt(16), 0xcb007133);
                    long key1 = udpKey1(1024 + random.nextInt(60000), 53);
                    List<Long> key = List.of(key0, key1);
                    Long last = lastActive.get(key);
                    boolean liveInModel = last != null && now - last <= TIMEOUTS.udpIdleSeconds() * SECOND;
                    int slot = table.insert(key0, key1, 1, true, 0, 100, now);
                    if (slot >= 0 && !liveInModel) {
                        lastActive.put(key, now);
                    }
                }
                List<List<Long>> keys = new ArrayList<>(lastActive.keySet());
                for (int n = random.nextInt(10); n > 0 && !keys.isEmpty(); n--) {
                    List<Long> key = keys.get(random.nextInt(keys.size()));
                    int slot = table.find(key.get(0), key.get(1), now);
                    if (slot >= 0) {
                        table.touch(slot, true, 0, 100, now);
                        lastActive.put(key, now);
                    }
                }
                table.sweep(now, random.nextInt(4 * table.capacity() / 100));
                assertCountsMatchSlots(table);
                for (Map.Entry<List<Long>, Long> e : lastActive.entrySet()) {
                    boolean live = now - e.getValue() <= TIMEOUTS.udpIdleSeconds() * SECOND;
                    assertEquals(live, table.find(e.getKey().get(0), e.getKey().get(1), now) >= 0,
                            "round " + round + ": " + e.getKey());
                }
            }
            now += 100 * SECOND;
            for (int pass = 0; pass < SessionTable.MAX_PROBE + 1; pass++) {
                table.sweep(now, table.capacity());
            }
            assertCountsMatchSlots(table);
            assertEquals(0, table.live());
            for (int page = 0; page < table.pages(); page++) {
                assertEquals(0, table.occupancy(page), "every tombstone emptied, page " + page);
            }
        }
    }

    /** The Rss of the mappings of {@code file} in this process, kB. */
    private static long residentKb(Path file) throws IOException {
        String name = file.toRealPath().toString();
        long kb = 0;
        boolean ours = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (MAPPING.matcher(line).lookingAt()) {
                ours = line.endsWith(" " + name);
            } else if (ours && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kb;
    }

    @Test
    void emptiedPagesAreGivenBackAndTheSweepDoesNotMapThemInAgain(@TempDir Path dir) throws IOException {
        long maxSessions = 32768;
        Path path = dir.resolve("sessions.bin");
        SplittableRandom random = new SplittableRandom(7);
        long now = SECOND;
        try (SessionFile file = SessionFile.open(path, SessionTable.regionSize(maxSessions),
                SessionTable.slotCount(maxSessions));
             SessionTable table = new SessionTable(maxSessions, TIMEOUTS, file.region())) {
            long fileKb = Files.size(path) / 1024;
            for (int n = 0; n < 4000; n++) {
                table.insert(SessionTable.key0(0x0a010100 + n, 0xcb007133), udpKey1(1024 + random.nextInt(60000), 80),
                        1, true, 0, 100, now);
            }
            assertTrue(residentKb(path) > fileKb / 2, "4000 sessions over 1024 pages: " + residentKb(path) + " kB");

            now += 100 * SECOND;
            for (int pass = 0; pass < SessionTable.MAX_PROBE + 1; pass++) {
                table.sweep(now, table.capacity());
            }
            assertEquals(0, table.live());
            int released = table.releaseEmptyPages(file::releaseResidentPages);
            assertEquals(table.pages() - 1, released, "every page but the headers' is empty");
            assertTrue(residentKb(path) <= FAULT_AROUND_KB, "given back: " + residentKb(path) + " kB");

            for (int pass = 0; pass < 4; pass++) {
                table.sweep(now, table.capacity());
            }
            assertTrue(residentKb(path) <= FAULT_AROUND_KB, "the sweep skips the empty pages: "
                    + residentKb(path) + " kB of " + fileKb);

            long key0 = SessionTable.key0(0x0a010201, 0xcb007133);
            int slot = table.insert(key0, udpKey1(40000, 80), 1, true, 0, 100, now);
            assertTrue(slot >= 0);
            assertEquals(1, table.occupancy(table.pageOf(slot)));
            table.releaseEmptyPages(file::releaseResidentPages);
            assertEquals(slot, table.find(key0, udpKey1(40000, 80), now), "a page that holds a session is kept");
        }
        try (SessionFile file = SessionFile.open(path, SessionTable.regionSize(maxSessions),
                SessionTable.slotCount(maxSessions));
             SessionTable table = new SessionTable(maxSessions, TIMEOUTS, file.region())) {
            assertEquals(1, table.live(), "the session is in the file");
            assertCountsMatchSlots(table);
        }
    }
}
