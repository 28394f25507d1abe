package io.sluice.ip4.internal.fib;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.graph.testkit.FuzzChoices;
import io.sluice.ip4.api.Ip4Fib.Route;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.CapturingDevice;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Property test (issue 18) of the FIB, {@link Ip4FibImpl}, against a linear longest-prefix match over the routes
 * it was given: static routes via next hops and drop routes added, replaced and removed at random prefixes of
 * every length (inside 10/8 so that they nest and overlap), then random addresses looked up. After every step,
 * for each address looked up: the route the control plane reports ({@code longestMatch}, what {@code show ip
 * fib} says) is the reference's, and the data plane's mtrie ({@code forwarding().lookup}, what ip4-lookup reads)
 * gives that route's adjacency, or a miss when no route matches; the route count agrees. Runs over 200 seeded
 * inputs in CI and under Jazzer with {@code JAZZER_FUZZ=1}.
 */
class Ip4FibPropertyTest {
    static final int NEXT_HOPS = 3;

    @Test
    void seededSequencesAgreeWithALinearReference() {
        for (byte[] input : FuzzChoices.seeded(18, 200, 400)) {
            longestMatchesAgreeWithALinearReference(input);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void longestMatchesAgreeWithALinearReference(byte[] input) {
        FuzzChoices choices = new FuzzChoices(input);
        try (GraphHarness h = new GraphHarness()) {
            InterfaceTableImpl interfaces = new InterfaceTableImpl(h.engine());
            int gbe = interfaces.register(new CapturingDevice("GigabitEthernet0/8/0", 0x080027449fd8L));
            interfaces.setAdminUp(gbe, true);
            Ip4FibImpl fib = new Ip4FibImpl(interfaces, new NeighbourTableImpl());
            /** prefix key to the route's kind: 0 drop, 1.. via next hop 192.168.16.(100 + kind). */
            Map<Long, Integer> routes = new HashMap<>();
            while (choices.more()) {
                int length = choices.below(33);
                int address = (0x0a000000 | choices.int32() >>> 8) & Ip4FibImpl.mask(length);
                if (length == 0) {
                    address = 0;
                }
                long key = Ip4FibImpl.key(address, length);
                switch (choices.below(4)) {
                    case 0 -> {
                        fib.addDropRoute(0, address, length);
                        routes.put(key, 0);
                    }
                    case 1 -> {
                        int kind = 1 + choices.below(NEXT_HOPS);
                        fib.addRoute(0, address, length, 0xc0a81064 + kind - 1, gbe);
                        routes.put(key, kind);
                    }
                    case 2 -> assertEquals(routes.remove(key) != null, fib.removeRoute(0, address, length),
                            "removed what was there");
                    default -> {
                        for (int i = 0; i < 8; i++) {
                            int probe = choices.below(4) == 0 ? choices.int32() : (0x0a000000 | choices.int32() >>> 8);
                            check(fib, routes, probe);
                        }
                    }
                }
                assertEquals(routes.size(), fib.routeCount(0), "routes");
            }
        }
    }

    private static void check(Ip4FibImpl fib, Map<Long, Integer> routes, int address) {
        long best = -1;
        for (long key : routes.keySet()) {
            int length = (int) (key & 0x3f);
            int prefix = (int) (key >>> 6);
            if ((address & Ip4FibImpl.mask(length)) == prefix && (best < 0 || length > (best & 0x3f))) {
                best = key;
            }
        }
        Route route = fib.longestMatch(0, address);
        int adjacency = fib.forwarding().lookup(0, address);
        if (best < 0) {
            assertNull(route, "no route for " + Integer.toHexString(address));
            assertEquals(Adjacencies.MISS_INDEX, adjacency, "a miss in the mtrie");
            return;
        }
        assertEquals(best, Ip4FibImpl.key(route.address(), route.length()), "longest match of "
                + Integer.toHexString(address) + " is " + route.prefix());
        assertEquals(route.adjacency(), adjacency, "the mtrie agrees for " + Integer.toHexString(address));
    }
}
