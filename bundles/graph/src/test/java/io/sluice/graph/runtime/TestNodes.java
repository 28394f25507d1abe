package io.sluice.graph.runtime;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.packet.api.BufferPool;

import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Small nodes for engine tests. */
final class TestNodes {
    private TestNodes() {
    }

    enum PassError implements NodeError {
        SEEN("buffers that passed");

        private final String description;

        PassError(String description) {
            this.description = description;
        }

        @Override
        public String description() {
            return description;
        }
    }

    /** Sends every buffer on arc 0, counts them, traces the buffer length. */
    static final class Pass implements Node {
        private final NodeRegistration registration;

        Pass(String name, String next) {
            this.registration = NodeRegistration.internal(name, List.of(next), List.of(PassError.values()),
                    (record, offset, context, out) -> out.append("length ")
                            .append(record.get(ValueLayout.JAVA_INT, offset)).append("\nsecond line"));
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            int n = frame.count();
            java.util.Arrays.fill(frame.nexts(), 0, n, 0);
            if (frame.traced()) {
                BufferPool pool = context.pool();
                for (int i = 0; i < n; i++) {
                    long record = context.trace(frame.buffers()[i]);
                    if (record >= 0) {
                        context.traceSegment().set(ValueLayout.JAVA_INT, record, pool.length(frame.buffers()[i]));
                    }
                }
            }
            context.countError(PassError.SEEN.ordinal(), n);
            return n;
        }
    }

    /** Starts feature arc {@code arc}: every buffer goes to the first feature enabled on its rx interface. */
    static final class ArcStart implements Node {
        private final NodeRegistration registration;

        ArcStart(String name, FeatureArc arc) {
            this.registration = NodeRegistration.internal(name, List.of(), List.of(), null).startingArcs(arc);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            for (int i = 0; i < frame.count(); i++) {
                frame.nexts()[i] = context.featureStart(0, pool.rxSwIfIndex(frame.buffers()[i]));
            }
            return frame.count();
        }
    }

    /** A feature: passes each buffer to the next feature of its rx interface, or to {@code divert} when told. */
    static final class Feature implements Node {
        private final NodeRegistration registration;
        private final boolean divertAll;

        Feature(String name, FeatureRegistration feature, String divert, boolean divertAll) {
            this.registration = NodeRegistration.internal(name, divert == null ? List.of() : List.of(divert),
                    List.of(), null).withFeature(feature);
            this.divertAll = divertAll;
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            for (int i = 0; i < frame.count(); i++) {
                frame.nexts()[i] = divertAll ? 0 : context.featureNext(pool.rxSwIfIndex(frame.buffers()[i]));
            }
            return frame.count();
        }
    }

    /** An input node that makes up to {@code perPoll} buffers per call while {@link #remaining} lasts. */
    static class Source implements Node {
        private final NodeRegistration registration;
        private final int perPoll;
        final AtomicLong remaining = new AtomicLong();
        final AtomicLong made = new AtomicLong();
        volatile int allocFailures;

        Source(String name, String next, int perPoll) {
            this.registration = NodeRegistration.input(name, List.of(next), List.of(),
                    (record, offset, context, out) -> out.append("source"));
            this.perPoll = perPoll;
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int want = (int) Math.min(perPoll, remaining.get());
            boolean tracing = context.traceArmed() > 0;
            for (int i = 0; i < want; i++) {
                int bi = pool.alloc();
                if (bi < 0) {
                    allocFailures++;
                    break;
                }
                pool.setLength(bi, 64);
                fill(pool, bi);
                if (tracing && context.traceInput(bi) >= 0) {
                    frame.setTraced(true);
                }
                frame.add(bi, 0);
            }
            remaining.addAndGet(-frame.count());
            made.addAndGet(frame.count());
            return frame.count();
        }

        /** The packet's bytes: left as the pool gives them unless a test says otherwise. */
        void fill(BufferPool pool, int bi) {
        }
    }

    /** Frees what it gets and counts it. */
    static final class Sink implements Node {
        private final NodeRegistration registration;
        final AtomicLong received = new AtomicLong();

        Sink(String name) {
            this.registration = NodeRegistration.internal(name, List.of(), List.of(), null);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            int n = frame.count();
            context.pool().free(frame.buffers(), 0, n);
            received.addAndGet(n);
            frame.setCount(0);
            return n;
        }
    }
}
