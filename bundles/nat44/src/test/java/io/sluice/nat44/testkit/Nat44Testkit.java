package io.sluice.nat44.testkit;

import io.sluice.graph.api.Node;
import io.sluice.nat44.internal.Nat44Fixture;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Opaque;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * NAT44's dataplane without OSGi, for benchmarks and other bundles' tests, reached through the api types
 * only: a session table in anonymous memory, one inside and one outside interface (output feature), an
 * address pool, and the in2out fast and slow path nodes over it. The dataplane itself stays package-private
 * to the bundle; {@link Nat44Fixture}, in its package in the test tree, builds it.
 */
public final class Nat44Testkit implements AutoCloseable {

    private final Nat44Fixture fixture;

    private Nat44Testkit(Nat44Fixture fixture) {
        this.fixture = fixture;
    }

    /**
     * A dataplane of {@code capacity} sessions whose clock stands at {@code nowMillis}, translating from
     * {@code insideSw} to {@code outsideSw} with the pool {@code addresses}.
     */
    public static Nat44Testkit inside2Outside(int capacity, long nowMillis, int[] addresses, int insideSw,
                                              int outsideSw, int maxSessionsPerInsideAddress) {
        return new Nat44Testkit(Nat44Fixture.inside2Outside(capacity, nowMillis, addresses, insideSw, outsideSw,
                maxSessionsPerInsideAddress));
    }

    /** As {@link #inside2Outside}, the dynamic ports drawn from a generator seeded with {@code portSeed}. */
    public static Nat44Testkit inside2Outside(int capacity, long nowMillis, int[] addresses, int insideSw,
                                              int outsideSw, int maxSessionsPerInsideAddress, long portSeed) {
        return new Nat44Testkit(Nat44Fixture.inside2Outside(capacity, nowMillis, addresses, insideSw, outsideSw,
                maxSessionsPerInsideAddress, portSeed));
    }

    /** As {@link #inside2Outside}, the sessions in the memory-mapped {@code file} as on a box. */
    public static Nat44Testkit inside2OutsideOnFile(Path file, int capacity, long nowMillis, int[] addresses,
                                                    int insideSw, int outsideSw, int maxSessionsPerInsideAddress)
            throws IOException {
        return new Nat44Testkit(Nat44Fixture.inside2OutsideOnFile(file, capacity, nowMillis, addresses, insideSw,
                outsideSw, maxSessionsPerInsideAddress));
    }

    /** What the dataplane holds, item by item, in bytes: records, indexes, TCP windows, mappings, counts, ports. */
    public Map<String, Long> memoryItems() {
        return fixture.memoryItems();
    }

    /** Sessions in the table and endpoint mappings alive. */
    public long[] counts() {
        return fixture.counts();
    }

    /** Creates a dynamic session as the slow path would; false when the pool or a limit refused it. */
    public boolean createSession(int insideAddress, int insidePort, int protocol, int remoteAddress, int remotePort,
                                 int insideSw) {
        return fixture.createSession(insideAddress, insidePort, protocol, remoteAddress, remotePort, insideSw);
    }

    /** Deletes the session each of {@code count} buffers was translated by (its {@link Opaque#NAT_SESSION}). */
    public void deleteSessionsOf(BufferPool pool, int[] buffers, int count) {
        fixture.deleteSessionsOf(pool, buffers, count);
    }

    /** Turns NAT event logging on, into a ring of {@code capacity} events, as the telemetry exporter does. */
    public void enableEventLogging(int capacity) {
        fixture.enableEventLogging(capacity);
    }

    /**
     * Moves up to {@code max} events into {@code records} ({@link io.sluice.nat44.api.Nat44Event#LONGS} longs
     * each), as the exporter's drain does; returns how many.
     */
    public int drainEvents(long[] records, int max) {
        return fixture.drainEvents(records, max);
    }

    /** Events recorded and events lost (the ring was full) since logging was turned on. */
    public long[] eventCounts() {
        return fixture.eventCounts();
    }

    /** nat44-in2out-output over this dataplane. */
    public Node fastPathNode() {
        return fixture.fastPathNode();
    }

    /** nat44-out2in over this dataplane (on ip4-unicast of both interfaces, as in the seed). */
    public Node out2InNode() {
        return fixture.out2InNode();
    }

    /** nat44-in2out-output-slowpath over this dataplane. */
    public Node slowPathNode() {
        return fixture.slowPathNode();
    }

    @Override
    public void close() {
        fixture.close();
    }

    /**
     * The bundle's session table (memory-mapped file) alone, for storage comparisons. One thread only: the
     * table's writer lock is not taken, so a store benchmark measures the table and not the monitor.
     */
    public static final class Sessions implements AutoCloseable {
        private final Nat44Fixture.Sessions table;

        private Sessions(Nat44Fixture.Sessions table) {
            this.table = table;
        }

        public static Sessions open(Path file, int capacity) throws IOException {
            return new Sessions(Nat44Fixture.Sessions.open(file, capacity));
        }

        /** The table's key of an (address, port, protocol) triple. */
        public static long key(int address, int port, int protocol) {
            return Nat44Fixture.Sessions.key(address, port, protocol);
        }

        /** Inserts a dynamic session that never expires; its index, or -1 when the table is full. */
        public int insert(long inKey, long outKey) {
            return table.insert(inKey, outKey);
        }

        public int lookupIn2Out(long key) {
            return table.lookupIn2Out(key);
        }

        public void remove(int session) {
            table.remove(session);
        }

        public long memoryBytes() {
            return table.memoryBytes();
        }

        @Override
        public void close() {
            table.close();
        }
    }
}
