package io.sluice.ethernet.internal;

import io.sluice.ethernet.api.NeighbourListener;
import io.sluice.ethernet.api.NeighbourTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * IPv4 neighbours by (sw_if_index, address): the MAC each next hop answers ARP with, static (configured) or
 * dynamic (learned by arp-input, aged out when not heard from).
 *
 * <p>Readers get an immutable open-addressing table, replaced whole on every change (the
 * {@code entries} field is volatile): no lock on any worker. Workers never write the table: a learned
 * neighbour that is new or has a new MAC goes into a bounded multi-producer queue of primitives, drained by
 * {@link #maintain} on a control-plane thread (under DS: at once when a worker queues into an empty queue, else every
 * 100 ms for the ageing; or by the test); a neighbour heard again
 * with the same MAC only refreshes its last-seen time in place. One interface may hold at most
 * {@link #LEARN_QUEUE_SHARE} of the queue's slots: a pod flooding ARP with invented senders fills its own share,
 * and the GbE's gateway, heard between two drains, still gets a slot (and, when the GbE's share of the table is
 * full, evicts that interface's least recently heard entry). Listeners (the FIB) are told after each
 * change, outside the lock.
 *
 * <p>Published under {@link NeighbourTable} and, for arp-input (which learns per packet), under this class.
 */
@Component(service = {NeighbourTable.class, NeighbourTableImpl.class}, immediate = true,
        configurationPid = "io.sluice.ethernet.neighbours")
public final class NeighbourTableImpl implements NeighbourTable {

    /** An entry heard from this recently is passed over once by the eviction (CLOCK's second chance). */
    static final long RECENTLY_HEARD_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final int LEARN_QUEUE_CAPACITY = 4096;
    /** Slots of the learn queue one interface may hold between two drains (16 interfaces flooding fill it). */
    static final int LEARN_QUEUE_SHARE = LEARN_QUEUE_CAPACITY / 16;
    /**
     * Interfaces whose queued learns are counted apart; sw_if_indexes are dense from 0, and beyond this many
     * interfaces share a counter (and so a share) with the one this many below them.
     */
    static final int QUEUED_BY_INTERFACE_SLOTS = 1024;
    private static final long EMPTY = -1L;

    private static final System.Logger LOG = System.getLogger(NeighbourTableImpl.class.getName());

    /** One published version: keys, MACs and kinds by slot; lastSeen is refreshed in place by workers. */
    private static final class Entries {
        final long[] keys;
        final long[] macs;
        final boolean[] statics;
        final long[] lastSeen;
        final int mask;

        Entries(int capacity) {
            keys = new long[capacity];
            java.util.Arrays.fill(keys, EMPTY);
            macs = new long[capacity];
            statics = new boolean[capacity];
            lastSeen = new long[capacity];
            mask = capacity - 1;
        }

        int find(long key) {
            int i = spread(key) & mask;
            long k;
            while ((k = keys[i]) != EMPTY) {
                if (k == key) {
                    return i;
                }
                i = (i + 1) & mask;
            }
            return -1;
        }

        void put(long key, long mac, boolean isStatic, long seen) {
            int i = spread(key) & mask;
            while (keys[i] != EMPTY) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            macs[i] = mac;
            statics[i] = isStatic;
            lastSeen[i] = seen;
        }
    }

    private static final class Entry {
        long mac;
        boolean isStatic;
        long lastSeen;

        Entry(long mac, boolean isStatic, long lastSeen) {
            this.mac = mac;
            this.isStatic = isStatic;
            this.lastSeen = lastSeen;
        }
    }

    private final Map<Long, Entry> byKey = new HashMap<>();
    private final List<NeighbourListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Entries entries = new Entries(16);
    private volatile long ageingNanos = TimeUnit.SECONDS.toNanos(DEFAULT_AGEING_SECONDS);
    private volatile int maxEntries = DEFAULT_MAX_ENTRIES;
    private volatile int maxEntriesPerInterface = DEFAULT_MAX_ENTRIES_PER_INTERFACE;
    /**
     * The drain must not wait for the next period: until it runs, the FIB's adjacency for a next hop that has just
     * answered ARP is still incomplete and ip4-arp drops every packet to it, so right after a restart (an empty
     * table) the first burst to the GbE's gateway was lost whole when it lasted less than the period.
     */
    static final long MAINTAIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private volatile Thread maintainer;
    private volatile boolean stopping;
    /** Set by the first learn queued since the last drain, which alone wakes the maintainer (one wake per drain). */
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private final Runnable wakeMaintainer;
    /** Dynamic entries per interface, and their keys in the order they were learned (stale keys skipped lazily). */
    private final Map<Integer, Integer> dynamicCount = new HashMap<>();
    private final Map<Integer, ArrayDeque<Long>> dynamicOrder = new HashMap<>();
    private long evictions;

    // The learn queue: producers reserve a slot by CAS on tail, fill it, then release it by its sequence.
    private final long[] queuedKeys = new long[LEARN_QUEUE_CAPACITY];
    private final long[] queuedMacs = new long[LEARN_QUEUE_CAPACITY];
    private final AtomicLongArray queuedSequence = new AtomicLongArray(LEARN_QUEUE_CAPACITY);
    private final AtomicLong queueTail = new AtomicLong();
    private volatile long queueHead;
    private final AtomicLongArray queuedBySw = new AtomicLongArray(QUEUED_BY_INTERFACE_SLOTS);
    private final AtomicLong learnQueueOverflows = new AtomicLong();
    private long tableFullRefusals;

    /**
     * For tests and tools: no maintenance thread; call {@link #maintain} to apply learned entries and age. Under DS,
     * {@link #activate} starts the thread that a learn wakes.
     */
    public NeighbourTableImpl() {
        this(null);
    }

    /** For tests: {@code wakeMaintainer} runs instead of unparking the thread when a learn asks for a drain. */
    NeighbourTableImpl(Runnable wakeMaintainer) {
        this.wakeMaintainer = wakeMaintainer;
    }

    @Activate
    void activate(Map<String, Object> properties) {
        Object ageing = properties.get("ageing-seconds");
        if (ageing != null) {
            try {
                setAgeingSeconds(Long.parseLong(ageing.toString().trim()));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.ERROR, "io.sluice.ethernet.neighbours: key 'ageing-seconds': '" + ageing
                        + "' is not a whole number of seconds >= 1; keeping " + DEFAULT_AGEING_SECONDS);
            }
        }
        for (String key : new String[] {"max-entries", "max-entries-per-interface"}) {
            Object value = properties.get(key);
            if (value == null) {
                continue;
            }
            try {
                int max = Integer.parseInt(value.toString().trim());
                if (key.equals("max-entries")) {
                    setMaxEntries(max);
                } else {
                    setMaxEntriesPerInterface(max);
                }
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.ERROR, "io.sluice.ethernet.neighbours: key '" + key + "': '" + value
                        + "' is not a whole number >= 1; keeping " + (key.equals("max-entries") ? maxEntries
                        : maxEntriesPerInterface));
            }
        }
        Thread thread = new Thread(this::maintainUntilStopped, "sluice-neighbours");
        thread.setDaemon(true);
        maintainer = thread;
        thread.start();
    }

    /** Drains when a worker asks (a learn into an empty queue unparks it), and at least every period, to age. */
    private void maintainUntilStopped() {
        while (!stopping) {
            try {
                maintain(System.nanoTime());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "neighbour table maintenance failed; retrying next period", e);
            }
            LockSupport.parkNanos(this, MAINTAIN_PERIOD_NANOS);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        stopping = true;
        Thread thread = maintainer;
        if (thread != null) {
            LockSupport.unpark(thread);
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    /** After a learn was queued: the first since the last drain wakes the maintainer (a worker never blocks here). */
    private void requestDrain() {
        if (wakeRequested.get() || !wakeRequested.compareAndSet(false, true)) {
            return;
        }
        Runnable wake = wakeMaintainer;
        if (wake != null) {
            wake.run();
            return;
        }
        Thread thread = maintainer;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void setAgeingSeconds(long seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("ageing must be at least 1 second, got " + seconds);
        }
        ageingNanos = TimeUnit.SECONDS.toNanos(seconds);
    }

    @Override
    public long ageingSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(ageingNanos);
    }

    @Override
    public void setMaxEntries(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max entries must be positive, got " + max);
        }
        maxEntries = max;
    }

    @Override
    public void setMaxEntriesPerInterface(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max entries per interface must be positive, got " + max);
        }
        maxEntriesPerInterface = max;
    }

    static long key(int swIfIndex, int address) {
        return ((long) swIfIndex << 32) | (address & 0xffffffffL);
    }

    private static int spread(long key) {
        long h = key * 0x9e3779b97f4a7c15L;
        return (int) (h ^ (h >>> 29));
    }

    // ---- forwarding path ----

    @Override
    public long mac(int swIfIndex, int address) {
        Entries current = entries;
        int i = current.find(key(swIfIndex, address));
        return i < 0 ? NO_MAC : current.macs[i];
    }

    /**
     * A worker heard {@code address} at {@code mac} on {@code swIfIndex} (an ARP request to the box, or a
     * reply). Known with the same MAC: its last-seen time is refreshed now. New or moved: queued for the control
     * plane (dropped and counted when the queue, or the interface's share of it, is full). A static entry is
     * never overridden.
     */
    public void learn(int swIfIndex, int address, long mac, long nowNanos) {
        long key = key(swIfIndex, address);
        Entries current = entries;
        int i = current.find(key);
        if (i >= 0) {
            if (current.statics[i]) {
                return;
            }
            if (current.macs[i] == mac) {
                current.lastSeen[i] = nowNanos;
                return;
            }
        }
        int share = swIfIndex & (QUEUED_BY_INTERFACE_SLOTS - 1);
        if (queuedBySw.incrementAndGet(share) > LEARN_QUEUE_SHARE) {
            queuedBySw.decrementAndGet(share);
            learnQueueOverflows.incrementAndGet();
            return;
        }
        while (true) {
            long tail = queueTail.get();
            if (tail - queueHead >= LEARN_QUEUE_CAPACITY) {
                queuedBySw.decrementAndGet(share);
                learnQueueOverflows.incrementAndGet();
                return;
            }
            if (queueTail.compareAndSet(tail, tail + 1)) {
                int slot = (int) (tail & (LEARN_QUEUE_CAPACITY - 1));
                queuedKeys[slot] = key;
                queuedMacs[slot] = mac;
                queuedSequence.set(slot, tail + 1);
                requestDrain();
                return;
            }
        }
    }

    @Override
    public long learnQueueOverflows() {
        return learnQueueOverflows.get();
    }

    @Override
    public synchronized long tableFullRefusals() {
        return tableFullRefusals;
    }

    @Override
    public synchronized long evictions() {
        return evictions;
    }

    // ---- control plane ----

    @Override
    public void addStatic(int swIfIndex, int address, long mac) {
        if (swIfIndex < 0) {
            throw new IllegalArgumentException("no interface with sw_if_index " + swIfIndex);
        }
        if (mac < 0 || mac > 0xffff_ffff_ffffL || (mac >>> 40 & 1) != 0) {
            throw new IllegalArgumentException("a neighbour's MAC must be a unicast 48-bit address, got "
                    + Long.toHexString(mac));
        }
        List<long[]> changes = new ArrayList<>();
        synchronized (this) {
            Entry old = byKey.put(key(swIfIndex, address), new Entry(mac, true, System.nanoTime()));
            if (old != null && !old.isStatic) {
                countDynamic(swIfIndex, -1);
            }
            if (old == null || old.mac != mac) {
                changes.add(new long[] {swIfIndex, address, mac});
            }
            publish();
        }
        notifyListeners(changes);
    }

    @Override
    public boolean remove(int swIfIndex, int address) {
        List<long[]> changes = new ArrayList<>();
        synchronized (this) {
            Entry removed = byKey.remove(key(swIfIndex, address));
            if (removed == null) {
                return false;
            }
            if (!removed.isStatic) {
                countDynamic(swIfIndex, -1);
            }
            changes.add(new long[] {swIfIndex, address, NO_MAC});
            publish();
        }
        notifyListeners(changes);
        return true;
    }

    @Override
    public void removeInterface(int swIfIndex) {
        List<long[]> changes = new ArrayList<>();
        synchronized (this) {
            byKey.entrySet().removeIf(e -> {
                boolean match = (int) (e.getKey() >>> 32) == swIfIndex;
                if (match) {
                    changes.add(new long[] {swIfIndex, (int) (long) e.getKey(), NO_MAC});
                }
                return match;
            });
            dynamicCount.remove(swIfIndex);
            dynamicOrder.remove(swIfIndex);
            if (!changes.isEmpty()) {
                publish();
            }
        }
        notifyListeners(changes);
    }

    /** Applies what workers learned and removes dynamic entries idle longer than the ageing time. */
    public void maintain(long nowNanos) {
        // Cleared before the drain: a learn queued from here on asks again, and the thread's next park returns.
        wakeRequested.set(false);
        List<long[]> changes = new ArrayList<>();
        synchronized (this) {
            Entries current = entries;
            boolean changed = false;
            long head = queueHead;
            while (true) {
                int slot = (int) (head & (LEARN_QUEUE_CAPACITY - 1));
                if (queuedSequence.get(slot) != head + 1) {
                    break;
                }
                long key = queuedKeys[slot];
                long mac = queuedMacs[slot];
                head++;
                queueHead = head;
                queuedBySw.decrementAndGet((int) (key >>> 32) & (QUEUED_BY_INTERFACE_SLOTS - 1));
                Entry old = byKey.get(key);
                if (old != null && (old.isStatic || old.mac == mac)) {
                    continue;
                }
                int sw = (int) (key >>> 32);
                if (old == null && !makeRoom(sw, current, nowNanos, changes)) {
                    tableFullRefusals++;
                    continue;
                }
                byKey.put(key, new Entry(mac, false, nowNanos));
                if (old == null) {
                    countDynamic(sw, 1);
                    dynamicOrder.computeIfAbsent(sw, i -> new ArrayDeque<>()).addLast(key);
                }
                changes.add(new long[] {key >>> 32, (int) key, mac});
                changed = true;
            }
            long ageing = ageingNanos;
            var iterator = byKey.entrySet().iterator();
            while (iterator.hasNext()) {
                var e = iterator.next();
                Entry entry = e.getValue();
                if (entry.isStatic) {
                    continue;
                }
                int i = current.find(e.getKey());
                if (i >= 0) {
                    entry.lastSeen = Math.max(entry.lastSeen, current.lastSeen[i]);
                }
                if (nowNanos - entry.lastSeen > ageing) {
                    iterator.remove();
                    long key = e.getKey();
                    countDynamic((int) (key >>> 32), -1);
                    changes.add(new long[] {key >>> 32, (int) key, NO_MAC});
                    changed = true;
                }
            }
            if (changed) {
                publish();
            }
        }
        notifyListeners(changes);
    }

    private void countDynamic(int swIfIndex, int delta) {
        dynamicCount.merge(swIfIndex, delta, Integer::sum);
    }

    /**
     * Room for one more dynamic entry on {@code sw}: when the interface holds its share, its least recently heard
     * entry goes; when the table is full, the fullest interface's does. Static entries are never evicted; false
     * when only they are left.
     */
    private boolean makeRoom(int sw, Entries current, long nowNanos, List<long[]> changes) {
        if (dynamicCount.getOrDefault(sw, 0) >= maxEntriesPerInterface) {
            return evictOne(sw, current, nowNanos, changes);
        }
        if (byKey.size() < maxEntries) {
            return true;
        }
        int fullest = sw;
        for (Map.Entry<Integer, Integer> count : dynamicCount.entrySet()) {
            if (count.getValue() > dynamicCount.getOrDefault(fullest, 0)) {
                fullest = count.getKey();
            }
        }
        return evictOne(fullest, current, nowNanos, changes);
    }

    /**
     * CLOCK over the interface's dynamic entries in learn order: one heard within {@link #RECENTLY_HEARD_NANOS}
     * (a worker refreshed it) goes to the back once, the first one that was not is removed. Amortised O(1).
     */
    private boolean evictOne(int sw, Entries current, long nowNanos, List<long[]> changes) {
        ArrayDeque<Long> order = dynamicOrder.get(sw);
        if (order == null) {
            return false;
        }
        int passes = 2 * order.size();
        while (passes-- > 0 && !order.isEmpty()) {
            long key = order.pollFirst();
            Entry entry = byKey.get(key);
            if (entry == null || entry.isStatic) {
                continue;
            }
            int i = current.find(key);
            if (i >= 0) {
                entry.lastSeen = Math.max(entry.lastSeen, current.lastSeen[i]);
            }
            if (nowNanos - entry.lastSeen < RECENTLY_HEARD_NANOS && passes >= order.size()) {
                order.addLast(key);
                continue;
            }
            byKey.remove(key);
            countDynamic(sw, -1);
            evictions++;
            changes.add(new long[] {sw, (int) key, NO_MAC});
            return true;
        }
        return false;
    }

    private void publish() {
        Entries old = entries;
        int capacity = 16;
        while (capacity < byKey.size() * 2) {
            capacity <<= 1;
        }
        Entries next = new Entries(capacity);
        for (Map.Entry<Long, Entry> e : byKey.entrySet()) {
            Entry entry = e.getValue();
            int i = old.find(e.getKey());
            if (i >= 0 && old.macs[i] == entry.mac) {
                entry.lastSeen = Math.max(entry.lastSeen, old.lastSeen[i]);
            }
            next.put(e.getKey(), entry.mac, entry.isStatic, entry.lastSeen);
        }
        entries = next;
    }

    private void notifyListeners(List<long[]> changes) {
        for (long[] change : changes) {
            for (NeighbourListener listener : listeners) {
                listener.neighbourChanged((int) change[0], (int) change[1], change[2]);
            }
        }
    }

    @Override
    public synchronized List<Neighbour> entries() {
        long now = System.nanoTime();
        Entries current = entries;
        List<Neighbour> result = new ArrayList<>();
        for (Map.Entry<Long, Entry> e : byKey.entrySet()) {
            long key = e.getKey();
            Entry entry = e.getValue();
            int i = current.find(key);
            long seen = i >= 0 ? Math.max(entry.lastSeen, current.lastSeen[i]) : entry.lastSeen;
            result.add(new Neighbour((int) (key >>> 32), (int) key, entry.mac, entry.isStatic,
                    entry.isStatic ? 0 : now - seen));
        }
        result.sort((a, b) -> a.swIfIndex() != b.swIfIndex() ? Integer.compare(a.swIfIndex(), b.swIfIndex())
                : Integer.compareUnsigned(a.address(), b.address()));
        return result;
    }

    @Override
    public void addListener(NeighbourListener listener) {
        List<Neighbour> present;
        synchronized (this) {
            listeners.add(listener);
            present = entries();
        }
        for (Neighbour n : present) {
            listener.neighbourChanged(n.swIfIndex(), n.address(), n.mac());
        }
    }

    @Override
    public void removeListener(NeighbourListener listener) {
        listeners.remove(listener);
    }
}
