package io.sluice.graph.testkit;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.HandoffTrace;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.packet.api.BufferPool;

import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A generic flow-handoff graph for tests and benchmarks: {@code flow-input-<w>} (one per worker, placed on it)
 * makes buffers that each carry a flow id (opaque word 0) and the worker that owns the flow (opaque word 1);
 * {@code worker-handoff} sends each buffer on to {@code flow-owner} on its owner worker, through the frame
 * queue when the owner is another worker; {@code flow-owner} checks that it runs on the owner, records the id and
 * frees the buffer. This is the shape of VPP's handoff nodes (nat44-in2out-worker-handoff): the flow's owner is
 * computed from the packet, the buffer goes to that worker's copy of the next node.
 */
public final class HandoffNodes {

    public static final int OPAQUE_FLOW = 0;
    public static final int OPAQUE_OWNER = 1;

    private HandoffNodes() {
    }

    /** The owner of flow {@code id} among {@code workers}: a mixing hash, so owners interleave at random. */
    public static int ownerOf(long id, int workers) {
        long h = id * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 29;
        h *= 0xBF58_476D_1CE4_E5B9L;
        h ^= h >>> 32;
        return (int) Math.floorMod(h, (long) workers);
    }

    public static String inputName(int worker) {
        return "flow-input-" + worker;
    }

    /**
     * Makes flows {@code first, first+1, ...} up to {@code count} of them, at most {@code perPoll} a poll, and
     * only while fewer than {@code maxOutstanding} of its worker's buffers are out: so the frame queues (which
     * hold at most what is out) are never full in the stress test, and a refusal would be a fault.
     */
    public static final class FlowSource implements Node {
        private final NodeRegistration registration;
        private final long first;
        private final long count;
        private final int perPoll;
        private final int maxOutstanding;
        private long made;
        private final int length;
        private int fixedOwner = -1;

        /** For benchmarks: every flow this source makes is owned by {@code worker} (-1: by {@link #ownerOf}). */
        public FlowSource ownedBy(int worker) {
            fixedOwner = worker;
            return this;
        }

        public FlowSource(String name, long first, long count, int perPoll, int maxOutstanding, int length) {
            this.registration = NodeRegistration.input(name, List.of("worker-handoff"), List.of(),
                    (record, offset, context, out) -> out.append("flow ").append(
                            record.get(java.lang.foreign.ValueLayout.JAVA_LONG, offset)));
            this.first = first;
            this.count = count;
            this.perPoll = perPoll;
            this.maxOutstanding = maxOutstanding;
            this.length = length;
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        /** Flows made so far (read by the worker's thread, or after it stopped). */
        public long made() {
            return made;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int room = maxOutstanding - pool.outstanding();
            int want = (int) Math.min(Math.min(perPoll, count - made), room);
            int workers = context.workerCount();
            boolean tracing = context.traceArmed() > 0;
            for (int i = 0; i < want; i++) {
                int bi = pool.alloc();
                if (bi < 0) {
                    break;
                }
                long id = first + made;
                pool.setLength(bi, length);
                pool.setOpaque(bi, OPAQUE_FLOW, (int) id);
                pool.setOpaque(bi, OPAQUE_OWNER, fixedOwner >= 0 ? fixedOwner : ownerOf(id, workers));
                if (tracing) {
                    long record = context.traceInput(bi);
                    if (record >= 0) {
                        context.traceSegment().set(java.lang.foreign.ValueLayout.JAVA_LONG, record, id);
                        frame.setTraced(true);
                    }
                }
                frame.add(bi, 0);
                made++;
            }
            return frame.count();
        }
    }

    /**
     * {@code worker-handoff}: each buffer to {@code flow-owner} on the worker that owns its flow (opaque word
     * {@link #OPAQUE_OWNER}); or, named otherwise, to another next node (the seed benchmark hands to ethernet-input).
     */
    public static final class WorkerHandoffNode implements Node {

        public enum Error implements NodeError {
            CONGESTION_DROP("congestion drop: the owner worker's frame queue is full"),
            SAME_WORKER("buffers whose flow this worker owns (no handoff)");

            private final String description;

            Error(String description) {
                this.description = description;
            }

            @Override
            public String description() {
                return description;
            }
        }

        /** Next arcs: the owner's next node, then error-drop. */
        private static final int NEXT_OWNER = 0;
        private static final int NEXT_DROP = 1;
        private final NodeRegistration registration;

        public WorkerHandoffNode() {
            this("worker-handoff", "flow-owner");
        }

        public WorkerHandoffNode(String name, String ownerNext) {
            registration = NodeRegistration.internal(name, List.of(ownerNext, GraphRuntime.ERROR_DROP),
                    List.of(Error.values()), (record, offset, context, out) -> {
                        out.append(name).append(": ");
                        HandoffTrace.format(record, offset, out);
                    });
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int n = frame.count();
            int[] buffers = frame.buffers();
            int[] nexts = frame.nexts();
            int self = context.workerIndex();
            boolean traced = frame.traced();
            int kept = 0;
            long congested = 0;
            long local = 0;
            for (int i = 0; i < n; i++) {
                int bi = buffers[i];
                int owner = pool.opaque(bi, OPAQUE_OWNER);
                if (traced) {
                    int traceIndex = pool.traceHandle(bi);
                    long record = context.trace(bi);
                    if (record >= 0) {
                        HandoffTrace.write(context.traceSegment(), record, owner, traceIndex);
                    }
                }
                if (owner == self) {
                    local++;
                    buffers[kept] = bi;
                    nexts[kept++] = NEXT_OWNER;
                } else if (!context.handoff(bi, owner, NEXT_OWNER)) {
                    congested++;
                    buffers[kept] = bi;
                    nexts[kept++] = NEXT_DROP;
                }
            }
            frame.setCount(kept);
            context.countError(Error.CONGESTION_DROP.ordinal(), congested);
            context.countError(Error.SAME_WORKER.ordinal(), local);
            return n;
        }
    }

    /**
     * {@code flow-owner}: counts, per worker, the buffers it got and those it got on a worker that does not own
     * their flow, marks each flow id seen (a second sighting is a duplicate) and frees the buffers.
     */
    public static final class FlowOwner implements Node {
        private static final NodeRegistration REGISTRATION = NodeRegistration.internal("flow-owner", List.of(),
                List.of(), (record, offset, context, out) -> out.append("flow-owner"));
        private final byte[][] seen;
        private final AtomicLongArray processed;
        private final AtomicLongArray wrongOwner;
        private final AtomicLongArray duplicates;

        /** For flows 0..flows-1 on {@code workers} workers; {@code flows} 0 records none (benchmarks). */
        public FlowOwner(int workers, int flows) {
            this.seen = new byte[workers][flows];
            this.processed = new AtomicLongArray(workers);
            this.wrongOwner = new AtomicLongArray(workers);
            this.duplicates = new AtomicLongArray(workers);
        }

        @Override
        public NodeRegistration registration() {
            return REGISTRATION;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int n = frame.count();
            int[] buffers = frame.buffers();
            int self = context.workerIndex();
            byte[] mine = seen[self];
            long wrong = 0;
            long twice = 0;
            boolean traced = frame.traced();
            for (int i = 0; i < n; i++) {
                int bi = buffers[i];
                if (traced) {
                    context.trace(bi);
                }
                if (pool.opaque(bi, OPAQUE_OWNER) != self) {
                    wrong++;
                }
                int id = pool.opaque(bi, OPAQUE_FLOW);
                if (id >= 0 && id < mine.length) {
                    if (mine[id] != 0) {
                        twice++;
                    }
                    mine[id] = 1;
                }
            }
            pool.free(buffers, 0, n);
            frame.setCount(0);
            // one writer per element; the release store publishes the seen marks before the count
            wrongOwner.lazySet(self, wrongOwner.get(self) + wrong);
            duplicates.lazySet(self, duplicates.get(self) + twice);
            processed.lazySet(self, processed.get(self) + n);
            return n;
        }

        public long processed() {
            long total = 0;
            for (int w = 0; w < processed.length(); w++) {
                total += processed.get(w);
            }
            return total;
        }

        public long processed(int worker) {
            return processed.get(worker);
        }

        public long wrongOwner() {
            long total = 0;
            for (int w = 0; w < wrongOwner.length(); w++) {
                total += wrongOwner.get(w);
            }
            return total;
        }

        public long duplicates() {
            long total = 0;
            for (int w = 0; w < duplicates.length(); w++) {
                total += duplicates.get(w);
            }
            return total;
        }

        /** Flow ids below {@code flows} that no worker saw, or that a worker other than their owner saw. */
        public long missingOrMisplaced(int flows) {
            long bad = 0;
            int workers = seen.length;
            for (int id = 0; id < flows; id++) {
                int owner = ownerOf(id, workers);
                for (int w = 0; w < workers; w++) {
                    boolean sawIt = seen[w][id] != 0;
                    if (sawIt != (w == owner)) {
                        bad++;
                    }
                }
            }
            return bad;
        }
    }
}
