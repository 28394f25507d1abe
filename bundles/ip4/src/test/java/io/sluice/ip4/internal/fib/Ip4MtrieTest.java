package io.sluice.ip4.internal.fib;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ip4MtrieTest {

    /** The obvious longest-prefix match over a map: the reference the trie must agree with. */
    private static int reference(Map<Long, Integer> routes, int address) {
        for (int l = 32; l >= 0; l--) {
            Integer adjacency = routes.get(Ip4FibImpl.key(address & Ip4FibImpl.mask(l), l));
            if (adjacency != null) {
                return adjacency;
            }
        }
        return 0;
    }

    private static int coverOf(Map<Long, Integer> routes, int address, int length, int[] coverLength) {
        for (int l = length - 1; l >= 0; l--) {
            Integer adjacency = routes.get(Ip4FibImpl.key(address & Ip4FibImpl.mask(l), l));
            if (adjacency != null) {
                coverLength[0] = l;
                return adjacency;
            }
        }
        coverLength[0] = 0;
        return 0;
    }

    @Test
    void agreesWithTheReferenceThroughInsertsReplacementsAndRemovals() {
        Random random = new Random(42);
        Ip4Mtrie trie = new Ip4Mtrie(0);
        Map<Long, Integer> routes = new HashMap<>();
        List<long[]> added = new ArrayList<>();
        List<Ip4Mtrie.View> views = new ArrayList<>();
        List<Map<Long, Integer>> states = new ArrayList<>();
        for (int round = 0; round < 40; round++) {
            trie.beginBatch();
            for (int i = 0; i < 200; i++) {
                if (!added.isEmpty() && random.nextInt(4) == 0) {
                    long[] route = added.remove(random.nextInt(added.size()));
                    int address = (int) route[0];
                    int length = (int) route[1];
                    routes.remove(Ip4FibImpl.key(address, length));
                    int[] coverLength = new int[1];
                    int cover = coverOf(routes, address, length, coverLength);
                    trie.remove(address, length, cover, coverLength[0]);
                } else {
                    // Addresses in a narrow space so prefixes nest and overlap often.
                    int length = random.nextInt(33);
                    int address = (0x0a000000 | random.nextInt(1 << 20)) & Ip4FibImpl.mask(length);
                    int adjacency = 1 + random.nextInt(1000);
                    if (routes.put(Ip4FibImpl.key(address, length), adjacency) == null) {
                        added.add(new long[] {address, length});
                    }
                    trie.insert(address, length, adjacency);
                }
            }
            views.add(trie.publish());
            states.add(new HashMap<>(routes));
        }
        for (int v = 0; v < views.size(); v++) {
            Ip4Mtrie.View view = views.get(v);
            Map<Long, Integer> state = states.get(v);
            for (int probe = 0; probe < 20000; probe++) {
                int address = random.nextBoolean() ? 0x0a000000 | random.nextInt(1 << 20) : random.nextInt();
                assertEquals(reference(state, address), view.lookup(address),
                        "view " + v + " address " + Integer.toHexString(address));
            }
        }
    }

    @Test
    void buildAgreesWithIncrementalInserts() {
        Random random = new Random(7);
        int n = 5000;
        int[] addresses = new int[n];
        int[] lengths = new int[n];
        int[] adjacencies = new int[n];
        Map<Long, Integer> routes = new HashMap<>();
        for (int i = 0; i < n; i++) {
            lengths[i] = 8 + random.nextInt(25);
            addresses[i] = random.nextInt() & Ip4FibImpl.mask(lengths[i]);
            adjacencies[i] = i + 1;
            routes.put(Ip4FibImpl.key(addresses[i], lengths[i]), i + 1);
        }
        // Duplicated prefixes: the last one wins in the map; keep the arrays consistent with it.
        for (int i = 0; i < n; i++) {
            adjacencies[i] = routes.get(Ip4FibImpl.key(addresses[i], lengths[i]));
        }
        Ip4Mtrie.View view = Ip4Mtrie.build(0, addresses, lengths, adjacencies, n).view();
        for (int probe = 0; probe < 100000; probe++) {
            int address = random.nextInt();
            assertEquals(reference(routes, address), view.lookup(address));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(reference(routes, addresses[i]), view.lookup(addresses[i]));
        }
    }

    @Test
    void publishedViewsAreNeverWrittenAgain() {
        Ip4Mtrie trie = new Ip4Mtrie(0);
        trie.beginBatch();
        trie.insert(0x0a010100, 24, 5);
        Ip4Mtrie.View first = trie.publish();
        trie.beginBatch();
        trie.insert(0x0a010103, 32, 6);
        trie.insert(0x0a000000, 8, 7);
        Ip4Mtrie.View second = trie.publish();
        assertEquals(5, first.lookup(0x0a010103));
        assertEquals(0, first.lookup(0x0a020000));
        assertEquals(6, second.lookup(0x0a010103));
        assertEquals(5, second.lookup(0x0a010104));
        assertEquals(7, second.lookup(0x0a020000));
        assertTrue(trie.garbagePlies() > 0, "the /24's ply was copied, not written");
    }
}
