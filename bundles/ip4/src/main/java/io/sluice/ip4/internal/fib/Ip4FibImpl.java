package io.sluice.ip4.internal.fib;

import io.sluice.common.LongIntMap;
import io.sluice.ethernet.api.NeighbourListener;
import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ip4.api.Ip4Fib;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceListener;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Ip4Fib}: each table compiled into an {@link Ip4Mtrie}, and the adjacencies routes point at.
 *
 * <p>Workers read {@link #forwarding()} once per frame: an immutable {@link Forwarding} with every table's
 * published trie view, the interface-to-table binding and the adjacencies. Every change (synchronized here, on
 * a control-plane thread) builds the next one copy-on-write and publishes it with one volatile write.
 *
 * <p>Published under {@link Ip4Fib} for other bundles and under this class for ip4's own nodes, which reach
 * {@link #forwarding()} through a final class: no interface call on the forwarding path.
 */
@Component(service = {Ip4Fib.class, Ip4FibImpl.class}, immediate = true)
public final class Ip4FibImpl implements Ip4Fib, InterfaceListener, NeighbourListener {

    static final int SOURCE_LOCAL = 0;
    static final int SOURCE_CONNECTED = 1;
    static final int SOURCE_STATIC = 2;
    static final int SOURCE_NEIGHBOUR = 3;
    private static final String[] SOURCE_NAMES = {"local", "connected", "static", "neighbour"};
    /** Rebuild a table when replaced plies outnumber live ones and this many. */
    private static final int COMPACT_MIN_GARBAGE = 4096;

    /** What a worker reads. Final, and every method is a couple of array reads. */
    public static final class Forwarding {
        private final Ip4Mtrie.View[] tables;
        private final int[] tableBySw;
        private final Adjacencies adjacencies;

        Forwarding(Ip4Mtrie.View[] tables, int[] tableBySw, Adjacencies adjacencies) {
            this.tables = tables;
            this.tableBySw = tableBySw;
            this.adjacencies = adjacencies;
        }

        /** The FIB table interface {@code swIfIndex} is bound to (0 unless configured). */
        public int tableOf(int swIfIndex) {
            return swIfIndex >= 0 && swIfIndex < tableBySw.length ? tableBySw[swIfIndex] : 0;
        }

        /** The adjacency of the longest prefix matching {@code address} in {@code table}. */
        public int lookup(int table, int address) {
            Ip4Mtrie.View view = tables[table];
            return view == null ? Adjacencies.MISS_INDEX : view.lookup(address);
        }

        public Adjacencies adjacencies() {
            return adjacencies;
        }
    }

    private static final class Table {
        final Ip4Mtrie trie;
        final LongIntMap[] bySource;

        Table() {
            this(new Ip4Mtrie(Adjacencies.MISS_INDEX),
                    new LongIntMap[] {new LongIntMap(), new LongIntMap(), new LongIntMap(), new LongIntMap()});
        }

        Table(Ip4Mtrie trie, LongIntMap[] bySource) {
            this.trie = trie;
            this.bySource = bySource;
        }
    }

    private final InterfaceTable interfaces;
    private final NeighbourTable neighbours;
    private final Table[] tables = new Table[MAX_TABLES];
    private int[] tableBySw = new int[0];
    private final Map<Integer, Set<Long>> appliedAddresses = new HashMap<>();
    private final Map<Long, Integer> neighbourAdjacencies = new HashMap<>();
    private final Map<Integer, Integer> gleanAdjacencies = new HashMap<>();
    private int localAdjacency = -1;
    private int dropAdjacency = -1;
    private byte[] kinds = new byte[0];
    private int[] swIfIndexes = new int[0];
    private int[] nextHops = new int[0];
    private long[] dstMacs = new long[0];
    private long[] srcMacs = new long[0];
    private int adjacencyCount;
    private Adjacencies adjacencies;
    private volatile Forwarding forwarding;

    @Activate
    public Ip4FibImpl(@Reference InterfaceTable interfaces, @Reference NeighbourTable neighbours) {
        this.interfaces = interfaces;
        this.neighbours = neighbours;
        synchronized (this) {
            newAdjacency(Adjacencies.MISS, -1, 0);
            tables[0] = new Table();
            publish();
        }
        interfaces.addListener(this);
        neighbours.addListener(this);
        interfaceChanged(null, interfaces.snapshot());
    }

    @Deactivate
    void deactivate() {
        interfaces.removeListener(this);
        neighbours.removeListener(this);
    }

    /** The current forwarding state: read once per frame. */
    public Forwarding forwarding() {
        return forwarding;
    }

    // ---- routes ----

    static long key(int address, int length) {
        return ((address & 0xffffffffL) << 6) | length;
    }

    static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    @Override
    public synchronized void addRoute(int table, int address, int length, int nextHop, int swIfIndex) {
        checkPrefix(table, length);
        int adjacency = resolve(table, attachedHostNextHop(address, length, nextHop), swIfIndex);
        Table t = table(table);
        t.trie.beginBatch();
        setSource(t, address & mask(length), length, SOURCE_STATIC, adjacency);
        finish(t);
    }

    @Override
    public synchronized void addDropRoute(int table, int address, int length) {
        checkPrefix(table, length);
        if (dropAdjacency < 0) {
            dropAdjacency = newAdjacency(Adjacencies.DROP, -1, 0);
        }
        Table t = table(table);
        t.trie.beginBatch();
        setSource(t, address & mask(length), length, SOURCE_STATIC, dropAdjacency);
        finish(t);
    }

    @Override
    public synchronized void addRoutes(int table, int[] addresses, int[] lengths, int[] nextHops, int[] swIfIndexes,
                                       int count) {
        checkPrefix(table, 0);
        for (int i = 0; i < count; i++) {
            if (lengths[i] < 0 || lengths[i] > 32) {
                throw new IllegalArgumentException("route " + i + ": prefix length " + lengths[i] + " is outside 0..32");
            }
        }
        // Shorter prefixes first (a stable counting sort by length): each insert then only refines its own
        // range, instead of a /8 sweeping the plies that a thousand /24s made before it.
        int[] next = new int[34];
        for (int i = 0; i < count; i++) {
            next[lengths[i] + 1]++;
        }
        for (int l = 1; l < next.length; l++) {
            next[l] += next[l - 1];
        }
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[next[lengths[i]]++] = i;
        }
        Table t = table(table);
        t.trie.beginBatch();
        for (int i : order) {
            int adjacency = resolve(table, attachedHostNextHop(addresses[i], lengths[i], nextHops[i]), swIfIndexes[i]);
            setSource(t, addresses[i] & mask(lengths[i]), lengths[i], SOURCE_STATIC, adjacency);
        }
        finish(t);
    }

    @Override
    public synchronized boolean removeRoute(int table, int address, int length) {
        checkPrefix(table, length);
        Table t = tables[table];
        if (t == null) {
            return false;
        }
        int masked = address & mask(length);
        if (!t.bySource[SOURCE_STATIC].containsKey(key(masked, length))) {
            return false;
        }
        t.trie.beginBatch();
        clearSource(t, masked, length, SOURCE_STATIC);
        finish(t);
        return true;
    }

    @Override
    public synchronized void setInterfaceTable(int swIfIndex, int table) {
        checkPrefix(table, 0);
        Set<Long> applied = appliedAddresses.remove(swIfIndex);
        if (applied != null) {
            Table old = table(tableOf(swIfIndex));
            old.trie.beginBatch();
            for (long a : applied) {
                withdrawAddress(old, (int) (a >>> 8), (int) (a & 0xff));
            }
            finish(old);
        }
        if (swIfIndex >= tableBySw.length) {
            tableBySw = Arrays.copyOf(tableBySw, swIfIndex + 1);
        }
        tableBySw[swIfIndex] = table;
        table(table);
        reconcileAddresses(interfaces.snapshot());
        publish();
    }

    @Override
    public synchronized int tableOf(int swIfIndex) {
        return swIfIndex >= 0 && swIfIndex < tableBySw.length ? tableBySw[swIfIndex] : 0;
    }

    private void checkPrefix(int table, int length) {
        if (table < 0 || table >= MAX_TABLES) {
            throw new IllegalArgumentException("table " + table + " is outside 0.." + (MAX_TABLES - 1));
        }
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0..32");
        }
    }

    private Table table(int id) {
        if (tables[id] == null) {
            tables[id] = new Table();
        }
        return tables[id];
    }

    /** A /32 attached to an interface has one possible next hop: the host itself (not a glean). */
    private static int attachedHostNextHop(int address, int length, int nextHop) {
        return nextHop == 0 && length == 32 ? address : nextHop;
    }

    private int resolve(int table, int nextHop, int swIfIndex) {
        InterfaceSnapshot snapshot = interfaces.snapshot();
        int sw = swIfIndex;
        if (sw < 0) {
            if (nextHop == 0) {
                throw new IllegalArgumentException("a route needs a next hop, an interface, or both");
            }
            sw = connectedInterface(snapshot, table, nextHop);
            if (sw < 0) {
                throw new IllegalArgumentException("next hop " + PacketFormat.formatIp4(nextHop)
                        + " is on no connected subnet of table " + table + ": name the interface");
            }
        } else if (!snapshot.exists(sw) || sw == 0) {
            throw new IllegalArgumentException("no interface with sw_if_index " + sw);
        }
        return nextHop == 0 ? gleanAdjacency(sw) : neighbourAdjacency(sw, nextHop);
    }

    private int connectedInterface(InterfaceSnapshot snapshot, int table, int address) {
        int best = -1;
        int bestLength = -1;
        for (int sw = 1; sw < snapshot.size(); sw++) {
            if (tableOf(sw) != table) {
                continue;
            }
            int[] addresses = snapshot.ip4Addresses(sw);
            int[] lengths = snapshot.ip4PrefixLengths(sw);
            for (int i = 0; i < addresses.length; i++) {
                int m = mask(lengths[i]);
                if ((addresses[i] & m) == (address & m) && lengths[i] > bestLength) {
                    best = sw;
                    bestLength = lengths[i];
                }
            }
        }
        return best;
    }

    /**
     * Whether a neighbour heard on {@code sw} may have its /32 route (VPP's adj-fib): its address is in a connected
     * subnet of {@code sw}, or routed to that very host attached to {@code sw} (a pod's /32). A neighbour anywhere
     * else, as a pod's ARP request can claim with any sender address, would otherwise win the longest match and
     * pull another host's traffic, the server's or another pod's, to the pod, and pass the pod's spoofed sources
     * through the source check; it stays in the neighbour table, bounded there, and routes nothing.
     */
    private boolean onLink(Table t, int address, int sw) {
        for (int l = 32; l >= 0; l--) {
            long key = key(address & mask(l), l);
            for (int s = 0; s < t.bySource.length; s++) {
                int adjacency = s == SOURCE_NEIGHBOUR ? -1 : t.bySource[s].get(key, -1);
                if (adjacency >= 0) {
                    return swIfIndexes[adjacency] == sw
                            && (kinds[adjacency] == Adjacencies.GLEAN || nextHops[adjacency] == address);
                }
            }
        }
        return false;
    }

    /** Sets {@code source}'s adjacency for a prefix and updates the trie when the winning adjacency changes. */
    private void setSource(Table t, int address, int length, int source, int adjacency) {
        long key = key(address, length);
        int before = effective(t, key);
        t.bySource[source].put(key, adjacency);
        int after = effective(t, key);
        if (after != before) {
            t.trie.insert(address, length, after);
        }
    }

    private void clearSource(Table t, int address, int length, int source) {
        long key = key(address, length);
        int before = effective(t, key);
        if (!t.bySource[source].remove(key)) {
            return;
        }
        int after = effective(t, key);
        if (after == before) {
            return;
        }
        if (after >= 0) {
            t.trie.insert(address, length, after);
            return;
        }
        for (int l = length - 1; l >= 0; l--) {
            int cover = effective(t, key(address & mask(l), l));
            if (cover >= 0) {
                t.trie.remove(address, length, cover, l);
                return;
            }
        }
        t.trie.remove(address, length, Adjacencies.MISS_INDEX, 0);
    }

    private static int effective(Table t, long key) {
        for (LongIntMap source : t.bySource) {
            int adjacency = source.get(key, -1);
            if (adjacency >= 0) {
                return adjacency;
            }
        }
        return -1;
    }

    private void finish(Table table) {
        Table t = table;
        if (t.trie.garbagePlies() > Math.max(COMPACT_MIN_GARBAGE, t.trie.livePlies())) {
            t = compact(t);
        }
        t.trie.publish();
        publish();
    }

    /** Rebuilds a table's trie from its routes, leaving the replaced plies to the garbage collector. */
    private Table compact(Table t) {
        int id = Arrays.asList(tables).indexOf(t);
        LongIntMap union = new LongIntMap();
        for (LongIntMap source : t.bySource) {
            source.forEach((key, adjacency) -> {
                if (!union.containsKey(key)) {
                    union.put(key, effective(t, key));
                }
            });
        }
        int n = union.size();
        int[] addresses = new int[n];
        int[] lengths = new int[n];
        int[] adjacencyOf = new int[n];
        int[] i = {0};
        union.forEach((key, adjacency) -> {
            addresses[i[0]] = (int) (key >>> 6);
            lengths[i[0]] = (int) (key & 0x3f);
            adjacencyOf[i[0]] = adjacency;
            i[0]++;
        });
        Ip4Mtrie trie = Ip4Mtrie.build(Adjacencies.MISS_INDEX, addresses, lengths, adjacencyOf, n);
        Table rebuilt = new Table(trie, t.bySource);
        tables[id] = rebuilt;
        return rebuilt;
    }

    // ---- adjacencies ----

    private int newAdjacency(byte kind, int sw, int nextHop) {
        int index = adjacencyCount++;
        if (index >= kinds.length) {
            int grown = Math.max(16, kinds.length * 2);
            kinds = Arrays.copyOf(kinds, grown);
            swIfIndexes = Arrays.copyOf(swIfIndexes, grown);
            nextHops = Arrays.copyOf(nextHops, grown);
            dstMacs = Arrays.copyOf(dstMacs, grown);
            srcMacs = Arrays.copyOf(srcMacs, grown);
        }
        kinds[index] = kind;
        swIfIndexes[index] = sw;
        nextHops[index] = nextHop;
        dstMacs[index] = NeighbourTable.NO_MAC;
        InterfaceSnapshot snapshot = interfaces.snapshot();
        srcMacs[index] = sw > 0 && snapshot.exists(sw) ? snapshot.mac(sw) : 0;
        adjacencies = null;
        return index;
    }

    private int neighbourAdjacency(int sw, int nextHop) {
        long key = ((long) sw << 32) | (nextHop & 0xffffffffL);
        Integer existing = neighbourAdjacencies.get(key);
        if (existing != null) {
            return existing;
        }
        long mac = neighbours.mac(sw, nextHop);
        int index = newAdjacency(mac == NeighbourTable.NO_MAC ? Adjacencies.INCOMPLETE : Adjacencies.REWRITE, sw, nextHop);
        dstMacs[index] = mac;
        neighbourAdjacencies.put(key, index);
        return index;
    }

    private int gleanAdjacency(int sw) {
        Integer existing = gleanAdjacencies.get(sw);
        if (existing != null) {
            return existing;
        }
        int index = newAdjacency(Adjacencies.GLEAN, sw, 0);
        gleanAdjacencies.put(sw, index);
        return index;
    }

    private int localAdjacency() {
        if (localAdjacency < 0) {
            localAdjacency = newAdjacency(Adjacencies.LOCAL, -1, 0);
        }
        return localAdjacency;
    }

    private void publish() {
        if (adjacencies == null) {
            int n = adjacencyCount;
            adjacencies = new Adjacencies(Arrays.copyOf(kinds, n), Arrays.copyOf(swIfIndexes, n),
                    Arrays.copyOf(nextHops, n), Arrays.copyOf(dstMacs, n), Arrays.copyOf(srcMacs, n));
        }
        Ip4Mtrie.View[] views = new Ip4Mtrie.View[MAX_TABLES];
        for (int id = 0; id < MAX_TABLES; id++) {
            if (tables[id] != null) {
                views[id] = tables[id].trie.view();
            }
        }
        forwarding = new Forwarding(views, tableBySw.clone(), adjacencies);
    }

    // ---- listeners ----

    @Override
    public void neighbourChanged(int swIfIndex, int address, long mac) {
        synchronized (this) {
            Integer adjacency = neighbourAdjacencies.get(((long) swIfIndex << 32) | (address & 0xffffffffL));
            if (adjacency != null) {
                dstMacs[adjacency] = mac;
                kinds[adjacency] = mac == NeighbourTable.NO_MAC ? Adjacencies.INCOMPLETE : Adjacencies.REWRITE;
                adjacencies = null;
            }
            if (!interfaces.snapshot().exists(swIfIndex)) {
                publish();
                return;
            }
            Table t = table(tableOf(swIfIndex));
            t.trie.beginBatch();
            if (mac == NeighbourTable.NO_MAC || !onLink(t, address, swIfIndex)) {
                clearSource(t, address, 32, SOURCE_NEIGHBOUR);
            } else {
                setSource(t, address, 32, SOURCE_NEIGHBOUR, neighbourAdjacency(swIfIndex, address));
            }
            finish(t);
        }
    }

    @Override
    public void interfaceChanged(InterfaceSnapshot previous, InterfaceSnapshot current) {
        // Nested notifications may arrive out of order: always follow the table's latest state.
        synchronized (this) {
            InterfaceSnapshot latest = interfaces.snapshot();
            reconcileAddresses(latest);
            for (int a = 0; a < adjacencyCount; a++) {
                int sw = swIfIndexes[a];
                if (sw > 0 && latest.exists(sw) && srcMacs[a] != latest.mac(sw)) {
                    srcMacs[a] = latest.mac(sw);
                    adjacencies = null;
                }
            }
            publish();
        }
    }

    private void reconcileAddresses(InterfaceSnapshot snapshot) {
        for (int sw = 1; sw < snapshot.size(); sw++) {
            Set<Long> wanted = new HashSet<>();
            int[] addresses = snapshot.ip4Addresses(sw);
            int[] lengths = snapshot.ip4PrefixLengths(sw);
            for (int i = 0; i < addresses.length; i++) {
                wanted.add(((addresses[i] & 0xffffffffL) << 8) | lengths[i]);
            }
            Set<Long> applied = appliedAddresses.computeIfAbsent(sw, k -> new HashSet<>());
            if (wanted.equals(applied)) {
                continue;
            }
            Table t = table(tableOf(sw));
            t.trie.beginBatch();
            for (long a : new ArrayList<>(applied)) {
                if (!wanted.contains(a)) {
                    withdrawAddress(t, (int) (a >>> 8), (int) (a & 0xff));
                    applied.remove(a);
                }
            }
            for (long a : wanted) {
                if (applied.add(a)) {
                    int address = (int) (a >>> 8);
                    int length = (int) (a & 0xff);
                    setSource(t, address, 32, SOURCE_LOCAL, localAdjacency());
                    if (length < 32) {
                        setSource(t, address & mask(length), length, SOURCE_CONNECTED, gleanAdjacency(sw));
                    }
                }
            }
            reconcileNeighbours(t, sw);
            finish(t);
        }
    }

    /** The interface's subnets changed: its neighbours' /32 routes follow {@link #onLink}. */
    private void reconcileNeighbours(Table t, int sw) {
        for (NeighbourTable.Neighbour n : neighbours.entries()) {
            if (n.swIfIndex() != sw) {
                continue;
            }
            if (onLink(t, n.address(), sw)) {
                setSource(t, n.address(), 32, SOURCE_NEIGHBOUR, neighbourAdjacency(sw, n.address()));
            } else {
                clearSource(t, n.address(), 32, SOURCE_NEIGHBOUR);
            }
        }
    }

    private void withdrawAddress(Table t, int address, int length) {
        clearSource(t, address, 32, SOURCE_LOCAL);
        if (length < 32) {
            clearSource(t, address & mask(length), length, SOURCE_CONNECTED);
        }
    }

    // ---- control-plane reads ----

    @Override
    public synchronized List<Route> routes(int table) {
        checkPrefix(table, 0);
        Table t = tables[table];
        List<Route> result = new ArrayList<>();
        if (t == null) {
            return result;
        }
        Set<Long> seen = new HashSet<>();
        for (int s = 0; s < t.bySource.length; s++) {
            int source = s;
            t.bySource[s].forEach((key, adjacency) -> {
                if (seen.add(key)) {
                    result.add(route(table, key, source, adjacency));
                }
            });
        }
        result.sort((a, b) -> a.address() != b.address() ? Integer.compareUnsigned(a.address(), b.address())
                : Integer.compare(a.length(), b.length()));
        return result;
    }

    @Override
    public synchronized Route longestMatch(int table, int address) {
        checkPrefix(table, 0);
        Table t = tables[table];
        if (t == null) {
            return null;
        }
        for (int l = 32; l >= 0; l--) {
            long key = key(address & mask(l), l);
            for (int s = 0; s < t.bySource.length; s++) {
                int adjacency = t.bySource[s].get(key, -1);
                if (adjacency >= 0) {
                    return route(table, key, s, adjacency);
                }
            }
        }
        return null;
    }

    @Override
    public synchronized int routeCount(int table) {
        Table t = tables[table];
        if (t == null) {
            return 0;
        }
        int n = 0;
        for (LongIntMap source : t.bySource) {
            n += source.size();
        }
        return n;
    }

    @Override
    public synchronized long memoryBytes(int table) {
        Table t = tables[table];
        if (t == null) {
            return 0;
        }
        long bytes = t.trie.memoryBytes();
        for (LongIntMap source : t.bySource) {
            bytes += source.memoryBytes();
        }
        return bytes;
    }

    private Route route(int table, long key, int source, int adjacency) {
        Adjacencies current = forwarding.adjacencies();
        InterfaceSnapshot snapshot = interfaces.snapshot();
        String via = adjacency < current.count()
                ? current.describe(adjacency, sw -> snapshot.exists(sw) ? snapshot.name(sw) : "sw_if_index " + sw)
                : "";
        return new Route(table, (int) (key >>> 6), (int) (key & 0x3f), SOURCE_NAMES[source], adjacency, via);
    }
}
