package io.sluice.common;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LongIntMapTest {

    @Test
    void agreesWithHashMapUnderRandomPutsAndRemoves() {
        LongIntMap map = new LongIntMap();
        Map<Long, Integer> reference = new HashMap<>();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) {
            long key = random.nextInt(5000);
            if (random.nextInt(3) == 0) {
                assertEquals(reference.remove(key) != null, map.remove(key));
            } else {
                map.put(key, i);
                reference.put(key, i);
            }
        }
        assertEquals(reference.size(), map.size());
        for (long key = 0; key < 5000; key++) {
            assertEquals(reference.getOrDefault(key, -7), map.get(key, -7));
        }
        int[] visited = {0};
        map.forEach((key, value) -> {
            assertEquals(reference.get(key), value);
            visited[0]++;
        });
        assertEquals(reference.size(), visited[0]);
    }

    @Test
    void addCountsAndRemovesAtZero() {
        LongIntMap map = new LongIntMap(4);
        assertEquals(2, map.add(9, 2));
        assertEquals(1, map.add(9, -1));
        assertEquals(0, map.add(9, -1));
        assertFalse(map.containsKey(9));
        map.put(1, 1);
        assertTrue(map.containsKey(1));
        map.clear();
        assertEquals(0, map.size());
        assertThrows(IllegalArgumentException.class, () -> map.put(-1, 0));
    }
}
