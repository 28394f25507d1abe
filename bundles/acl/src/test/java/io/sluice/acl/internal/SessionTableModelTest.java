package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dense table against a model: a HashMap of the sessions and a BitSet of the records they hold. Random
 * inserts, lookups, touches and expiries; after each step every record number, the live count and the high
 * water are what lowest-free-first allocation gives, so a change to the allocator or to the backward-shift
 * deletion fails here.
 */
class SessionTableModelTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int UDP = 17;
    private static final SessionTimeouts TIMEOUTS = new SessionTimeouts(3600, 120, 10);

    private record Key(long key0, long key1) {
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void randomOperationsMatchTheModel(long seed) {
        Random random = new Random(seed);
        int maxSessions = 200;
        try (SessionTable table = new SessionTable(maxSessions, TIMEOUTS)) {
            Map<Key, Integer> model = new HashMap<>();
            Map<Key, Long> lastActive = new HashMap<>();
            BitSet used = new BitSet();
            long now = SECOND;
            for (int step = 0; step < 4000; step++) {
                // few hosts and ports, so that keys repeat and probe runs collide
                Key key = new Key(SessionTable.key0(0x0a000000 | random.nextInt(16), 0x08080808),
                        SessionTable.key1(random.nextInt(64), 53, UDP, 1 + random.nextInt(2)));
                int operation = random.nextInt(10);
                Integer stale = model.get(key);
                if (stale != null && now - lastActive.get(key) > TIMEOUTS.udpIdleSeconds() * SECOND) {
                    if (operation < 5) {
                        // an insert over an expired session of its key deletes that one first
                        model.remove(key);
                        used.clear(stale);
                    } else if (operation < 8) {
                        assertEquals(-1, table.find(key.key0(), key.key1(), now), "an expired session is not found");
                        continue;
                    }
                }
                if (operation < 5) {
                    int record = table.insert(key.key0(), key.key1(), (int) key.key1() & 0xffffff, true, 0, 60, now);
                    Integer known = model.get(key);
                    if (known != null) {
                        assertEquals(known, record, "the live session with the key is returned");
                    } else if (model.size() >= table.capacity()) {
                        assertEquals(SessionTable.REFUSED_FULL, record);
                    } else {
                        assertEquals(used.nextClearBit(0), record, "the lowest free record is taken");
                        model.put(key, record);
                        lastActive.put(key, now);
                        used.set(record);
                    }
                } else if (operation < 8) {
                    Integer known = model.get(key);
                    assertEquals(known == null ? -1 : known, table.find(key.key0(), key.key1(), now));
                    if (known != null && random.nextBoolean()) {
                        table.touch(known, true, 0, 60, now);
                        lastActive.put(key, now);
                    }
                } else if (operation < 9) {
                    now += random.nextInt(4) * SECOND;
                } else {
                    while (table.sweep(now, random.nextInt(1, 64)) > 0) {
                        // until a pass deletes nothing: every expired session is then gone
                    }
                    while (table.sweep(now, table.capacity()) > 0) {
                        // a whole pass over the high water with nothing left to delete
                    }
                    long at = now;
                    model.entrySet().removeIf(entry -> {
                        boolean gone = at - lastActive.get(entry.getKey()) > TIMEOUTS.udpIdleSeconds() * SECOND;
                        if (gone) {
                            used.clear(entry.getValue());
                        }
                        return gone;
                    });
                }
                assertEquals(model.size(), table.live(), "seed " + seed + " step " + step);
                assertEquals(used.length(), table.highWater(), "the high water is past the top record in use");
                for (int record = 0; record < table.highWater(); record++) {
                    assertEquals(used.get(record), table.recordInUse(record), "record " + record);
                }
            }
            for (Map.Entry<Key, Integer> entry : model.entrySet()) {
                Key key = entry.getKey();
                boolean live = now - lastActive.get(key) <= TIMEOUTS.udpIdleSeconds() * SECOND;
                assertEquals(live ? entry.getValue() : -1, table.find(key.key0(), key.key1(), now));
            }
            assertEquals(model.size(), table.clear());
            assertEquals(0, table.highWater());
            assertTrue(table.live() == 0);
        }
    }
}
