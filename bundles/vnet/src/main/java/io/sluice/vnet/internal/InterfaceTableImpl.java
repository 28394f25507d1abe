package io.sluice.vnet.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.api.InterfaceCounters;
import io.sluice.vnet.api.InterfaceListener;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.PortRxMode;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The interface table. sw_if_index 0 is {@code local0}, as in VPP: the box itself, never a port. Every change
 * is published as a new {@link InterfaceSnapshot}; listeners are told on the caller's (control plane)
 * thread. A name keeps its sw_if_index across unregister and register (a driver bundle being updated), so
 * routes and features configured on it stay valid.
 */
@Component(service = InterfaceTable.class, immediate = true)
public final class InterfaceTableImpl implements InterfaceTable, TraceContext {
    static final String LOCAL0 = "local0";

    private final GraphRuntime graph;
    private final Object lock = new Object();
    private final List<String> names = new ArrayList<>();
    private final List<Device> devices = new ArrayList<>();
    private final List<InterfaceOutputNode> outputNodes = new ArrayList<>();
    private final List<InterfaceTxNode> txNodes = new ArrayList<>();
    private long[] macs = new long[0];
    private int[] mtus = new int[0];
    private boolean[] adminUp = new boolean[0];
    private int[][] ip4Addresses = new int[0][];
    private int[][] ip4PrefixLengths = new int[0][];
    private final InterfaceCounters[] counters;
    private final List<InterfaceListener> listeners = new CopyOnWriteArrayList<>();
    private volatile InterfaceSnapshot snapshot;
    /** Each port's rx-mode by sw_if_index (null: its worker's), replaced whole; read by workers about to sleep. */
    private volatile PortRxMode[] rxModes = new PortRxMode[0];
    /** Each port's configured rx placement by sw_if_index (null: the default), replaced whole. */
    private volatile int[][] rxPlacements = new int[0][];
    /** The receive queues each device-input node polls, by node name. */
    private final Map<String, List<RxQueue>> rxQueues = new TreeMap<>();

    @Activate
    public InterfaceTableImpl(@Reference GraphRuntime graph) {
        this.graph = graph;
        this.counters = new InterfaceCounters[graph.workerCount()];
        for (int w = 0; w < counters.length; w++) {
            counters[w] = new InterfaceCounters();
        }
        synchronized (lock) {
            int local = slotFor(LOCAL0);
            devices.set(local, null);
            publish();
        }
        graph.setTraceContext(this);
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            for (int sw = 1; sw < names.size(); sw++) {
                if (devices.get(sw) != null) {
                    unregister(sw);
                }
            }
        }
    }

    @Override
    public InterfaceSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public int register(Device device) {
        synchronized (lock) {
            String name = device.name();
            int existing = names.indexOf(name);
            if (existing >= 0 && devices.get(existing) != null) {
                throw new IllegalArgumentException("interface " + name + " is already registered (sw_if_index "
                        + existing + ")");
            }
            int sw = existing >= 0 ? existing : slotFor(name);
            if (sw >= InterfaceCounters.MAX_INTERFACES) {
                throw new IllegalStateException("interface " + name + ": the box supports at most "
                        + InterfaceCounters.MAX_INTERFACES + " interfaces");
            }
            devices.set(sw, device);
            if (existing < 0) {
                macs[sw] = device.macAddress();
                mtus[sw] = device.mtu();
            }
            publish();
            InterfaceOutputNode output = new InterfaceOutputNode(this, sw, name);
            InterfaceTxNode tx = new InterfaceTxNode(this, sw, device);
            outputNodes.set(sw, output);
            txNodes.set(sw, tx);
            graph.addNode(tx);
            graph.addNode(output);
            graph.setFeatureArcEnd(FeatureArc.IP4_OUTPUT, sw, InterfaceTable.outputNodeName(name));
            return sw;
        }
    }

    @Override
    public void unregister(int swIfIndex) {
        synchronized (lock) {
            check(swIfIndex);
            if (devices.get(swIfIndex) == null) {
                return;
            }
            graph.removeNode(outputNodes.get(swIfIndex));
            graph.removeNode(txNodes.get(swIfIndex));
            outputNodes.set(swIfIndex, null);
            txNodes.set(swIfIndex, null);
            devices.set(swIfIndex, null);
            publish();
        }
    }

    @Override
    public PortRxMode rxMode(int swIfIndex) {
        PortRxMode[] modes = rxModes;
        return swIfIndex >= 0 && swIfIndex < modes.length ? modes[swIfIndex] : null;
    }

    @Override
    public void setRxMode(int swIfIndex, PortRxMode mode) {
        synchronized (lock) {
            check(swIfIndex);
            if (rxMode(swIfIndex) == mode) {
                return;
            }
            PortRxMode[] modes = Arrays.copyOf(rxModes, Math.max(rxModes.length, swIfIndex + 1));
            modes[swIfIndex] = mode;
            rxModes = modes;
        }
        if (mode == PortRxMode.POLLING) {
            // a worker asleep on this port's descriptor must poll it from now on, not from its next frame
            graph.wakeWorkers();
        }
    }

    @Override
    public void setRxQueues(String inputNode, List<RxQueue> queues) {
        synchronized (lock) {
            if (queues.isEmpty()) {
                rxQueues.remove(inputNode);
            } else {
                rxQueues.put(inputNode, List.copyOf(queues));
            }
        }
    }

    @Override
    public void placeRxQueue(int swIfIndex, int queue, int worker) {
        if (worker < 0 || worker >= counters.length) {
            throw new IllegalArgumentException("no worker " + worker + ": the workers are 0.." + (counters.length - 1));
        }
        String node = null;
        int[] placement;
        synchronized (lock) {
            check(swIfIndex);
            int queues = 0;
            for (List<RxQueue> polled : rxQueues.values()) {
                for (RxQueue q : polled) {
                    if (q.swIfIndex() == swIfIndex) {
                        queues = Math.max(queues, q.queue() + 1);
                        if (q.queue() == queue) {
                            node = q.inputNode();
                        }
                    }
                }
            }
            if (node == null) {
                throw new IllegalArgumentException(names.get(swIfIndex) + " has no receive queue " + queue
                        + (queues == 0 ? " (no device-input node polls it)" : " (its queues are 0.." + (queues - 1) + ")"));
            }
            placement = new int[queues];
            for (RxQueue q : rxQueues.get(node)) {
                if (q.swIfIndex() == swIfIndex) {
                    placement[q.queue()] = q.worker();
                }
            }
            placement[queue] = worker;
        }
        setRxPlacement(swIfIndex, placement);
        graph.placeQueues(node);
    }

    @Override
    public int workerCount() {
        return counters.length;
    }

    @Override
    public int[] rxPlacement(int swIfIndex) {
        int[][] placements = rxPlacements;
        int[] workers = swIfIndex >= 0 && swIfIndex < placements.length ? placements[swIfIndex] : null;
        return workers == null ? null : workers.clone();
    }

    @Override
    public void setRxPlacement(int swIfIndex, int[] workers) {
        if (workers != null) {
            if (workers.length == 0) {
                throw new IllegalArgumentException("rx-placement: no worker named");
            }
            for (int worker : workers) {
                if (worker < 0 || worker >= counters.length) {
                    throw new IllegalArgumentException("rx-placement: worker " + worker + ", but the workers are 0.."
                            + (counters.length - 1));
                }
            }
        }
        synchronized (lock) {
            check(swIfIndex);
            int[][] placements = Arrays.copyOf(rxPlacements, Math.max(rxPlacements.length, swIfIndex + 1));
            placements[swIfIndex] = workers == null ? null : workers.clone();
            rxPlacements = placements;
        }
    }

    @Override
    public int rxQueueWorker(String inputNode, int swIfIndex, int queue) {
        int workers = counters.length;
        int[][] placements = rxPlacements;
        int[] placed = swIfIndex >= 0 && swIfIndex < placements.length ? placements[swIfIndex] : null;
        if (placed != null) {
            int worker = placed[queue % placed.length];
            // within the workers when it was set; fewer workers since (the graph reconfigured) wrap it
            return worker < workers ? worker : worker % workers;
        }
        int base = graph.inputWorker(inputNode);
        return (Math.max(base, 0) + queue) % workers;
    }

    @Override
    public List<RxQueue> rxQueues() {
        synchronized (lock) {
            List<RxQueue> all = new ArrayList<>();
            rxQueues.values().forEach(all::addAll);
            return all;
        }
    }

    private int slotFor(String name) {
        int sw = names.size();
        names.add(name);
        devices.add(null);
        outputNodes.add(null);
        txNodes.add(null);
        macs = Arrays.copyOf(macs, sw + 1);
        mtus = Arrays.copyOf(mtus, sw + 1);
        adminUp = Arrays.copyOf(adminUp, sw + 1);
        ip4Addresses = Arrays.copyOf(ip4Addresses, sw + 1);
        ip4PrefixLengths = Arrays.copyOf(ip4PrefixLengths, sw + 1);
        ip4Addresses[sw] = new int[0];
        ip4PrefixLengths[sw] = new int[0];
        mtus[sw] = 9000;
        return sw;
    }

    @Override
    public int find(String name) {
        synchronized (lock) {
            return names.indexOf(name);
        }
    }

    @Override
    public Device device(int swIfIndex) {
        synchronized (lock) {
            return swIfIndex >= 0 && swIfIndex < devices.size() ? devices.get(swIfIndex) : null;
        }
    }

    @Override
    public void setAdminUp(int swIfIndex, boolean up) {
        synchronized (lock) {
            check(swIfIndex);
            adminUp = adminUp.clone();
            adminUp[swIfIndex] = up;
            publish();
        }
    }

    @Override
    public void setMtu(int swIfIndex, int mtu) {
        if (mtu < 68 || mtu > 9216) {
            throw new IllegalArgumentException("mtu " + mtu + " is outside 68..9216 (RFC 791 minimum to jumbo)");
        }
        synchronized (lock) {
            check(swIfIndex);
            mtus = mtus.clone();
            mtus[swIfIndex] = mtu;
            publish();
        }
    }

    @Override
    public void setMac(int swIfIndex, long mac) {
        synchronized (lock) {
            check(swIfIndex);
            macs = macs.clone();
            macs[swIfIndex] = mac;
            publish();
        }
    }

    @Override
    public void addIp4Address(int swIfIndex, int address, int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0..32");
        }
        synchronized (lock) {
            check(swIfIndex);
            int[] current = ip4Addresses[swIfIndex];
            for (int i = 0; i < current.length; i++) {
                if (current[i] == address) {
                    if (ip4PrefixLengths[swIfIndex][i] == prefixLength) {
                        return;
                    }
                    throw new IllegalArgumentException(names.get(swIfIndex) + " already has "
                            + PacketFormat.formatIp4(address) + "/" + ip4PrefixLengths[swIfIndex][i]);
                }
            }
            ip4Addresses = ip4Addresses.clone();
            ip4PrefixLengths = ip4PrefixLengths.clone();
            ip4Addresses[swIfIndex] = append(current, address);
            ip4PrefixLengths[swIfIndex] = append(ip4PrefixLengths[swIfIndex], prefixLength);
            publish();
        }
    }

    @Override
    public void removeIp4Address(int swIfIndex, int address, int prefixLength) {
        synchronized (lock) {
            check(swIfIndex);
            int[] current = ip4Addresses[swIfIndex];
            int[] lengths = ip4PrefixLengths[swIfIndex];
            for (int i = 0; i < current.length; i++) {
                if (current[i] == address && lengths[i] == prefixLength) {
                    ip4Addresses = ip4Addresses.clone();
                    ip4PrefixLengths = ip4PrefixLengths.clone();
                    ip4Addresses[swIfIndex] = remove(current, i);
                    ip4PrefixLengths[swIfIndex] = remove(lengths, i);
                    publish();
                    return;
                }
            }
            throw new IllegalArgumentException(names.get(swIfIndex) + " has no address "
                    + PacketFormat.formatIp4(address) + "/" + prefixLength);
        }
    }

    private static int[] append(int[] array, int value) {
        int[] result = Arrays.copyOf(array, array.length + 1);
        result[array.length] = value;
        return result;
    }

    private static int[] remove(int[] array, int index) {
        int[] result = new int[array.length - 1];
        System.arraycopy(array, 0, result, 0, index);
        System.arraycopy(array, index + 1, result, index, array.length - index - 1);
        return result;
    }

    private void check(int swIfIndex) {
        if (swIfIndex <= 0 || swIfIndex >= names.size()) {
            throw new IllegalArgumentException("no interface with sw_if_index " + swIfIndex);
        }
    }

    private void publish() {
        InterfaceSnapshot previous = snapshot;
        String[] published = new String[names.size()];
        for (int sw = 0; sw < published.length; sw++) {
            published[sw] = names.get(sw);
        }
        InterfaceSnapshot current = new InterfaceSnapshot(published, macs.clone(), mtus.clone(), adminUp.clone(),
                ip4Addresses.clone(), ip4PrefixLengths.clone());
        snapshot = current;
        if (previous != null) {
            for (InterfaceListener listener : listeners) {
                listener.interfaceChanged(previous, current);
            }
        }
    }

    @Override
    public InterfaceCounters counters(int worker) {
        return counters[worker];
    }

    @Override
    public List<InterfaceStats> stats() {
        InterfaceSnapshot current = snapshot;
        return graph.withBarrier(() -> {
            List<InterfaceStats> result = new ArrayList<>();
            for (int sw = 0; sw < current.size(); sw++) {
                long rxPackets = 0, rxBytes = 0, txPackets = 0, txBytes = 0, drops = 0, rxErrors = 0, txErrors = 0;
                for (InterfaceCounters c : counters) {
                    rxPackets += c.rxPackets[sw];
                    rxBytes += c.rxBytes[sw];
                    txPackets += c.txPackets[sw];
                    txBytes += c.txBytes[sw];
                    drops += c.drops[sw];
                    rxErrors += c.rxErrors[sw];
                    txErrors += c.txErrors[sw];
                }
                List<String> addresses = new ArrayList<>();
                int[] own = current.ip4Addresses(sw);
                int[] lengths = current.ip4PrefixLengths(sw);
                for (int i = 0; i < own.length; i++) {
                    addresses.add(PacketFormat.formatIp4(own[i]) + "/" + lengths[i]);
                }
                Device device = device(sw);
                result.add(new InterfaceStats(sw, current.name(sw), current.mac(sw), current.mtu(sw),
                        current.adminUp(sw), device != null && device.linkUp(), addresses, rxPackets, rxBytes,
                        txPackets, txBytes, drops, rxErrors, txErrors));
            }
            return result;
        });
    }

    @Override
    public void clearCounters() {
        graph.withBarrier(() -> {
            for (InterfaceCounters c : counters) {
                c.clear();
            }
            return null;
        });
    }

    @Override
    public void addListener(InterfaceListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(InterfaceListener listener) {
        listeners.remove(listener);
    }

    @Override
    public String interfaceName(int swIfIndex) {
        String name = snapshot.name(swIfIndex);
        return name != null ? name : "sw_if_index " + swIfIndex;
    }
}
