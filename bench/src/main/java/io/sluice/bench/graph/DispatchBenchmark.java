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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The runtime's cost per packet: a source allocates a full frame of 256 buffers, they pass through a chain of
 * {@code nodes} pass-through nodes, a sink frees them. One operation is one packet; the cost per node per
 * packet is the slope between chain lengths.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DispatchBenchmark {

    @Param({"1", "4", "16"})
    public int nodes;

    private TestGraph engine;

    @Setup(Level.Trial)
    public void setUp() {
        engine = TestGraph.withBuffersPerWorker(4096);
        engine.addNode(new FullFrameSource("bench-input", "pass-0"));
        for (int i = 0; i < nodes; i++) {
            engine.addNode(new PassThrough("pass-" + i, i + 1 < nodes ? "pass-" + (i + 1) : "bench-sink"));
        }
        engine.addNode(new Sink("bench-sink"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public int frameThroughChain() {
        return engine.runOnce(0);
    }

    static final class FullFrameSource implements Node {
        private final NodeRegistration registration;

        FullFrameSource(String name, String next) {
            registration = NodeRegistration.input(name, List.of(next), List.of(), null);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int n = pool.alloc(frame.buffers(), 0, Frame.CAPACITY);
            Arrays.fill(frame.nexts(), 0, n, 0);
            frame.setCount(n);
            return n;
        }
    }

    static final class PassThrough implements Node {
        private final NodeRegistration registration;

        PassThrough(String name, String next) {
            registration = NodeRegistration.internal(name, List.of(next), List.of(), null);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            int n = frame.count();
            int[] nexts = frame.nexts();
            for (int i = 0; i < n; i++) {
                nexts[i] = 0;
            }
            return n;
        }
    }

    static final class Sink implements Node {
        private final NodeRegistration registration;

        Sink(String name) {
            registration = NodeRegistration.internal(name, List.of(), List.of(), null);
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
