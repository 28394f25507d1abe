package io.sluice.nat44.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The open-addressing indexes against a HashMap model, through many inserts and backward-shift deletes. */
class SessionTableTest {

    @Test
    void randomInsertsAndDeletesAgreeWithAModel() {
        try (SessionTable table = SessionTable.anonymous(2000)) {
            Map<Long, Integer> byIn = new HashMap<>();
            Map<Long, Integer> byOut = new HashMap<>();
            List<Integer> live = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(1);
            for (int step = 0; step < 200_000; step++) {
                if (live.size() < 1900 && (live.isEmpty() || random.nextInt(3) != 0)) {
                    // a small key space so probe chains cluster and wrap around
                    long in = SessionTable.key(random.nextInt(64), random.nextInt(64), 6);
                    long out = SessionTable.key(0xc0a81001, 1024 + random.nextInt(60_000), 6);
                    if (byIn.containsKey(in) || byOut.containsKey(out)) {
                        continue;
                    }
                    int s = table.insert(in, out, 0, 0, 0, false, 0, 1);
                    assertTrue(s >= 0);
                    byIn.put(in, s);
                    byOut.put(out, s);
                    live.add(s);
                } else {
                    int s = live.remove(random.nextInt(live.size()));
                    byIn.remove(table.inKey(s));
                    byOut.remove(table.outKey(s));
                    table.remove(s);
                }
                if (step % 1000 == 0) {
                    for (Map.Entry<Long, Integer> e : byIn.entrySet()) {
                        assertEquals(e.getValue(), table.lookupIn2Out(e.getKey()));
                    }
                    for (Map.Entry<Long, Integer> e : byOut.entrySet()) {
                        assertEquals(e.getValue(), table.lookupOut2In(e.getKey()));
                    }
                    assertEquals(-1, table.lookupIn2Out(SessionTable.key(1000, 1, 6)));
                }
            }
            assertEquals(live.size(), table.count());
        }
    }

    @Test
    void fullTableRefusesAndFreedRecordsAreReused() {
        try (SessionTable table = SessionTable.anonymous(3)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(table.insert(SessionTable.key(1, i, 17), SessionTable.key(2, i, 17), 0, 0, 0, false, 0, 1) >= 0);
            }
            assertEquals(-1, table.insert(SessionTable.key(1, 9, 17), SessionTable.key(2, 9, 17), 0, 0, 0, false, 0, 1));
            table.remove(1);
            assertEquals(1, table.insert(SessionTable.key(1, 9, 17), SessionTable.key(2, 9, 17), 0, 0, 0, false, 0, 1));
        }
    }

    @Test
    void oneMillionSessionsFitIn128MiB() {
        try (SessionTable table = SessionTable.anonymous(1_000_000)) {
            assertTrue(table.memoryBytes() < 128L * 1024 * 1024, table.memoryBytes() + " bytes");
        }
    }
}
