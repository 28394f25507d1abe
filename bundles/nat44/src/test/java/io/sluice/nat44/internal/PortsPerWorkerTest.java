package io.sluice.nat44.internal;

import io.sluice.packet.api.Ipv4;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dynamic range split per worker (VPP NAT44-ED's port_per_thread): a port names the worker that owns it. */
class PortsPerWorkerTest {
    private static final int POOL = ip("192.168.16.1");

    @Test
    void eachWorkerAllocatesFromItsOwnBlockAndThePortNamesIt() {
        PortAllocator ports = new PortAllocator(new int[] {POOL}, new SplittableRandom(17), 2);
        for (int i = 0; i < 2_000; i++) {
            int worker = i & 1;
            int port = ports.allocate(0, PortAllocator.UDP, -1, worker);
            assertTrue(port >= PortAllocator.FIRST_PORT, "a port was free");
            assertEquals(worker, ports.owner(port), "port " + port);
        }
        assertEquals(0, ports.owner(1024));
        assertEquals(0, ports.owner(1024 + 32_255));
        assertEquals(1, ports.owner(1024 + 32_256));
        assertEquals(1, ports.owner(65_535));
        assertEquals(0, ports.owner(80), "below the dynamic range: worker 0");
    }

    @Test
    void aPreservedPortMustLieInTheWorkersBlock() {
        PortAllocator ports = new PortAllocator(new int[] {POOL}, new SplittableRandom(17), 2);
        assertEquals(41_000, ports.allocate(0, PortAllocator.TCP, 41_000, 1));
        int port = ports.allocate(0, PortAllocator.TCP, 41_001, 0);
        assertNotEquals(41_001, port, "41001 is worker 1's");
        assertEquals(0, ports.owner(port));
    }

    @Test
    void oneWorkerHasTheWholeRangeAndTooManyAreRefused() {
        PortAllocator ports = new PortAllocator(new int[] {POOL}, new SplittableRandom(17), 1);
        assertEquals(65_535, ports.allocate(0, PortAllocator.UDP, 65_535, 0));
        assertEquals(0, ports.owner(65_535));
        assertThrows(IllegalArgumentException.class,
                () -> new PortAllocator(new int[] {POOL}, new SplittableRandom(1), PortAllocator.MAX_WORKERS + 1));
    }

    @Test
    void aFlowMadeOnAWorkerIsOwnedByItAndItsEndpointsOtherFlowsShareThePort() {
        try (Nat44Dataplane dp = new Nat44Dataplane(SessionTable.anonymous(64), () -> 1_000)) {
            dp.setAddresses(new int[] {POOL});
            dp.setWorkers(2, new SplittableRandom(5));
            synchronized (dp.table().lock()) {
                int s = dp.createDynamic(dp.policy(), ip("10.1.1.3"), 5000, Ipv4.PROTOCOL_UDP, ip("8.8.8.8"), 53, 6,
                        1_000, 1);
                int port = SessionTable.keyPort(dp.table().outKey(s));
                assertEquals(1, dp.ownerOfOutsidePort(port));
                int other = dp.createDynamic(dp.policy(), ip("10.1.1.3"), 5000, Ipv4.PROTOCOL_UDP, ip("9.9.9.9"), 53,
                        6, 1_000, 1);
                assertEquals(port, SessionTable.keyPort(dp.table().outKey(other)));
            }
        }
    }
}
