package io.sluice.ip4.node;

import static io.sluice.ip4.node.SeedBox.GATEWAY_IP;
import static io.sluice.ip4.node.SeedBox.POD_IP;
import static io.sluice.ip4.node.SeedBox.POD_MAC;
import static io.sluice.ip4.node.SeedBox.SERVER_IP;
import static io.sluice.ip4.node.SeedBox.TAP2_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.graph.api.GraphRuntime.BarrierStats;
import org.junit.jupiter.api.Test;

/**
 * The hot-swap issue's "no long barrier" for the FIB: with a million routes installed, adding and removing routes
 * and rebinding a table publish a new forwarding snapshot with one volatile write and never hold the workers
 * (the graph's barrier count does not move), so the size of the table cannot lengthen a pause; packets forward
 * through each new snapshot.
 */
class RouteChangesTakeNoBarrierTest {

    private static final int ROUTES = 1_000_000;

    @Test
    void aMillionRoutesAndChangesToThemNeverHoldTheWorkers() {
        try (SeedBox box = new SeedBox()) {
            int[] addresses = new int[ROUTES];
            int[] lengths = new int[ROUTES];
            int[] nextHops = new int[ROUTES];
            int[] swIfIndexes = new int[ROUTES];
            for (int i = 0; i < ROUTES; i++) {
                // 100.0.0.0/8 and up, /32 each: distinct prefixes that never cover the seed's server or pod.
                addresses[i] = 0x64000000 + i;
                lengths[i] = 32;
                nextHops[i] = GATEWAY_IP;
                swIfIndexes[i] = box.gbe;
            }
            BarrierStats before = box.h.engine().barrierStats();
            int seedRoutes = box.fib.routeCount(0);
            box.fib.addRoutes(0, addresses, lengths, nextHops, swIfIndexes, ROUTES);
            assertEquals(seedRoutes + ROUTES, box.fib.routeCount(0), "the seed's routes and the million");
            forwardsToTheServer(box);

            long started = System.nanoTime();
            box.fib.addRoute(0, 0x0a0b0c00, 24, GATEWAY_IP, box.gbe);
            box.fib.removeRoute(0, 0x64000001, 32);
            box.fib.setInterfaceTable(box.tap2, 0);
            long changeNanos = System.nanoTime() - started;
            forwardsToTheServer(box);

            BarrierStats after = box.h.engine().barrierStats();
            assertEquals(before.count(), after.count(), "no route change took the graph's barrier");
            System.out.printf("RouteChangesTakeNoBarrierTest: three changes at %d routes took %.1f ms on the control "
                    + "plane, 0 barriers%n", ROUTES, changeNanos / 1e6);
            assertEquals(0, box.h.outstanding(), "buffers leaked");
        }
    }

    private static void forwardsToTheServer(SeedBox box) {
        int sentBefore = box.gbeDevice.sent.size();
        box.h.inject("ethernet-input", Packets.ip4(TAP2_MAC, POD_MAC, POD_IP, SERVER_IP, 17, 64, 0, new byte[8]),
                box.tap2, false);
        box.h.run();
        // The message is a supplier: reading the trace takes a barrier of its own.
        assertEquals(sentBefore + 1, box.gbeDevice.sent.size(), () -> "the pod's datagram left on the GbE:\n"
                + box.h.trace());
    }
}
