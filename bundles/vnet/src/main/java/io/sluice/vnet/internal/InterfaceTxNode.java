package io.sluice.vnet.internal;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.api.InterfaceCounters;
import io.sluice.vnet.api.InterfaceTable;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@code <if>-tx}: hands the whole frame to the device in one call. The device frees every buffer; what it
 * could not send is counted here. With several workers, worker w sends on the device's transmit queue (w mod
 * queues); a queue that more than one worker sends on is taken under its lock ({@link TxQueueLocks}), around the
 * device's trace and transmit both, and a frame that had to wait for it is counted as {@code tx-lock-contended}.
 * With one worker no lock is taken. A device that traces its tx (dpdk: the mbuf lines) writes the record. A packet
 * capture of tx (VPP's {@code pcap trace tx}) copies the frame just before the device takes it.
 */
final class InterfaceTxNode implements Node {

    enum Error implements NodeError {
        TX_FAILED("packets the device could not send (ring full or write error)"),
        TX_LOCK_CONTENDED("frames that waited for a transmit queue another worker was sending on");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private final InterfaceTableImpl table;
    private final int swIfIndex;
    private final Device device;
    private final NodeRegistration registration;
    private final int txQueues;
    private final TxQueueLocks locks;

    InterfaceTxNode(InterfaceTableImpl table, int swIfIndex, Device device) {
        this.table = table;
        this.swIfIndex = swIfIndex;
        this.device = device;
        this.txQueues = Math.max(1, device.txQueues());
        this.locks = new TxQueueLocks(txQueues);
        this.registration = NodeRegistration.internal(InterfaceTable.txNodeName(device.name()), List.of(),
                List.of(Error.values()), this::format);
    }

    @Override
    public NodeRegistration registration() {
        return registration;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        int queue = context.workerIndex() % txQueues;
        if (context.workerCount() <= txQueues) {
            return send(context, frame, queue);
        }
        if (locks.lock(queue)) {
            context.countError(Error.TX_LOCK_CONTENDED.ordinal(), 1);
        }
        try {
            return send(context, frame, queue);
        } finally {
            locks.unlock(queue);
        }
    }

    private int send(NodeContext context, Frame frame, int queue) {
        int n = frame.count();
        BufferPool pool = context.pool();
        int[] buffers = frame.buffers();
        if (frame.traced() && device.tracesTx()) {
            for (int i = 0; i < n; i++) {
                int bi = buffers[i];
                long record = context.trace(bi);
                if (record >= 0) {
                    device.traceTx(pool, bi, context.traceSegment(), record);
                }
            }
        }
        ArmedCapture capture = context.capture();
        if (capture.captures(ArmedCapture.TX, swIfIndex)) {
            capture.take(context.workerIndex(), pool, buffers, 0, n, swIfIndex, ArmedCapture.TX);
        }
        // From here the buffers are the device's, which frees every one of them: none goes on along an arc, and a
        // device that throws after freeing them must not have the worker's failure path free them again.
        frame.setCount(0);
        int sent = txQueues == 1 ? device.transmit(pool, buffers, n) : device.transmit(pool, buffers, n, queue);
        if (sent < n) {
            InterfaceCounters counters = table.counters(context.workerIndex());
            counters.txErrors[swIfIndex] += n - sent;
            context.countError(Error.TX_FAILED.ordinal(), n - sent);
        }
        return n;
    }

    private void format(MemorySegment record, long offset, TraceContext context, StringBuilder out) {
        device.formatTxTrace(record, offset, out);
    }
}
