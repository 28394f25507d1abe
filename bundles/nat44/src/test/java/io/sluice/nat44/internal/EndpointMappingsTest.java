package io.sluice.nat44.internal;

import io.sluice.packet.api.Ipv4;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EndpointMappings' own tables against a HashMap model, past the sizes where its arrays (1,024 mappings) and its
 * indexes (two thirds of 2,048 slots) grow: mappings added, retained, released, found by both endpoints; a
 * release's backward shift must leave every other mapping findable. Seeded, so every run makes the same choices.
 */
class EndpointMappingsTest {

    private record Mapping(long outKey, boolean isStatic) {
    }

    @Test
    void agreesWithAModelThroughGrowthAndReleases() {
        SplittableRandom random = new SplittableRandom(17);
        EndpointMappings mappings = new EndpointMappings();
        Map<Long, Mapping> model = new HashMap<>();
        Map<Long, Integer> refs = new HashMap<>();
        List<Long> live = new ArrayList<>();
        for (int step = 0; step < 60_000; step++) {
            // Grows to about 5,000 mappings, then shrinks and grows again.
            boolean adding = live.isEmpty() || random.nextInt(100) < (step % 20_000 < 12_000 ? 70 : 30);
            if (adding) {
                long inKey = SessionTable.key(0x0a000000 + random.nextInt(1 << 12), 1024 + random.nextInt(64),
                        Ipv4.PROTOCOL_UDP);
                int m = mappings.findByInside(inKey);
                if (model.containsKey(inKey)) {
                    assertTrue(m >= 0);
                    mappings.retain(m);
                    refs.merge(inKey, 1, Integer::sum);
                } else {
                    assertEquals(-1, m);
                    // Step numbers are unique, so are the outside endpoints.
                    long outKey = SessionTable.key(0xc0a80000 + (step >>> 16), step & 0xffff, Ipv4.PROTOCOL_UDP);
                    boolean isStatic = random.nextInt(10) == 0;
                    int added = mappings.add(inKey, outKey, isStatic);
                    assertEquals(added, mappings.findByOutside(outKey));
                    model.put(inKey, new Mapping(outKey, isStatic));
                    refs.put(inKey, 1);
                    live.add(inKey);
                }
            } else {
                int pick = random.nextInt(live.size());
                long inKey = live.get(pick);
                int m = mappings.findByInside(inKey);
                int left = refs.merge(inKey, -1, Integer::sum);
                assertEquals(left == 0, mappings.release(m));
                if (left == 0) {
                    long outKey = model.remove(inKey).outKey();
                    refs.remove(inKey);
                    live.set(pick, live.get(live.size() - 1));
                    live.remove(live.size() - 1);
                    assertEquals(-1, mappings.findByInside(inKey));
                    assertEquals(-1, mappings.findByOutside(outKey));
                }
            }
            if (step % 997 == 0) {
                assertAgree(mappings, model, refs);
            }
        }
        assertAgree(mappings, model, refs);
        assertTrue(mappings.memoryBytes() > 0);
        mappings.clear();
        assertEquals(0, mappings.size());
        assertFalse(mappings.findByInside(live.get(0)) >= 0);
    }

    private static void assertAgree(EndpointMappings mappings, Map<Long, Mapping> model, Map<Long, Integer> refs) {
        assertEquals(model.size(), mappings.size());
        for (Map.Entry<Long, Mapping> e : model.entrySet()) {
            int m = mappings.findByInside(e.getKey());
            assertTrue(m >= 0, "mapping of " + Long.toHexString(e.getKey()) + " lost");
            assertEquals(m, mappings.findByOutside(e.getValue().outKey()));
            assertEquals(e.getKey(), mappings.insideKey(m));
            assertEquals(e.getValue().outKey(), mappings.outsideKey(m));
            assertEquals(e.getValue().isStatic(), mappings.isStatic(m));
            assertEquals(refs.get(e.getKey()), mappings.sessions(m));
        }
    }
}
