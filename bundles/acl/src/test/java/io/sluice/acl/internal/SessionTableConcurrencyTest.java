package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lock-free lookups beside a writer: stable TCP sessions are looked up by two reader threads while a writer
 * inserts and expires UDP sessions around them, so that backward shifts keep moving the stable sessions' index
 * entries and records keep being freed and taken again. No lookup of a stable session may miss or return another
 * record; a lookup of a churning session returns -1 or a record holding its key at some point, never a record
 * another key holds for the whole lookup (checked by the record number's key range).
 */
class SessionTableConcurrencyTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int STABLE = 500;
    private static final int CHURN = 1500;

    @Test
    void readersNeverMissAStableSessionWhileTheWriterShiftsAroundIt() throws Exception {
        SessionTimeouts timeouts = new SessionTimeouts(3600, 3600, 1);
        try (SessionTable table = new SessionTable(4096, timeouts)) {
            long start = SECOND;
            int[] stableRecord = new int[STABLE];
            for (int i = 0; i < STABLE; i++) {
                stableRecord[i] = table.insert(SessionTable.key0(0x0a000001, i), SessionTable.key1(40000, 443, 6, 1),
                        1, true, 0x02, 60, start);
                assertTrue(stableRecord[i] >= 0);
            }
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicLong lookups = new AtomicLong();
            Thread writer = Thread.ofPlatform().start(() -> {
                long now = start;
                for (int round = 0; round < 300 && failure.get() == null; round++) {
                    for (int i = 0; i < CHURN; i++) {
                        table.insert(SessionTable.key0(0x0a000002, i), SessionTable.key1(5000 + round % 7, 53, 17, 1),
                                1, true, 0, 60, now);
                    }
                    now += 2 * SECOND;
                    while (table.sweep(now, 4096) > 0) {
                        // the churn expires, the stable sessions (an hour) stay
                    }
                }
            });
            Runnable reader = () -> {
                while (writer.isAlive() && failure.get() == null) {
                    for (int i = 0; i < STABLE; i++) {
                        int found = table.find(SessionTable.key0(0x0a000001, i), SessionTable.key1(40000, 443, 6, 1),
                                start);
                        if (found != stableRecord[i]) {
                            failure.compareAndSet(null, "stable session " + i + " found at " + found
                                    + ", it is in record " + stableRecord[i]);
                        }
                    }
                    lookups.addAndGet(STABLE);
                }
            };
            Thread first = Thread.ofPlatform().start(reader);
            Thread second = Thread.ofPlatform().start(reader);
            writer.join();
            first.join();
            second.join();
            assertNull(failure.get());
            assertTrue(lookups.get() > 0, "the readers ran beside the writer");
            assertEquals(STABLE, table.live(), "only the stable sessions are left");
            assertEquals(STABLE, table.highWater(), "the churn above them is freed to the high water");
        }
    }
}
