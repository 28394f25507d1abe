package io.sluice.graph.runtime;

import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeKind;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.graph.api.TraceFilter;
import io.sluice.graph.api.TraceRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code trace add/show/clear}: arming input nodes (with a filter), and the captured records in VPP's layout. The
 * barrier is held only to arm, to clear, or to copy the records out of the workers' rings; the formatting, the
 * slow part, runs on the copy with the workers forwarding.
 */
final class TraceService {

    private final NodeRegistry registry;
    private final WorkerPool workers;
    private volatile TraceContext traceContext = sw -> "sw_if_index " + sw;

    TraceService(NodeRegistry registry, WorkerPool workers) {
        this.registry = registry;
        this.workers = workers;
    }

    void setTraceContext(TraceContext context) {
        this.traceContext = context;
    }

    TraceContext traceContext() {
        return traceContext;
    }

    void add(String inputNode, int count, TraceFilter filter) {
        if (count <= 0) {
            throw new IllegalArgumentException("trace add: count must be positive, got " + count);
        }
        int slot = registry.slot(inputNode);
        NodeRegistration registration = registry.registration(inputNode);
        if (slot < 0 || registration == null) {
            throw new IllegalArgumentException("trace add: no node named '" + inputNode + "'");
        }
        if (registration.kind() != NodeKind.INPUT) {
            throw new IllegalArgumentException("trace add: '" + inputNode + "' is not an input node");
        }
        workers.withBarrier(() -> {
            for (int w = 0; w < workers.count(); w++) {
                Worker worker = workers.worker(w);
                if (workers.pollsInput(worker.index, slot)) {
                    NodeContext context = worker.context(slot);
                    if (context != null) {
                        context.bindTraceRemaining(context.traceRemaining() + count);
                        context.bindTraceFilter(filter);
                    }
                }
            }
            return null;
        });
    }

    /** One worker's records, copied out of its ring under the barrier. */
    private record Captured(int worker, int records, long refused, MemorySegment copy) {
    }

    String show(int maxPackets) {
        try (Arena arena = Arena.ofConfined()) {
            List<Captured> captured = new ArrayList<>();
            GraphSnapshot current = workers.withBarrier(() -> {
                for (int w = 0; w < workers.count(); w++) {
                    TraceRing ring = workers.worker(w).traceRing;
                    long bytes = (long) ring.used() * TraceRing.RECORD_SIZE;
                    MemorySegment copy = bytes == 0 ? MemorySegment.NULL : arena.allocate(bytes, 64);
                    if (bytes > 0) {
                        MemorySegment.copy(ring.segment(), 0, copy, 0, bytes);
                    }
                    captured.add(new Captured(w, ring.used(), ring.refused(), copy));
                }
                return workers.snapshot();
            });
            StringBuilder out = new StringBuilder();
            for (Captured worker : captured) {
                format(worker, current, maxPackets, out);
            }
            return out.toString();
        }
    }

    private void format(Captured worker, GraphSnapshot current, int maxPackets, StringBuilder out) {
        out.append("------------------- Start of thread ").append(worker.worker()).append(' ')
                .append(WorkerPool.threadName(worker.worker())).append(" -------------------\n");
        if (worker.records() == 0) {
            out.append("No packets in trace buffer\n");
            return;
        }
        MemorySegment records = worker.copy();
        TraceContext names = traceContext;
        Map<Integer, List<Integer>> recordsByPacket = new TreeMap<>();
        for (int r = 0; r < worker.records(); r++) {
            recordsByPacket.computeIfAbsent(TraceRing.recordPacket(records, r), p -> new ArrayList<>()).add(r);
        }
        int shown = 0;
        for (Map.Entry<Integer, List<Integer>> packet : recordsByPacket.entrySet()) {
            if (shown == maxPackets) {
                break;
            }
            shown++;
            out.append("Packet ").append(packet.getKey() + 1).append("\n\n");
            for (int r : packet.getValue()) {
                int slot = TraceRing.recordSlot(records, r);
                String nodeName = slot < current.plans.length ? current.plans[slot].name : "node " + slot;
                out.append(formatTime(TraceRing.recordTimeNanos(records, r))).append(": ").append(nodeName).append('\n');
                NodeRegistration registration = registry.registration(nodeName);
                StringBuilder lines = new StringBuilder();
                if (registration != null && registration.traceFormatter() != null) {
                    registration.traceFormatter().format(records, TraceRing.payloadOffset(r), names, lines);
                }
                for (String line : lines.toString().split("\n", -1)) {
                    if (!line.isEmpty()) {
                        out.append("  ").append(line).append('\n');
                    }
                }
            }
            out.append('\n');
        }
        if (worker.refused() > 0) {
            out.append("(trace buffer full: ").append(worker.refused()).append(" records not kept)\n");
        }
    }

    /** VPP's trace time stamp: HH:MM:SS:uuuuuu (wall clock, UTC). */
    static String formatTime(long epochNanos) {
        LocalTime time = LocalTime.ofInstant(Instant.ofEpochSecond(0, epochNanos), ZoneOffset.UTC);
        return String.format("%02d:%02d:%02d:%06d", time.getHour(), time.getMinute(), time.getSecond(),
                time.getNano() / 1000);
    }

    void clear() {
        workers.withBarrier(() -> {
            GraphSnapshot current = workers.snapshot();
            for (int w = 0; w < workers.count(); w++) {
                Worker worker = workers.worker(w);
                worker.traceRing.clear();
                for (SlotPlan plan : current.plans) {
                    NodeContext context = worker.context(plan.slot);
                    if (context != null) {
                        context.bindTraceRemaining(0);
                    }
                }
            }
            return null;
        });
    }
}
