package io.sluice.nat44.internal;

import io.sluice.graph.api.Node;
import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Opaque;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What {@code io.sluice.nat44.testkit.Nat44Testkit} hands out, built where the package-private dataplane is
 * visible: a session table in anonymous memory, one inside and one outside interface (output feature), an
 * address pool, and the in2out fast and slow path nodes over it.
 */
public final class Nat44Fixture implements AutoCloseable {

    private final Nat44Dataplane dataplane;
    private final long now;

    private Nat44Fixture(Nat44Dataplane dataplane, long now) {
        this.dataplane = dataplane;
        this.now = now;
    }

    /**
     * A dataplane of {@code capacity} sessions whose clock stands at {@code nowMillis}, translating from
     * {@code insideSw} to {@code outsideSw} with the pool {@code addresses}.
     */
    public static Nat44Fixture inside2Outside(int capacity, long nowMillis, int[] addresses, int insideSw,
                                              int outsideSw, int maxSessionsPerInsideAddress) {
        return inside2Outside(capacity, nowMillis, addresses, insideSw, outsideSw, maxSessionsPerInsideAddress,
                new SecureRandom().nextLong());
    }

    /** As above, the dynamic ports drawn from a generator seeded with {@code portSeed}: two fixtures choose alike. */
    public static Nat44Fixture inside2Outside(int capacity, long nowMillis, int[] addresses, int insideSw,
                                              int outsideSw, int maxSessionsPerInsideAddress, long portSeed) {
        return inside2Outside(SessionTable.anonymous(capacity), nowMillis, addresses, insideSw, outsideSw,
                maxSessionsPerInsideAddress, portSeed);
    }

    /** As {@link #inside2Outside}, the sessions in the memory-mapped {@code file} as on a box. */
    public static Nat44Fixture inside2OutsideOnFile(Path file, int capacity, long nowMillis, int[] addresses,
                                                    int insideSw, int outsideSw, int maxSessionsPerInsideAddress)
            throws IOException {
        return inside2Outside(SessionTable.open(file, capacity), nowMillis, addresses, insideSw, outsideSw,
                maxSessionsPerInsideAddress, new SecureRandom().nextLong());
    }

    private static Nat44Fixture inside2Outside(SessionTable table, long nowMillis, int[] addresses, int insideSw,
                                               int outsideSw, int maxSessionsPerInsideAddress, long portSeed) {
        Nat44Dataplane dataplane = new Nat44Dataplane(table, () -> nowMillis);
        dataplane.setAddresses(addresses, new SplittableRandom(portSeed));
        byte[] roles = new byte[Math.max(insideSw, outsideSw) + 1];
        roles[insideSw] = Nat44Policy.ROLE_INSIDE;
        roles[outsideSw] = (byte) (Nat44Policy.ROLE_OUTSIDE | Nat44Policy.ROLE_OUTPUT_FEATURE);
        dataplane.setPolicy(new Nat44Policy(roles, Timeouts.DEFAULTS, maxSessionsPerInsideAddress,
                new StaticMappings(List.of())));
        return new Nat44Fixture(dataplane, nowMillis);
    }

    /** Creates a dynamic session as the slow path would; false when the pool or a limit refused it. */
    public boolean createSession(int insideAddress, int insidePort, int protocol, int remoteAddress, int remotePort,
                                 int insideSw) {
        synchronized (dataplane.table().lock()) {
            return dataplane.createDynamic(dataplane.policy(), insideAddress, insidePort, protocol, remoteAddress,
                    remotePort, insideSw, now) >= 0;
        }
    }

    /** Deletes the session each of {@code count} buffers was translated by (its {@link Opaque#NAT_SESSION}). */
    public void deleteSessionsOf(BufferPool pool, int[] buffers, int count) {
        synchronized (dataplane.table().lock()) {
            for (int i = 0; i < count; i++) {
                int s = pool.opaque(buffers[i], Opaque.NAT_SESSION);
                if (s >= 0) {
                    dataplane.delete(s);
                }
            }
        }
    }

    /** Turns NAT event logging on, into a ring of {@code capacity} events, as the telemetry exporter does. */
    public void enableEventLogging(int capacity) {
        dataplane.enableEvents(capacity);
    }

    /** Moves up to {@code max} events into {@code records} as the exporter's drain does; returns how many. */
    public int drainEvents(long[] records, int max) {
        EventRing ring = dataplane.events();
        return ring == null ? 0 : ring.drain(records, max);
    }

    /** Events recorded and events lost (the ring was full) since logging was turned on. */
    public long[] eventCounts() {
        return new long[] {dataplane.eventsRecorded(), dataplane.eventsLost()};
    }

    /**
     * What the dataplane holds, item by item, in bytes (insertion order): the session records (the mapped file or
     * anonymous memory), each session index, the TCP windows, the endpoint mappings, the per-inside-address counts
     * and the port bitmaps.
     */
    public Map<String, Long> memoryItems() {
        synchronized (dataplane.table().lock()) {
            Map<String, Long> items = new LinkedHashMap<>();
            SessionTable table = dataplane.table();
            items.put("session records", table.recordBytes());
            items.put("in2out index", table.indexBytes());
            items.put("out2in index", table.indexBytes());
            items.put("TCP windows", table.tcpWindows().memoryBytes());
            items.put("endpoint mappings (off-heap)", dataplane.mappingMemoryBytes());
            items.put("sessions per inside address (heap)", dataplane.dynamicUsers().memoryBytes()
                    + dataplane.staticUsers().memoryBytes());
            items.put("port bitmaps (heap)", dataplane.ports().memoryBytes());
            return items;
        }
    }

    /** Sessions in the table and endpoint mappings alive. */
    public long[] counts() {
        synchronized (dataplane.table().lock()) {
            return new long[] {dataplane.table().count(), dataplane.mappingCount()};
        }
    }

    /** nat44-in2out-output over this dataplane. */
    public Node fastPathNode() {
        return new Nat44In2OutOutputNode(dataplane);
    }

    /** nat44-out2in over this dataplane (on ip4-unicast of both interfaces, as in the seed). */
    public Node out2InNode() {
        return new Nat44Out2InNode(dataplane);
    }

    /** nat44-in2out-output-slowpath over this dataplane. */
    public Node slowPathNode() {
        return new Nat44In2OutSlowPathNode(dataplane);
    }

    @Override
    public void close() {
        dataplane.close();
    }

    /**
     * The bundle's session table (memory-mapped file) alone, for storage comparisons. One thread only: the
     * table's writer lock is not taken, so a store benchmark measures the table and not the monitor.
     */
    public static final class Sessions implements AutoCloseable {
        private final SessionTable table;

        private Sessions(SessionTable table) {
            this.table = table;
        }

        public static Sessions open(Path file, int capacity) throws IOException {
            return new Sessions(SessionTable.open(file, capacity));
        }

        /** The table's key of an (address, port, protocol) triple. */
        public static long key(int address, int port, int protocol) {
            return SessionTable.key(address, port, protocol);
        }

        /** Inserts a dynamic session that never expires; its index, or -1 when the table is full. */
        public int insert(long inKey, long outKey) {
            return table.insert(inKey, outKey, 0, 0, 0, false, 0, Long.MAX_VALUE);
        }

        /** The session of inside endpoint {@code key} that {@link #insert} made (its remote is 0.0.0.0:0). */
        public int lookupIn2Out(long key) {
            return table.lookupIn2Out(key, 0, 0);
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
