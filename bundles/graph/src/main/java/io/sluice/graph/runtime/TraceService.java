package io.sluice.graph.runtime;

import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeKind;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.graph.api.TraceFilter;
import io.sluice.graph.api.TraceNodeFilter;
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
    private volatile TraceNodeFilter nodeFilter;
    /** With a keep-last trace armed, how many of the newest packets to show; 0 otherwise. */
    private volatile int keepLast;

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

    void nodeFilter(TraceNodeFilter filter) {
        if (filter != null && registry.slot(filter.node()) < 0) {
            throw new IllegalArgumentException("trace filter: no node named '" + filter.node() + "'");
        }
        this.nodeFilter = filter;
    }

    TraceNodeFilter nodeFilter() {
        return nodeFilter;
    }

    void add(String inputNode, int count, TraceFilter filter, boolean last) {
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
        if (last) {
            keepLast = count;
        }
        workers.withBarrier(() -> {
            for (int w = 0; w < workers.count(); w++) {
                Worker worker = workers.worker(w);
                if (last) {
                    worker.traceRing.setKeepLast(true);
                }
                if (workers.pollsInput(worker.index, slot, inputNode, registry.node(slot))) {
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
    private record Captured(int worker, int records, long refused, long overwritten, MemorySegment copy) {
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
                        ring.copyInOrder(copy);
                    }
                    captured.add(new Captured(w, ring.used(), ring.refused(), ring.overwritten(), copy));
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
        List<Map.Entry<Integer, List<Integer>>> packets = selected(records, recordsByPacket, current, worker.overwritten() > 0);
        int limit = maxPackets;
        TraceNodeFilter filter = nodeFilter;
        if (filter != null) {
            limit = Math.min(limit, filter.count());
        }
        int last = keepLast;
        if (last > 0) {
            limit = Math.min(limit, last);
        }
        // A keep-last trace shows the newest packets; a first-N trace the oldest, as VPP's.
        int from = last > 0 ? Math.max(0, packets.size() - limit) : 0;
        int to = Math.min(packets.size(), from + limit);
        if (packets.isEmpty()) {
            out.append("No packets in trace buffer").append(filter != null ? " match " + filter.describe() : "")
                    .append('\n');
        }
        for (Map.Entry<Integer, List<Integer>> packet : packets.subList(from, to)) {
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
        if (worker.overwritten() > 0) {
            out.append("(trace buffer wrapped: ").append(worker.overwritten()).append(" older records overwritten)\n");
        }
    }

    /**
     * The packets to show, oldest first: in a wrapped ring only those whose first record (at their input node)
     * is still there, then only those the node filter admits.
     */
    private List<Map.Entry<Integer, List<Integer>>> selected(MemorySegment records,
            Map<Integer, List<Integer>> recordsByPacket, GraphSnapshot current, boolean wrapped) {
        TraceNodeFilter filter = nodeFilter;
        int filterSlot = filter == null ? -1 : registry.slot(filter.node());
        List<Map.Entry<Integer, List<Integer>>> result = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> packet : recordsByPacket.entrySet()) {
            List<Integer> path = packet.getValue();
            if (wrapped) {
                int first = TraceRing.recordSlot(records, path.get(0));
                SlotPlan plan = first < current.plans.length ? current.plans[first] : null;
                // a packet starts at an input node, or on the worker it was handed to at handoff_trace
                if (plan == null || plan.registration == null || plan.registration.kind() != NodeKind.INPUT
                        && !HandoffTraceNode.NAME.equals(plan.name)) {
                    continue;
                }
            }
            if (filter != null) {
                boolean visited = false;
                for (int r : path) {
                    visited |= TraceRing.recordSlot(records, r) == filterSlot;
                }
                if (!filter.admits(visited)) {
                    continue;
                }
            }
            result.add(packet);
        }
        return result;
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
                keepLast = 0;
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
