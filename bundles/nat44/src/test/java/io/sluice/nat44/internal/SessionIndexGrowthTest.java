package io.sluice.nat44.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The indexes growing with the sessions they hold (issue 21): nothing lost by a growth, for the writer or a reader. */
class SessionIndexGrowthTest {

    private static long inKey(int i) {
        return SessionTable.key(0x0a000000 | (i >>> 12), 1024 + (i & 0xfff), 17);
    }

    private static long outKey(int i) {
        return SessionTable.key(0xc0a81001 + (i >>> 16), i & 0xffff, 17);
    }

    @Test
    void theIndexesStartSmallGrowFourTimesOverAndStopAtTheCapacitysSize() {
        int capacity = 300_000;
        try (SessionTable table = SessionTable.anonymous(capacity)) {
            assertEquals(SessionTable.slotCount(SessionTable.INITIAL_SESSIONS) * 8, table.indexBytes());
            List<Integer> sessions = new ArrayList<>();
            for (int i = 0; i < capacity; i++) {
                int s = table.insert(inKey(i), outKey(i), 0x08080808, 53, 0, false, 0, Long.MAX_VALUE);
                assertTrue(s >= 0, "session " + i);
                sessions.add(s);
                if (i == SessionTable.INITIAL_SESSIONS - 1) {
                    assertEquals(0, table.indexGrowths(), "half full is not yet past half full");
                }
            }
            // 16384 -> 65536 -> 262144 sessions' worth of slots, then the capacity's own size
            assertEquals(3, table.indexGrowths());
            assertEquals(SessionTable.slotCount(capacity) * 8, table.indexBytes());
            assertEquals(-1, table.insert(inKey(capacity), outKey(capacity), 0x08080808, 53, 0, false, 0, Long.MAX_VALUE),
                    "a full table refuses");
            assertEquals(2L * capacity, table.indexEntries());
            for (int i = 0; i < capacity; i++) {
                assertEquals(sessions.get(i), table.lookupIn2Out(inKey(i), 0x08080808, 53));
                assertEquals(sessions.get(i), table.lookupOut2In(outKey(i), 0x08080808, 53));
            }
            for (int i = 0; i < capacity; i += 2) {
                table.remove(sessions.get(i));
            }
            assertEquals(2L * (capacity / 2), table.indexEntries());
            for (int i = 0; i < capacity; i++) {
                int expected = i % 2 == 0 ? -1 : sessions.get(i);
                assertEquals(expected, table.lookupIn2Out(inKey(i), 0x08080808, 53));
                assertEquals(expected, table.lookupOut2In(outKey(i), 0x08080808, 53));
            }
        }
    }

    @Test
    void aRebuildStartsSmallAgainAndGrowsForWhatItKeeps() {
        try (SessionTable table = SessionTable.anonymous(1_000_000)) {
            for (int i = 0; i < 100_000; i++) {
                assertTrue(table.insert(inKey(i), outKey(i), 1, 2, 0, false, 0, i < 20_000 ? 10 : Long.MAX_VALUE) >= 0);
            }
            assertEquals(80_000, table.rebuild(10));
            // 80000 sessions need 262144 sessions' worth of slots: two growths from the start again
            assertEquals(SessionTable.slotCount(262_144) * 8, table.indexBytes());
            assertEquals(160_000, table.indexEntries());
            assertEquals(-1, table.lookupIn2Out(inKey(0), 1, 2));
            assertTrue(table.lookupIn2Out(inKey(99_999), 1, 2) >= 0);
            assertTrue(table.lookupOut2In(outKey(20_000), 1, 2) >= 0);
        }
    }

    /**
     * Workers read without a lock while the slow path inserts, grows and deletes: a session that stays in the table
     * all along is found on every lookup, by both keys, through every growth. A growth that published the new index
     * before filling it, or cleared the old one without moving the epoch, makes a reader miss and this fail.
     */
    @Test
    void lockFreeReadersNeverMissAStaySessionWhileTheIndexesGrow() throws Exception {
        int capacity = 600_000;
        int stay = 2000;
        try (SessionTable table = SessionTable.anonymous(capacity)) {
            int[] staySessions = new int[stay];
            for (int i = 0; i < stay; i++) {
                staySessions[i] = table.insert(inKey(i), outKey(i), 7, 7, 0, false, 0, Long.MAX_VALUE);
            }
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicLong lookups = new AtomicLong();
            Thread[] readers = new Thread[2];
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            for (int r = 0; r < readers.length; r++) {
                int seed = r;
                readers[r] = new Thread(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    long n = 0;
                    while (!done.get() && failure.get() == null) {
                        int i = random.nextInt(stay);
                        int in = table.lookupIn2Out(inKey(i), 7, 7);
                        int out = table.lookupOut2In(outKey(i), 7, 7);
                        if (in != staySessions[i] || out != staySessions[i]) {
                            failure.set("session " + i + " looked up as " + in + "/" + out + ", is " + staySessions[i]);
                        }
                        n++;
                    }
                    lookups.addAndGet(n);
                });
                readers[r].start();
            }
            SplittableRandom random = new SplittableRandom(42);
            List<Integer> churn = new ArrayList<>();
            for (int i = stay; i < capacity - 1000 && failure.get() == null; i++) {
                synchronized (table.lock()) {
                    churn.add(table.insert(inKey(i), outKey(i), 7, 7, 0, false, 0, Long.MAX_VALUE));
                    if (random.nextInt(4) == 0) {
                        // deletes shift entries back while the readers probe
                        table.remove(churn.remove(random.nextInt(churn.size())));
                    }
                }
            }
            done.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
            assertNull(failure.get());
            assertTrue(table.indexGrowths() >= 3, "the indexes grew: " + table.indexGrowths());
            assertTrue(lookups.get() > 10_000, "the readers ran beside the growths: " + lookups.get());
        }
    }

    @Test
    void theMappingIndexesGrowWithTheMappingsAndKeepEveryOne() {
        int capacity = 200_000;
        try (SessionTable table = SessionTable.anonymous(capacity);
             EndpointMappings mappings = new EndpointMappings(table)) {
            long initialSlots = mappings.slots();
            int count = 120_000;
            int[] representative = new int[count];
            for (int i = 0; i < count; i++) {
                int s = table.insert(inKey(i), outKey(i), 9, 9, 0, false, 0, Long.MAX_VALUE);
                mappings.add(s);
                representative[i] = s;
                if (i % 3 == 0) {
                    // a second session of the same mapping (another remote), so rings survive the growths too
                    int joined = table.insert(inKey(i), outKey(i), 10, 10, 0, false, 0, Long.MAX_VALUE);
                    mappings.join(s, joined);
                }
            }
            assertTrue(mappings.growths() >= 2, "grew: " + mappings.growths());
            assertTrue(mappings.slots() > initialSlots);
            assertEquals(count, mappings.size());
            for (int i = 0; i < count; i++) {
                assertEquals(representative[i], mappings.findByInside(inKey(i)));
                assertEquals(representative[i], mappings.findByOutside(outKey(i)));
                assertEquals(i % 3 == 0 ? 2 : 1, mappings.sessions(representative[i]));
            }
            for (int i = 1; i < count; i += 3) {
                assertTrue(mappings.leave(representative[i]), "the only session of mapping " + i);
            }
            for (int i = 0; i < count; i++) {
                int expected = i % 3 == 1 ? -1 : representative[i];
                assertEquals(expected, mappings.findByInside(inKey(i)));
                assertEquals(expected, mappings.findByOutside(outKey(i)));
            }
        }
    }
}
