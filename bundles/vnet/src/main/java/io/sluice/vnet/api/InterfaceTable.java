package io.sluice.vnet.api;

import java.util.List;

/**
 * The interfaces of the box, by sw_if_index. Drivers register their devices; configuration sets addresses,
 * MTU, MAC and admin state. Every change publishes a new {@link InterfaceSnapshot}. Registering a device
 * also adds its {@code <name>-output} and {@code <name>-tx} nodes to the graph and makes
 * {@code <name>-output} the end of the ip4-output feature arc for it.
 */
public interface InterfaceTable {

    InterfaceSnapshot snapshot();

    /** Adds a device; returns its sw_if_index. A name already registered is an error naming it. */
    int register(Device device);

    /** Removes the interface (its nodes leave the graph); its sw_if_index is not reused by another name. */
    void unregister(int swIfIndex);

    /** The sw_if_index of {@code name}, or -1. */
    int find(String name);

    Device device(int swIfIndex);

    void setAdminUp(int swIfIndex, boolean up);

    void setMtu(int swIfIndex, int mtu);

    void setMac(int swIfIndex, long mac);

    void addIp4Address(int swIfIndex, int address, int prefixLength);

    void removeIp4Address(int swIfIndex, int address, int prefixLength);

    /** Counters of worker {@code worker}: for nodes running on that worker. */
    InterfaceCounters counters(int worker);

    /** Counters summed over workers (read under the barrier). */
    List<InterfaceStats> stats();

    void clearCounters();

    void addListener(InterfaceListener listener);

    void removeListener(InterfaceListener listener);

    /** The port's rx-mode, or null when its worker's rx-mode applies. Read by a worker about to sleep. */
    PortRxMode rxMode(int swIfIndex);

    /**
     * Sets the port's rx-mode (null: its worker's again). Kept with the interface's name, like its sw_if_index,
     * until the port's configuration sets it again.
     */
    void setRxMode(int swIfIndex, PortRxMode mode);

    /** The receive queues device-input node {@code inputNode} polls now (all of them, replacing what it said). */
    void setRxQueues(String inputNode, List<RxQueue> queues);

    /** Every receive queue a device-input node polls: VPP's {@code show interface rx-placement}. */
    List<RxQueue> rxQueues();

    /**
     * Moves queue {@code queue} of interface {@code swIfIndex} to worker {@code worker} (VPP's {@code set interface
     * rx-placement}), under the graph's barrier so that no worker polls it while it moves; kept with the interface,
     * like its rx-mode, until its configuration is applied again. An interface, queue or worker that does not exist
     * is refused with a message naming it.
     */
    void placeRxQueue(int swIfIndex, int queue, int worker);

    /** The workers of the graph, 0..workerCount-1. */
    int workerCount();

    /**
     * The workers the port's configuration places its receive queues on (queue q on {@code workers[q % length]},
     * as VPP's {@code dev { workers }}), or null when it places none.
     */
    int[] rxPlacement(int swIfIndex);

    /**
     * Places the port's receive queues on {@code workers} (null: the default placement, {@link #rxQueueWorker}).
     * Kept with the interface's name, like its rx-mode; takes effect when its queues are attached, or placed again
     * under the barrier ({@link #placeRxQueue}). A worker outside 0..workerCount-1 is refused with a message naming it.
     */
    void setRxPlacement(int swIfIndex, int[] workers);

    /**
     * The worker that is to poll queue {@code queue} of interface {@code swIfIndex} on device-input node
     * {@code inputNode}: where the port's configuration places it ({@link #rxPlacement}), otherwise the worker the
     * graph places the node on, the port's further queues on the workers after it in turn.
     */
    int rxQueueWorker(String inputNode, int swIfIndex, int queue);

    /** Queue {@code queue} of interface {@code swIfIndex}, polled by {@code inputNode} on worker {@code worker}. */
    record RxQueue(String inputNode, int swIfIndex, int queue, int worker) {
    }

    /** The name of the output node of an interface, the end of its ip4-output arc. */
    static String outputNodeName(String interfaceName) {
        return interfaceName + "-output";
    }

    static String txNodeName(String interfaceName) {
        return interfaceName + "-tx";
    }

    record InterfaceStats(int swIfIndex, String name, long mac, int mtu, boolean adminUp, boolean linkUp,
                          List<String> ip4Addresses, long rxPackets, long rxBytes, long txPackets, long txBytes,
                          long drops, long rxErrors, long txErrors) {
    }
}
