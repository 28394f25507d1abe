package io.sluice.nat44.testkit;

import io.sluice.nat44.internal.Nat44WorkersFixture;

import java.util.Map;

/**
 * The NAT44 path on a graph of one or more workers with the NAT44-ED worker handoffs, in memory and in its steady
 * state, for benchmarks ({@link Nat44WorkersFixture} builds it where the dataplane is visible): each worker's pass
 * makes one frame of 256 UDP packets, half requests through nat44-in2out-output, half replies through nat44-out2in,
 * over established flows of many inside hosts, so that with N workers (N-1)/N of them are handed to their owner.
 */
public final class Nat44WorkersTestkit implements AutoCloseable {

    private final Nat44WorkersFixture fixture;

    private Nat44WorkersTestkit(Nat44WorkersFixture fixture) {
        this.fixture = fixture;
    }

    /** {@code workers} workers, {@code flows} established UDP flows of {@code hosts} inside hosts. */
    public static Nat44WorkersTestkit steadyState(int workers, int hosts, int flows) {
        return new Nat44WorkersTestkit(Nat44WorkersFixture.steadyState(workers, hosts, flows));
    }

    public int workers() {
        return fixture.workers();
    }

    /** One pass of worker {@code worker} on the caller's thread. */
    public int runOnce(int worker) {
        return fixture.runOnce(worker);
    }

    /** The non-zero error counters by node/counter. */
    public Map<String, Long> errors() {
        return fixture.errors();
    }

    /** Packets that came out of the NAT, all workers. */
    public long delivered() {
        return fixture.delivered();
    }

    @Override
    public void close() {
        fixture.close();
    }
}
