package io.sluice.vnet.api;

import io.sluice.packet.api.BufferPool;

import java.lang.foreign.MemorySegment;

/**
 * What a driver implements for each port it opens (ixy's small device interface): transmit a batch, report
 * link state and its MAC. Receiving is the driver's own input node (virtio-input, dpdk-input, ...), which
 * polls every device of its driver and stamps the rx sw_if_index on each buffer.
 */
public interface Device {

    /** The interface name: tap2, GigabitEthernet0/8/0, host-veth0. */
    String name();

    /** The port's MAC address as a 48-bit value (the rewrite source of ip4-rewrite). */
    long macAddress();

    /** Largest L3 packet the port sends. */
    int mtu();

    boolean linkUp();

    /**
     * Sends {@code buffers[0..count)} and frees every one of them, sent or not. Called once per frame from
     * the interface's tx node, on a worker thread.
     *
     * @return how many were sent; the rest are counted as tx errors by the caller
     */
    int transmit(BufferPool pool, int[] buffers, int count);

    /**
     * The device's transmit queues. Worker w sends on queue (w mod queues); a queue more than one worker sends on
     * is used under a lock the tx node holds (counted as {@code tx-lock-contended} when a worker waited), so a
     * device's transmit and tx trace are never called by two workers at once on one queue.
     */
    default int txQueues() {
        return 1;
    }

    /** As {@link #transmit(BufferPool, int[], int)}, on transmit queue {@code queue}: for devices of several. */
    default int transmit(BufferPool pool, int[] buffers, int count, int queue) {
        return transmit(pool, buffers, count);
    }

    /** True when the tx node should keep a trace record (dpdk's mbuf lines); TAP's tx adds nothing. */
    default boolean tracesTx() {
        return false;
    }

    /** Writes a tx trace record for {@code bi} (at most {@code io.sluice.graph.api.TraceRing.PAYLOAD_SIZE}). */
    default void traceTx(BufferPool pool, int bi, MemorySegment record, long offset) {
    }

    /** Formats a record written by {@link #traceTx}. */
    default void formatTxTrace(MemorySegment record, long offset, StringBuilder out) {
    }

    /**
     * The device as {@code interface:hardware} shows it: driver, host name or PCI address, queues, rings,
     * offloads, device counters. A control-plane call; drivers that do not say are listed as "unknown".
     */
    default DeviceHardware hardware() {
        return DeviceHardware.unreported("unknown");
    }
}
