package io.sluice.bench.graph;

import io.sluice.graph.api.Frame;
import io.sluice.graph.testkit.HandoffNodes;
import io.sluice.graph.testkit.TestGraph;
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

import java.util.concurrent.TimeUnit;

/**
 * What a worker handoff costs per packet (VPP's vlib_buffer_enqueue_to_thread), through the graph testkit: a
 * two-worker graph whose workers are run one pass at a time on the benchmark thread, so the figure is the work
 * (queue entry, the extra frame, the index going home at the free and its free there) without the
 * cross-core cache traffic a live pair adds. Each invocation is one frame of 256 packets from {@code flow-input-0}
 * through {@code worker-handoff} to {@code flow-owner}: {@code local} keeps them all on worker 0 (no handoff, the
 * baseline), {@code handedOff} sends them all to worker 1. The difference of the two is the handoff's cost.
 *
 * <pre>
 *  mvn -o -q install -pl bench -am -DskipTests
 *  java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar HandoffBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HandoffBenchmark {

    @Param({"64", "1500"})
    public int length;

    private TestGraph local;
    private TestGraph handedOff;

    @Setup(Level.Trial)
    public void build() {
        local = graph(0);
        handedOff = graph(1);
    }

    private TestGraph graph(int owner) {
        TestGraph graph = TestGraph.withWorkers(2, 4096, 1024);
        graph.addNode(new HandoffNodes.FlowSource(HandoffNodes.inputName(0), 0, Long.MAX_VALUE, Frame.CAPACITY, 1024,
                length).ownedBy(owner));
        graph.addNode(new HandoffNodes.WorkerHandoffNode());
        graph.addNode(new HandoffNodes.FlowOwner(2, 0));
        return graph;
    }

    @TearDown(Level.Trial)
    public void close() {
        local.close();
        handedOff.close();
    }

    /** 256 packets made and freed on worker 0: the baseline. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public int local() {
        return local.runOnce(0);
    }

    /** 256 packets made on worker 0, handed to worker 1, processed and freed there, their indices freed on 0. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public int handedOff() {
        return handedOff.runOnce(0) + handedOff.runOnce(1);
    }
}
