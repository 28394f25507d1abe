package io.sluice.nat44.internal;

import io.sluice.common.LongIntMap;
import io.sluice.nat44.api.Nat44Event;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Tcp;

import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * The state NAT44's nodes share and that outlives them: the session table (one session per flow, NAT44-ED), the
 * endpoint-independent mappings that give every flow of one inside endpoint the same outside endpoint
 * ({@link EndpointMappings}), the address pool with its port maps, per-inside-address session counts and the
 * policy (configuration) snapshot. Node instances hold a
 * reference to one of these; a replacement node gets the same one and carries on with the same sessions.
 *
 * <p>Workers read sessions without locking; every change (create, delete, expire, pool change) happens
 * under {@link SessionTable#lock()}, which the slow path takes once per frame.

 */
final class Nat44Dataplane implements AutoCloseable {

    /** {@link #createDynamic}/{@link #createStatic} results below zero. */
    static final int NO_PORTS = -2;
    static final int TABLE_FULL = -3;
    static final int USER_LIMIT = -4;
    static final int NO_ADDRESS = -5;
    static final int COLLISION = -6;
    /** {@link #createFromOutside}: the mapping went with the session recycled to make room for its new one. */
    static final int NO_SESSION = -7;

    private final SessionTable table;
    private final LongSupplier clock;
    /** Until the control plane publishes a configuration, nothing leaves untranslated: see Nat44Policy.refusing. */
    private volatile Nat44Policy policy = Nat44Policy.refusing();
    private volatile PortAllocator ports = new PortAllocator(new int[0]);
    private final LongIntMap sessionsByInsideAddress = new LongIntMap(1024);
    private final LongIntMap staticSessionsByInsideAddress = new LongIntMap(64);
    private final EndpointMappings endpoints;
    /** Workers the dynamic ports are split between ({@link #setWorkers}). */
    private int workers = 1;
    /** Expired sessions recycled because the table or an inside address was full (VPP-ED's LRU reuse). */
    private long reused;
    /**
     * Records a full table looks through for the least recently heard expired session to recycle
     * ({@link SessionTable#leastRecentlyHeardExpired}): bounded, so a full table of live sessions costs a refused
     * flow no more than this.
     */
    static final int REUSE_WINDOW = 1024;
    private final int[] expiredScratch = new int[256];
    private long expired;
    private long portExhaustions;
    private long staticEvictions;
    /** What the prefetches read, kept so that the reads are not optimised away; never used otherwise. */
    private long prefetched;
    /**
     * Where session events go for NAT event logging (RFC 6888 REQ-12); null while logging is off. Producers read it
     * once per event, a volatile read; the ring itself is lock-free and never blocks a worker.
     */
    private volatile EventRing events;
    /** Where dropped packets go for drop logging; records nothing until the exporter enables it. */
    private final Nat44DropRecorder drops = new Nat44DropRecorder();
    private long recordedBefore;
    private long lostBefore;
    /** Limit events (ports exhausted, table full, user quota) are recorded at most once a second each. */
    private final long[] lastLimitEvent = {Long.MIN_VALUE / 2, Long.MIN_VALUE / 2, Long.MIN_VALUE / 2};
    static final long LIMIT_EVENT_INTERVAL_MILLIS = 1_000;
    private static final System.Logger LOG = System.getLogger(Nat44Dataplane.class.getName());

    /**
     * @param clock wall-clock milliseconds (System::currentTimeMillis on a box; tests advance their own);
     *              read once per frame
     */
    public Nat44Dataplane(SessionTable table, LongSupplier clock) {
        this.table = table;
        this.clock = clock;
        this.endpoints = new EndpointMappings(table);
        synchronized (table.lock()) {
            restore(clock.getAsLong());
        }
    }

    public SessionTable table() {
        return table;
    }

    long now() {
        return clock.getAsLong();
    }

    public Nat44Policy policy() {
        return policy;
    }

    PortAllocator ports() {
        return ports;
    }

    /**
     * Publishes a new policy; static ports on pool addresses are reserved from dynamic allocation. A dynamic
     * session that holds a port a new static mapping names is deleted (counted, logged): the mapping wins, because
     * otherwise the port would be handed out twice: replies to it would match two translations, and when the
     * session ended it would give the mapping's port back to the dynamic pool.
     */
    public void setPolicy(Nat44Policy next) {
        synchronized (table.lock()) {
            this.policy = next;
            evictDynamicSessionsOnStaticPorts(ports, next.mappings);
            reserveStaticPorts(ports, next.mappings);
        }
    }

    private void evictDynamicSessionsOnStaticPorts(PortAllocator allocator, StaticMappings mappings) {
        for (StaticMapping m : mappings.list()) {
            int index = allocator.indexOf(m.externalAddress());
            int slot = PortAllocator.protocolSlot(m.protocol());
            if (index < 0 || slot < 0 || !allocator.isUsed(index, slot, m.externalPort())) {
                continue;
            }
            long outKey = SessionTable.key(m.externalAddress(), m.externalPort(), m.protocol());
            int mapping = endpoints.findByOutside(outKey);
            if (mapping < 0 || endpoints.isStatic(mapping)) {
                continue;
            }
            LOG.log(System.Logger.Level.WARNING, "static mapping '" + m.name() + "' takes its outside port from"
                    + " dynamic sessions, which are deleted so that the port is never handed out twice");
            for (int s = 0; s < table.highWater(); s++) {
                if (table.inUse(s) && !table.isStatic(s) && table.outKey(s) == outKey) {
                    delete(s);
                    staticEvictions++;
                }
            }
        }
    }

    /** Dynamic sessions deleted because a static mapping came to name their outside port. */
    long staticEvictions() {
        return staticEvictions;
    }

    /**
     * Replaces the address pool. Sessions on addresses that left the pool are deleted; the others keep
     * their ports in the new allocator.
     */
    public void setAddresses(int[] addresses) {
        setAddresses(new PortAllocator(addresses, new SplittableRandom(new SecureRandom().nextLong()),
                workers));
    }

    /** Test hook: {@link #setAddresses(int[])} with ports drawn from {@code random}, so two runs choose alike. */
    void setAddresses(int[] addresses, SplittableRandom random) {
        setAddresses(new PortAllocator(addresses, random, workers));
    }

    /**
     * Splits the pool's dynamic ports between {@code count} workers ({@link PortAllocator#owner}): what the out2in
     * handoff reads a returning packet's owner from. Live sessions keep their ports (one in another worker's block
     * stays where it is until it ends).
     */
    void setWorkers(int count, SplittableRandom random) {
        synchronized (table.lock()) {
            PortAllocator current = ports;
            int[] addresses = new int[current.addressCount()];
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = current.address(i);
            }
            PortAllocator next = new PortAllocator(addresses, random, count);
            this.workers = count;
            setAddresses(next);
        }
    }

    /** The worker that owns the dynamic session on outside port {@code port} (any pool address). */
    int ownerOfOutsidePort(int port) {
        return ports.owner(port);
    }

    private void setAddresses(PortAllocator next) {
        synchronized (table.lock()) {
            reserveStaticPorts(next, policy.mappings);
            this.ports = next;
            rebuildDerived(clock.getAsLong(), true);
        }
    }

    /** Test hook: the next dynamic port allocated (the golden session's 25801). */
    void forceNextPort(int port) {
        synchronized (table.lock()) {
            ports.forceNextPort(port);
        }
    }

    private static void reserveStaticPorts(PortAllocator allocator, StaticMappings mappings) {
        for (StaticMapping m : mappings.list()) {
            int index = allocator.indexOf(m.externalAddress());
            int slot = PortAllocator.protocolSlot(m.protocol());
            if (index >= 0 && slot >= 0) {
                allocator.reserve(index, slot, m.externalPort());
            }
        }
    }

    /**
     * Reattaches to the records (a restart): expired sessions go now; the others wait for the address pool
     * ({@link #setAddresses}), which reserves their ports or deletes those whose address left the pool.
     */
    private void restore(long now) {
        table.rebuild(now);
        rebuildDerived(now, false);
    }

    /**
     * Recounts users, rebuilds the endpoint mappings and re-marks ports from the records; drops sessions the pool
     * no longer covers, and any whose mapping disagrees with an earlier session's (one inside endpoint, one outside
     * endpoint).
     */
    private void rebuildDerived(long now, boolean poolKnown) {
        sessionsByInsideAddress.clear();
        staticSessionsByInsideAddress.clear();
        endpoints.clear();
        PortAllocator allocator = ports;
        for (int s = 0; s < table.highWater(); s++) {
            if (!table.inUse(s)) {
                continue;
            }
            if (table.expiresAt(s) <= now) {
                recordSession(Nat44Event.SESSION_DELETE, s, now);
                table.remove(s);
                expired++;
                continue;
            }
            long outKey = table.outKey(s);
            boolean isStatic = table.isStatic(s);
            int mapping = endpoints.findByInside(table.inKey(s));
            if (mapping >= 0) {
                if (endpoints.outsideKey(mapping) != outKey || endpoints.isStatic(mapping) != isStatic) {
                    recordSession(Nat44Event.SESSION_DELETE, s, now);
                    table.remove(s);
                    continue;
                }
                endpoints.join(mapping, s);
            } else if (endpoints.findByOutside(outKey) >= 0) {
                recordSession(Nat44Event.SESSION_DELETE, s, now);
                table.remove(s);
                continue;
            } else if (!isStatic && poolKnown) {
                int index = allocator.indexOf(SessionTable.keyAddress(outKey));
                int slot = PortAllocator.protocolSlot(SessionTable.keyProtocol(outKey));
                if (index < 0 || slot < 0) {
                    recordSession(Nat44Event.SESSION_DELETE, s, now);
                    table.remove(s);
                    continue;
                }
                if (!allocator.reserve(index, slot, SessionTable.keyPort(outKey))) {
                    // A static mapping reserved this port first (setAddresses reserves them before): it wins.
                    recordSession(Nat44Event.SESSION_DELETE, s, now);
                    table.remove(s);
                    staticEvictions++;
                    continue;
                }
            }
            if (mapping < 0) {
                endpoints.add(s);
            }
            long user = SessionTable.keyAddress(table.inKey(s)) & 0xffffffffL;
            (isStatic ? staticSessionsByInsideAddress : sessionsByInsideAddress).add(user, 1);
        }
    }

    /**
     * Creates the session for an inside endpoint opening a flow: a static mapping's translation when one
     * matches (and is not out2in-only), else a dynamic one from the pool. Returns the session, or a negative
     * cause. Lock held.
     */
    int createIn2Out(Nat44Policy p, int insideAddress, int insidePort, int protocol, int remoteAddress,
                     int remotePort, int insideSw, long now) {
        return createIn2Out(p, insideAddress, insidePort, protocol, remoteAddress, remotePort, insideSw, now, 0);
    }

    /** {@link #createIn2Out} on {@code worker}: a new port comes from that worker's block. */
    int createIn2Out(Nat44Policy p, int insideAddress, int insidePort, int protocol, int remoteAddress,
                     int remotePort, int insideSw, long now, int worker) {
        int mapping = p.mappings.findByLocal(insideAddress, insidePort, protocol);
        if (mapping >= 0) {
            StaticMapping m = p.mappings.get(mapping);
            if (!m.out2inOnly() && !m.identity()) {
                int outsidePort = m.addressOnly() ? insidePort : m.externalPort();
                return createStatic(p, insideAddress, insidePort, protocol, m.externalAddress(), outsidePort,
                        remoteAddress, remotePort, insideSw, now);
            }
        }
        return createDynamic(p, insideAddress, insidePort, protocol, remoteAddress, remotePort, insideSw, now, worker);
    }

    /**
     * A dynamic session for a new flow of an inside endpoint: the endpoint's mapping when it has one (every flow of
     * one inside endpoint leaves from one outside endpoint, RFC 4787 REQ-1), else a new mapping with a port from
     * the pool, the inside port itself when it is free (port preservation). A full table or inside address first
     * recycles an expired session ({@link #makeRoom}). Returns the session, or a negative cause. Lock held.
     */
    public int createDynamic(Nat44Policy p, int insideAddress, int insidePort, int protocol, int remoteAddress,
                      int remotePort, int insideSw, long now) {
        return createDynamic(p, insideAddress, insidePort, protocol, remoteAddress, remotePort, insideSw, now, 0);
    }

    /** {@link #createDynamic} on {@code worker}: a new mapping's port comes from that worker's block. */
    int createDynamic(Nat44Policy p, int insideAddress, int insidePort, int protocol, int remoteAddress,
                      int remotePort, int insideSw, long now, int worker) {
        PortAllocator allocator = ports;
        int addressCount = allocator.addressCount();
        if (addressCount == 0) {
            return NO_ADDRESS;
        }
        int room = makeRoom(p, insideAddress, now);
        if (room < 0) {
            return room;
        }
        long inKey = SessionTable.key(insideAddress, insidePort, protocol);
        int mapping = endpoints.findByInside(inKey);
        if (mapping >= 0) {
            return insertSession(mapping, inKey, endpoints.outsideKey(mapping), remoteAddress, remotePort, insideSw,
                    now, p, endpoints.isStatic(mapping));
        }
        long user = insideAddress & 0xffffffffL;
        int slot = PortAllocator.protocolSlot(protocol);
        // Paired pooling (RFC 4787 REQ-2): an inside address starts at the same pool address every time.
        int first = (int) ((SessionTable.mix(user) >>> 1) % addressCount);
        for (int i = 0; i < addressCount; i++) {
            int index = (first + i) % addressCount;
            int port = allocator.allocate(index, slot, insidePort, worker);
            if (port < 0) {
                continue;
            }
            long outKey = SessionTable.key(allocator.address(index), port, protocol);
            int s = insertSession(-1, inKey, outKey, remoteAddress, remotePort, insideSw, now, p, false);
            if (s < 0) {
                allocator.release(index, slot, port);
            }
            return s;
        }
        portExhaustions++;
        // natPoolId 0: the box has one pool.
        recordLimit(LIMIT_PORTS, Nat44Event.ADDRESSES_EXHAUSTED, 0, 0, 0, now);
        return NO_PORTS;
    }

    /**
     * Endpoint-independent filtering (the {@code filtering = endpoint-independent} option): a packet from a new
     * remote to the outside endpoint of dynamic mapping {@code mapping} opens a session of that mapping's inside
     * endpoint for it. Returns the session, or a negative cause. Lock held.
     */
    int createFromOutside(Nat44Policy p, int mapping, int remoteAddress, int remotePort, long now) {
        long inKey = endpoints.insideKey(mapping);
        long outKey = endpoints.outsideKey(mapping);
        int room = makeRoom(p, SessionTable.keyAddress(inKey), now);
        if (room < 0) {
            return room;
        }
        // makeRoom may have recycled the mapping's last session, and the mapping with it.
        mapping = endpoints.findByOutside(outKey);
        if (mapping < 0) {
            return NO_SESSION;
        }
        return insertSession(mapping, inKey, outKey, remoteAddress, remotePort, -1, now, p, false);
    }

    /**
     * Whether {@code port} of pool address {@code address} is taken (a dynamic mapping's or a static one's): a miss
     * to it goes to the slow path, which filters or hairpins it. Read without the lock by the fast path: a bit seen
     * late sends a packet down the path it would have taken a moment earlier, and the slow path looks again.
     */
    boolean outsidePortInUse(int address, int port, int protocol) {
        PortAllocator allocator = ports;
        int slot = PortAllocator.protocolSlot(protocol);
        if (slot < 0) {
            return false;
        }
        int index = allocator.indexOf(address);
        return index >= 0 && allocator.isUsed(index, slot, port);
    }

    /**
     * Touches what a new flow of inside endpoint {@code inKey} to the remote will probe first (its in2out index slot,
     * its endpoint mapping's slot), so that the slow path can do it for a whole frame before it creates sessions and
     * the frame's cache misses overlap. Lock held (the mappings are not for other threads).
     */
    void prefetchNewFlow(long inKey, int remoteAddress, int remotePort) {
        prefetched ^= table.prefetchIn2Out(inKey, remoteAddress, remotePort) ^ endpoints.prefetchInside(inKey);
    }

    /**
     * Opens a batch of session creations (the slow path's frame, lock held until {@link #endBatch}): the new
     * sessions' out2in entries and their new mappings' outside entries are inserted together at the end, where
     * their cache misses overlap (SessionTable.beginBatch says why a session waiting for it is not missed).
     */
    void beginBatch() {
        table.beginBatch();
        endpoints.beginBatch();
    }

    void endBatch() {
        endpoints.endBatch();
        table.endBatch();
    }

    /** Bytes of the endpoint mappings, off-heap ({@link EndpointMappings#memoryBytes}). Lock held. */
    long mappingMemoryBytes() {
        return endpoints.memoryBytes();
    }

    /** The dynamic mapping whose outside endpoint is {@code outKey}, or -1. Lock held. */
    int mappingOfOutside(long outKey) {
        return endpoints.findByOutside(outKey);
    }

    /** The outside endpoint dynamic flows of inside endpoint {@code inKey} leave from, or -1 when none. Lock held. */
    long outsideEndpointOf(long inKey) {
        int m = endpoints.findByInside(inKey);
        return m < 0 ? -1 : endpoints.outsideKey(m);
    }

    /** Dynamic endpoint mappings alive (inside endpoints with at least one session). Lock held. */
    int mappingCount() {
        return endpoints.size();
    }

    /** A session of mapping {@code mapping} (or of a new one, -1): static when the mapping is a static mapping's. */
    private int insertSession(int mapping, long inKey, long outKey, int remoteAddress, int remotePort, int insideSw,
                              long now, Nat44Policy p, boolean isStatic) {
        int protocol = SessionTable.keyProtocol(inKey);
        int s = table.insert(inKey, outKey, remoteAddress, remotePort, insideSw, isStatic, now,
                now + p.timeoutMillis(protocol, 0));
        if (s < 0) {
            recordLimit(LIMIT_TABLE, Nat44Event.QUOTA_EXCEEDED, Nat44Event.QUOTA_MAX_SESSION_ENTRIES, 0,
                    table.capacity(), now);
            return TABLE_FULL;
        }
        if (mapping >= 0) {
            endpoints.join(mapping, s);
        } else {
            endpoints.add(s);
        }
        (isStatic ? staticSessionsByInsideAddress : sessionsByInsideAddress)
                .add(SessionTable.keyAddress(inKey) & 0xffffffffL, 1);
        recordSession(Nat44Event.SESSION_CREATE, s, now);
        return s;
    }

    /**
     * Room for one more dynamic session of {@code insideAddress}: when the table or the address's quota is full, the
     * least recently heard expired session (of that address, for its quota) is deleted and counted
     * ({@link #reused}), as VPP's NAT44-ED recycles before it refuses. Returns 0, or {@link #TABLE_FULL} or
     * {@link #USER_LIMIT} when nothing expired could be recycled. Lock held.
     */
    private int makeRoom(Nat44Policy p, int insideAddress, long now) {
        if (table.count() >= table.capacity()) {
            int victim = table.leastRecentlyHeardExpired(now, 0, REUSE_WINDOW);
            if (victim < 0) {
                recordLimit(LIMIT_TABLE, Nat44Event.QUOTA_EXCEEDED, Nat44Event.QUOTA_MAX_SESSION_ENTRIES, 0,
                        table.capacity(), now);
                return TABLE_FULL;
            }
            delete(victim);
            reused++;
        }
        if (sessionsByInsideAddress.get(insideAddress & 0xffffffffL, 0) >= p.maxSessionsPerInsideAddress) {
            int victim = table.leastRecentlyHeardExpired(now, insideAddress, REUSE_WINDOW);
            if (victim < 0) {
                recordLimit(LIMIT_USER, Nat44Event.QUOTA_EXCEEDED, Nat44Event.QUOTA_MAX_ENTRIES_PER_USER,
                        insideAddress, p.maxSessionsPerInsideAddress, now);
                return USER_LIMIT;
            }
            delete(victim);
            reused++;
        }
        return 0;
    }

    /** Expired sessions recycled for new ones since start (read under the lock, or as a counter's estimate). */
    long reused() {
        return reused;
    }

    int createStatic(Nat44Policy p, int insideAddress, int insidePort, int protocol, int outsideAddress,
                     int outsidePort, int remoteAddress, int remotePort, int insideSw, long now) {
        long inKey = SessionTable.key(insideAddress, insidePort, protocol);
        long outKey = SessionTable.key(outsideAddress, outsidePort, protocol);
        table.publishPending();
        int existing = table.lookupOut2In(outKey, remoteAddress, remotePort);
        if (existing >= 0) {
            return table.inKey(existing) == inKey ? existing : COLLISION;
        }
        existing = table.lookupIn2Out(inKey, remoteAddress, remotePort);
        if (existing >= 0) {
            return table.outKey(existing) == outKey ? existing : COLLISION;
        }
        int mapping = endpoints.findByInside(inKey);
        if (mapping >= 0 && (endpoints.outsideKey(mapping) != outKey || !endpoints.isStatic(mapping))) {
            return COLLISION;
        }
        int other = endpoints.findByOutside(outKey);
        if (other >= 0 && other != mapping) {
            return COLLISION;
        }
        if (table.count() >= table.capacity()) {
            int victim = table.leastRecentlyHeardExpired(now, 0, REUSE_WINDOW);
            if (victim >= 0) {
                delete(victim);
                reused++;
                mapping = endpoints.findByInside(inKey);
            }
        }
        return insertSession(mapping, inKey, outKey, remoteAddress, remotePort, insideSw, now, p, true);
    }

    /** Deletes a session and gives its port back. Lock held. */
    public void delete(int s) {
        if (!table.inUse(s)) {
            return;
        }
        long outKey = table.outKey(s);
        long user = SessionTable.keyAddress(table.inKey(s)) & 0xffffffffL;
        boolean lastOfMapping = endpoints.leave(s);
        if (table.isStatic(s)) {
            staticSessionsByInsideAddress.add(user, -1);
        } else {
            // The port goes back to the pool with the mapping's last session, not before: the endpoint's other
            // flows still leave from it.
            if (lastOfMapping) {
                PortAllocator allocator = ports;
                int index = allocator.indexOf(SessionTable.keyAddress(outKey));
                int slot = PortAllocator.protocolSlot(SessionTable.keyProtocol(outKey));
                if (index >= 0 && slot >= 0) {
                    allocator.release(index, slot, SessionTable.keyPort(outKey));
                }
            }
            sessionsByInsideAddress.add(user, -1);
        }
        if (events != null) {
            recordSession(Nat44Event.SESSION_DELETE, s, clock.getAsLong());
        }
        table.remove(s);
    }

    private static final int LIMIT_PORTS = 0;
    private static final int LIMIT_TABLE = 1;
    private static final int LIMIT_USER = 2;

    /** Session {@code s} (still in the table) created or deleted: one event for the log, when it is on. */
    private void recordSession(int natEvent, int s, long now) {
        EventRing ring = events;
        if (ring == null) {
            return;
        }
        long inKey = table.inKey(s);
        long outKey = table.outKey(s);
        ring.offer(now, natEvent, 0, SessionTable.keyProtocol(inKey), SessionTable.keyAddress(inKey),
                SessionTable.keyPort(inKey), SessionTable.keyAddress(outKey), SessionTable.keyPort(outKey),
                table.remoteAddress(s), table.remotePort(s), 0);
    }

    /** A limit refused a session: recorded at most once a second per kind, so a flood cannot fill the ring. Lock held. */
    private void recordLimit(int kind, int natEvent, int quotaEvent, int insideAddress, int limit, long now) {
        EventRing ring = events;
        if (ring == null || now - lastLimitEvent[kind] < LIMIT_EVENT_INTERVAL_MILLIS) {
            return;
        }
        lastLimitEvent[kind] = now;
        ring.offer(now, natEvent, quotaEvent, 0, insideAddress, 0, 0, 0, 0, 0, limit);
    }

    /** Starts event logging into a new ring of {@code capacity} events (the previous ring's events are dropped). */
    synchronized void enableEvents(int capacity) {
        EventRing next = new EventRing(capacity);
        retire(events);
        events = next;
    }

    synchronized void disableEvents() {
        retire(events);
        events = null;
    }

    private void retire(EventRing ring) {
        if (ring != null) {
            recordedBefore += ring.recorded();
            lostBefore += ring.lost();
        }
    }

    EventRing events() {
        return events;
    }

    Nat44DropRecorder drops() {
        return drops;
    }

    synchronized long eventsRecorded() {
        EventRing ring = events;
        return recordedBefore + (ring == null ? 0 : ring.recorded());
    }

    synchronized long eventsLost() {
        EventRing ring = events;
        return lostBefore + (ring == null ? 0 : ring.lost());
    }

    /** Deletes up to {@code budget} records' worth of expired sessions from the sweep cursor. Lock held. */
    int expireSome(long now, int budget) {
        int n = table.collectExpired(now, budget, expiredScratch);
        for (int i = 0; i < n; i++) {
            delete(expiredScratch[i]);
        }
        expired += n;
        return n;
    }

    /** Sweeps the whole table once, taking the lock for one small chunk at a time so workers barely wait. */
    public int expireAll(long now) {
        int total = 0;
        int chunk = expiredScratch.length;
        for (int visited = 0; visited < table.capacity(); visited += chunk) {
            synchronized (table.lock()) {
                total += expireSome(now, chunk);
            }
        }
        return total;
    }

    /** A packet passed through session {@code s}: TCP state, expiry, counters. Lock-free (the owning worker). */
    void touch(Nat44Policy p, int s, long now, int protocol, int tcpFlags, boolean in2out, int bytes) {
        int state = table.tcpState(s);
        if (protocol == Ipv4.PROTOCOL_TCP) {
            state = TcpTracker.next(state, tcpFlags, in2out);
        }
        table.touch(s, now, now + p.timeoutMillis(protocol, state), bytes, state);
    }

    /** An inside host's TCP segment of session {@code s} passed in2out: what it accepts from outside now. */
    void learnInsideWindow(int s, MemorySegment seg, long ip, long tcp) {
        table.tcpWindows().learnInside(s, seg, ip, tcp);
    }

    /**
     * True when the TCP segment at {@code tcp}, from outside, is a RST or FIN for session {@code s} whose sequence
     * number lies outside the window its inside host advertised: it must not move the session's state (RFC 5961).
     */
    boolean outsideWithoutEvidence(int s, MemorySegment seg, long tcp) {
        return TcpTracker.needsEvidence(table.tcpState(s), Tcp.flags(seg, tcp))
                && !table.tcpWindows().inWindow(s, Tcp.seq(seg, tcp));
    }

    int sessionsOf(int insideAddress) {
        synchronized (table.lock()) {
            return sessionsByInsideAddress.get(insideAddress & 0xffffffffL, 0);
        }
    }

    LongIntMap dynamicUsers() {
        return sessionsByInsideAddress;
    }

    LongIntMap staticUsers() {
        return staticSessionsByInsideAddress;
    }

    long expiredTotal() {
        return expired;
    }

    long portExhaustions() {
        return portExhaustions;
    }

    Timeouts timeouts() {
        return policy.timeouts;
    }

    @Override
    public void close() {
        synchronized (table.lock()) {
            table.close();
            endpoints.close();
        }
    }
}
