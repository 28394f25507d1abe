package io.sluice.nat44.internal;

import io.sluice.packet.api.Ipv4;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EndpointMappings against a HashMap model, over a session table's records (a mapping is its sessions): sessions
 * added to new mappings and to existing ones, found by both endpoints, and leaving in any order, the mapping's
 * representative among them, until the last one's leaving removes the mapping. A small table fills its indexes to
 * their two-thirds bound, so that backward shifts, wrap-around and saturated displacements are exercised. Seeded, so
 * every run makes the same choices.
 */
class EndpointMappingsTest {

    private static final int CAPACITY = 6_000;

    /** A mapping of the model: its outside endpoint, whether static, its sessions. */
    private record Mapping(long outKey, boolean isStatic, List<Integer> sessions) {
    }

    @Test
    void agreesWithAModelThroughFillsAndLeavesInAnyOrder() {
        agreeWithModel(17, 1 << 12, 64);
    }

    @Test
    void agreesWithAModelWhenEverySessionIsItsOwnMapping() {
        // Inside endpoints drawn from a large space: nearly every session is a mapping alone, the worst case.
        agreeWithModel(23, 1 << 20, 1024);
    }

    private static void agreeWithModel(long seed, int hosts, int portsPerHost) {
        SplittableRandom random = new SplittableRandom(seed);
        try (SessionTable table = SessionTable.anonymous(CAPACITY);
             EndpointMappings mappings = new EndpointMappings(table)) {
            Map<Long, Mapping> model = new HashMap<>();
            List<Integer> live = new ArrayList<>();
            int outsidePorts = 0;
            for (int step = 0; step < 184_000; step++) {
                // Fills to the capacity, empties to about a tenth, and fills again.
                boolean adding = live.isEmpty()
                        || live.size() < CAPACITY && random.nextInt(100) < (step % 40_000 < 24_000 ? 75 : 25);
                if (adding) {
                    long inKey = SessionTable.key(0x0a000000 + random.nextInt(hosts), 1024 + random.nextInt(portsPerHost),
                            Ipv4.PROTOCOL_UDP);
                    int m = mappings.findByInside(inKey);
                    Mapping mapping = model.get(inKey);
                    int remote = 0x1f000000 + step;
                    if (mapping != null) {
                        assertTrue(m >= 0, "mapping of " + Long.toHexString(inKey) + " lost");
                        int s = table.insert(inKey, mapping.outKey(), remote, 443, 1, mapping.isStatic(), 0, 1);
                        mappings.join(m, s);
                        mapping.sessions().add(s);
                        live.add(s);
                    } else {
                        assertEquals(-1, m);
                        long outKey = SessionTable.key(0xc0a80000 + (outsidePorts >>> 16), outsidePorts & 0xffff,
                                Ipv4.PROTOCOL_UDP);
                        outsidePorts++;
                        boolean isStatic = random.nextInt(10) == 0;
                        boolean batch = random.nextBoolean();
                        if (batch) {
                            mappings.beginBatch();
                        }
                        int s = table.insert(inKey, outKey, remote, 443, 1, isStatic, 0, 1);
                        mappings.add(s);
                        if (batch) {
                            mappings.endBatch();
                        }
                        assertEquals(s, mappings.findByOutside(outKey));
                        model.put(inKey, new Mapping(outKey, isStatic, new ArrayList<>(List.of(s))));
                        live.add(s);
                    }
                } else {
                    int pick = random.nextInt(live.size());
                    int s = live.get(pick);
                    live.set(pick, live.get(live.size() - 1));
                    live.remove(live.size() - 1);
                    long inKey = table.inKey(s);
                    Mapping mapping = model.get(inKey);
                    mapping.sessions().remove(Integer.valueOf(s));
                    boolean last = mapping.sessions().isEmpty();
                    assertEquals(last, mappings.leave(s));
                    table.remove(s);
                    if (last) {
                        model.remove(inKey);
                        assertEquals(-1, mappings.findByInside(inKey));
                        assertEquals(-1, mappings.findByOutside(mapping.outKey()));
                    } else {
                        int m = mappings.findByInside(inKey);
                        assertTrue(mapping.sessions().contains(m), "the mapping points at one of its sessions");
                        assertEquals(m, mappings.findByOutside(mapping.outKey()));
                    }
                }
                if (step % 4_999 == 0) {
                    assertAgree(mappings, model);
                }
            }
            assertAgree(mappings, model);
            assertTrue(mappings.memoryBytes() > 0);
            mappings.clear();
            assertEquals(0, mappings.size());
            for (long inKey : model.keySet()) {
                assertEquals(-1, mappings.findByInside(inKey));
            }
            // A session in no mapping (cleared) leaving is a mapping's last: its port is free.
            assertTrue(live.size() > CAPACITY / 2, "the run ends with the table well filled");
            assertTrue(mappings.leave(live.get(0)));
        }
    }

    private static void assertAgree(EndpointMappings mappings, Map<Long, Mapping> model) {
        assertEquals(model.size(), mappings.size());
        for (Map.Entry<Long, Mapping> e : model.entrySet()) {
            int m = mappings.findByInside(e.getKey());
            assertTrue(m >= 0, "mapping of " + Long.toHexString(e.getKey()) + " lost");
            assertTrue(e.getValue().sessions().contains(m), "the mapping points at one of its sessions");
            assertEquals(m, mappings.findByOutside(e.getValue().outKey()));
            assertEquals(e.getKey(), mappings.insideKey(m));
            assertEquals(e.getValue().outKey(), mappings.outsideKey(m));
            assertEquals(e.getValue().isStatic(), mappings.isStatic(m));
            assertEquals(e.getValue().sessions().size(), mappings.sessions(m));
        }
    }

    /**
     * Inside endpoints that all hash to one home slot: past the 31st the displacement saturates and the entry's home
     * is read from its record, by lookups and by the backward shift of deletes in any order.
     */
    @Test
    void entriesPastTheSaturatedDisplacementStayFindableThroughDeletes() {
        int colliding = 60;
        try (SessionTable table = SessionTable.anonymous(CAPACITY);
             EndpointMappings mappings = new EndpointMappings(table)) {
            long slots = EndpointMappings.slotCount(CAPACITY);
            long target = -1;
            List<Long> keys = new ArrayList<>();
            for (int i = 0; keys.size() < colliding; i++) {
                long inKey = SessionTable.key(0x0a000000 + (i >>> 14), 1024 + (i & 0x3fff), Ipv4.PROTOCOL_TCP);
                long home = ((SessionTable.mix(inKey) >>> 32) * slots) >>> 32;
                if (target < 0) {
                    target = home;
                }
                if (home == target) {
                    keys.add(inKey);
                }
            }
            List<Integer> live = new ArrayList<>();
            for (int i = 0; i < colliding; i++) {
                long outKey = SessionTable.key(0xc0a80001, 1024 + i, Ipv4.PROTOCOL_TCP);
                int s = table.insert(keys.get(i), outKey, 0x1f000001, 80, 1, false, 0, 1);
                mappings.add(s);
                live.add(s);
            }
            SplittableRandom random = new SplittableRandom(5);
            while (!live.isEmpty()) {
                for (int s : live) {
                    assertEquals(s, mappings.findByInside(table.inKey(s)));
                    assertEquals(s, mappings.findByOutside(table.outKey(s)));
                }
                int s = live.remove(random.nextInt(live.size()));
                assertTrue(mappings.leave(s));
                assertEquals(-1, mappings.findByInside(table.inKey(s)));
                table.remove(s);
            }
            assertEquals(0, mappings.size());
        }
    }

    @Test
    void slotsAreOneAndAHalfPerSessionInWholeCacheLines() {
        assertEquals(16, EndpointMappings.slotCount(1));
        assertEquals(1_500_016, EndpointMappings.slotCount(1_000_000));
        assertEquals(0, EndpointMappings.slotCount(10_000_000) % 16);
        assertTrue(EndpointMappings.slotCount(10_000_000) > 15_000_000);
    }
}
