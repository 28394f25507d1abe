package io.sluice.vnet.internal;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The locks of one device's transmit queues, for a device with fewer queues than the graph has workers (VPP's tx
 * queue sharing: {@code vnet_hw_if_tx_queue} with {@code shared_queue}, taken with a spin lock). Worker w sends on
 * queue (w mod queues); when that queue is shared, the tx node holds its lock around the device's trace and
 * transmit, which read and write the device's per-queue scratch. A worker that finds the lock taken spins (the
 * holder is inside one burst, microseconds) and its frame is counted once as {@code tx-lock-contended}.
 *
 * <p>Each lock sits on its own cache line (16 ints apart), so workers on different queues do not share one.
 */
final class TxQueueLocks {

    private static final int SPREAD = 16;
    private final AtomicIntegerArray locks;

    TxQueueLocks(int queues) {
        this.locks = new AtomicIntegerArray(Math.max(1, queues) * SPREAD);
    }

    /** Takes queue {@code queue}'s lock; returns true when another worker held it and this one waited. */
    boolean lock(int queue) {
        int at = queue * SPREAD;
        if (locks.compareAndExchangeAcquire(at, 0, 1) == 0) {
            return false;
        }
        do {
            Thread.onSpinWait();
        } while (locks.getPlain(at) != 0 || locks.compareAndExchangeAcquire(at, 0, 1) != 0);
        return true;
    }

    void unlock(int queue) {
        locks.setRelease(queue * SPREAD, 0);
    }
}
