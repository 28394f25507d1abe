package io.sluice.nat44.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.graph.api.GraphRuntime.BarrierStats;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.Ipv4;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hot-swap issue's "no long barrier" for NAT44: with a million sessions resident, a new configuration (the
 * pool, timeouts, a static mapping) is published as a new policy with volatile writes and never holds the workers
 * (the graph's barrier count does not move), so the number of sessions cannot lengthen a pause; a resident
 * session still translates after each change.
 */
class NatChangesTakeNoBarrierTest {

    private static final int SESSIONS = 1_000_000;
    private static final int INSIDE_HOSTS = 1000;
    private static final int SERVER = 0x1f866133;

    @Test
    void aMillionSessionsAndConfigurationChangesNeverHoldTheWorkers() {
        try (TestBed bed = new TestBed(SessionTable.anonymous(1 << 21))) {
            int[] pool = new int[32];
            for (int i = 0; i < pool.length; i++) {
                pool[i] = TestBed.NODE_IP + i;
            }
            bed.dataplane.setAddresses(pool);
            bed.policy(Timeouts.DEFAULTS, 10_000, List.of());
            long now = bed.clock.get();
            synchronized (bed.dataplane.table().lock()) {
                for (int i = 0; i < SESSIONS; i++) {
                    int inside = 0x0a010000 + i % INSIDE_HOSTS;
                    int port = 1024 + i / INSIDE_HOSTS;
                    int made = bed.dataplane.createDynamic(bed.dataplane.policy(), inside, port, Ipv4.PROTOCOL_UDP,
                            SERVER, 53, TestBed.TAP2, now);
                    if (made < 0) {
                        throw new AssertionError("session " + i + " not made: " + made);
                    }
                }
            }
            assertEquals(SESSIONS, bed.dataplane.table().count());
            BarrierStats before = bed.harness.engine().barrierStats();

            long started = System.nanoTime();
            bed.dataplane.setAddresses(pool);
            bed.policy(new Timeouts(600, 7440, 240, 60), 10_000, List.of(new StaticMapping("web", Ipv4.PROTOCOL_TCP,
                    0x0a010103, 80, TestBed.NODE_IP, 8080, false, false)));
            long changeNanos = System.nanoTime() - started;

            // A resident flow (10.1.0.7:1024 -> server:53) goes out through the new policy.
            int outBefore = bed.gbeOutput.size();
            bed.sendOut(Frames.udp("10.1.0.7", 1024, "31.134.97.51", 53, 10, true), TestBed.TAP2);
            assertEquals(outBefore + 1, bed.gbeOutput.size(), "the resident session still translates");
            assertEquals(SESSIONS, bed.dataplane.table().count(), "no session was made or lost by the change");

            BarrierStats after = bed.harness.engine().barrierStats();
            assertEquals(before.count(), after.count(), "no NAT44 configuration change took the graph's barrier");
            System.out.printf("NatChangesTakeNoBarrierTest: a new pool, timeouts and a static mapping at %d sessions "
                    + "took %.1f ms on the control plane, 0 barriers%n", SESSIONS, changeNanos / 1e6);
        }
    }
}
