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
 * could not send is counted here. A device that traces its tx (dpdk: the mbuf lines) writes the record. A packet
 * capture of tx (VPP's {@code pcap trace tx}) copies the frame just before the device takes it.
 */
final class InterfaceTxNode implements Node {

    enum Error implements NodeError {
        TX_FAILED("packets the device could not send (ring full or write error)");

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

    InterfaceTxNode(InterfaceTableImpl table, int swIfIndex, Device device) {
        this.table = table;
        this.swIfIndex = swIfIndex;
        this.device = device;
        this.registration = NodeRegistration.internal(InterfaceTable.txNodeName(device.name()), List.of(),
                List.of(Error.values()), this::format);
    }

    @Override
    public NodeRegistration registration() {
        return registration;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
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
        int sent = device.transmit(pool, buffers, n);
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
