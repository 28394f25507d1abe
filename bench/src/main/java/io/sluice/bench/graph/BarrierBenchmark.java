package io.sluice.bench.graph;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.testkit.TestGraph;
import io.sluice.packet.api.BufferPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the control plane costs a worker that forwards a steady stream (the hot-swap issue's goal: a change
 * pauses forwarding for less than 1 ms). {@code emptyBarrier}: the benchmark thread takes the barrier and lets
 * go, so its time is one round trip to a worker held at a frame boundary; {@code barrierPauseNanos} reports how
 * long the worker itself stood still in that trip. {@code traceShow}: formatting 200 traced packets, of which
 * only the copy runs under the barrier.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BarrierBenchmark {

    private TestGraph graph;

    @Setup(Level.Trial)
    public void startAStream() {
        graph = TestGraph.withRunningWorker(4096);
        graph.addNode(new StreamSource("bench-input", "bench-sink"));
        graph.addNode(new StreamSink("bench-sink"));
        graph.runtime().traceAdd("bench-input", 200);
        graph.start();
    }

    @TearDown(Level.Trial)
    public void stop() {
        graph.close();
    }

    @Benchmark
    public long emptyBarrier() {
        graph.runtime().withBarrier(() -> null);
        return graph.runtime().barrierStats().lastPauseNanos();
    }

    @Benchmark
    public int traceShow() {
        return graph.runtime().traceShow(50).length();
    }

    /** An endless stream of 32 64-byte packets a poll. */
    static final class StreamSource implements Node {
        private final NodeRegistration registration;

        StreamSource(String name, String next) {
            registration = NodeRegistration.input(name, List.of(next), List.of(),
                    (record, offset, context, out) -> out.append("stream"));
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            boolean tracing = context.traceArmed() > 0;
            for (int i = 0; i < 32; i++) {
                int bi = pool.alloc();
                if (bi < 0) {
                    break;
                }
                pool.setLength(bi, 64);
                if (tracing && context.traceInput(bi) >= 0) {
                    frame.setTraced(true);
                }
                frame.add(bi, 0);
            }
            return frame.count();
        }
    }

    /** Frees what it receives. */
    static final class StreamSink implements Node {
        private final NodeRegistration registration;

        StreamSink(String name) {
            registration = NodeRegistration.internal(name, List.of(), List.of(),
                    (record, offset, context, out) -> out.append("freed"));
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            int n = frame.count();
            context.pool().free(frame.buffers(), 0, n);
            frame.setCount(0);
            return n;
        }
    }
}
