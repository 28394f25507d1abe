package io.sluice.pg.internal;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.InterruptibleInput;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.PacketFormat;
import io.sluice.pg.api.PacketGenerator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.IntFunction;

/**
 * {@code pg-input}: fills a frame from the enabled streams, each within its count and rate. Its next arcs are
 * the streams' target nodes; adding a stream for a new node registers a new instance with one more arc (the
 * graph swaps it in like any node update). With no stream left to send it lets its worker sleep (rx-mode):
 * enabling a stream wakes the workers.
 */
final class PgInputNode implements Node, InterruptibleInput {

    enum Error implements NodeError {
        NO_BUFFERS("packets not generated: the buffer pool was empty");

        private final String description;

        Error(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final int TRACE_STREAM = 0;
    private static final int TRACE_LENGTH = 4;
    private static final int TRACE_SW_IF_INDEX = 8;
    private static final int TRACE_BYTES = 12;
    private static final int TRACE_CAPTURE = TraceRing.PAYLOAD_SIZE - TRACE_BYTES;

    private final NodeRegistration registration;
    private final PacketGeneratorImpl generator;

    PgInputNode(PacketGeneratorImpl generator, List<String> targets, IntFunction<String> streamNames) {
        this.generator = generator;
        this.registration = NodeRegistration.input(PacketGenerator.INPUT_NODE, targets, List.of(Error.values()),
                (record, offset, context, out) -> format(record, offset, context, out, streamNames));
    }

    @Override
    public NodeRegistration registration() {
        return registration;
    }

    /** Nothing to wait for while no enabled stream has packets left; polled (for its rate) while one has. */
    @Override
    public int rxFds(int worker, int[] fds, int from) {
        for (StreamState stream : generator.active()) {
            if (stream.enabled && (stream.stream.count() == 0 || stream.sent < stream.stream.count())) {
                return POLLING_ONLY;
            }
        }
        return 0;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        StreamState[] streams = generator.active();
        if (streams.length == 0) {
            return 0;
        }
        BufferPool pool = context.pool();
        MemorySegment buffers = pool.segment();
        long now = System.nanoTime();
        int noBuffers = 0;
        boolean tracing = context.traceArmed() > 0;
        for (StreamState stream : streams) {
            if (!stream.enabled) {
                continue;
            }
            int budget = stream.budget(Frame.CAPACITY - frame.count(), now);
            int made = 0;
            int packet = stream.nextPacket;
            int rx = stream.stream.rxSwIfIndex();
            for (; made < budget; made++) {
                int bi = pool.alloc();
                if (bi < 0) {
                    noBuffers += budget - made;
                    stream.allocFailures += budget - made;
                    break;
                }
                int length = stream.lengths[packet];
                MemorySegment.copy(stream.templates, stream.offsets[packet], buffers, BufferPool.dataStart(bi), length);
                pool.setLength(bi, length);
                pool.setRxSwIfIndex(bi, rx);
                if (tracing) {
                    long record = context.traceInput(bi);
                    if (record >= 0) {
                        frame.setTraced(true);
                        trace(context.traceSegment(), record, pool, bi, stream.index, rx);
                    }
                }
                frame.add(bi, stream.arc);
                if (++packet == stream.lengths.length) {
                    packet = 0;
                }
            }
            stream.nextPacket = packet;
            stream.tokens -= made;
            stream.sent += made;
            if (frame.isFull()) {
                break;
            }
        }
        if (noBuffers > 0) {
            context.countError(Error.NO_BUFFERS.ordinal(), noBuffers);
        }
        return frame.count();
    }

    private static void trace(MemorySegment trace, long record, BufferPool pool, int bi, int stream, int rx) {
        int length = pool.length(bi);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_STREAM, stream);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_LENGTH, length);
        trace.set(ValueLayout.JAVA_INT, record + TRACE_SW_IF_INDEX, rx);
        MemorySegment.copy(pool.segment(), pool.dataOffset(bi), trace, record + TRACE_BYTES,
                Math.min(length, TRACE_CAPTURE));
    }

    private static void format(MemorySegment record, long offset, TraceContext context, StringBuilder out,
                               IntFunction<String> streamNames) {
        int length = record.get(ValueLayout.JAVA_INT, offset + TRACE_LENGTH);
        int rx = record.get(ValueLayout.JAVA_INT, offset + TRACE_SW_IF_INDEX);
        out.append("PG: stream ").append(streamNames.apply(record.get(ValueLayout.JAVA_INT, offset + TRACE_STREAM)))
                .append(", ").append(length).append(" bytes, ").append(context.interfaceName(rx)).append('\n');
        PacketFormat.appendEthernetHeader(record, offset + TRACE_BYTES, Math.min(length, TRACE_CAPTURE), out, 0);
    }
}
