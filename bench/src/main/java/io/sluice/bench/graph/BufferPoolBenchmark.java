package io.sluice.bench.graph;

import io.sluice.packet.api.BufferPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** Buffer allocation and free, in bulk (a frame's worth) and one at a time; one operation is one buffer. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BufferPoolBenchmark {
    private static final int BATCH = 256;

    private BufferPool pool;
    private final int[] buffers = new int[BATCH];

    @Setup(Level.Trial)
    public void setUp() {
        pool = new BufferPool(4096);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int allocFreeBulk() {
        int n = pool.alloc(buffers, 0, BATCH);
        pool.free(buffers, 0, n);
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int allocFreeSingle() {
        for (int i = 0; i < BATCH; i++) {
            buffers[i] = pool.alloc();
        }
        for (int i = 0; i < BATCH; i++) {
            pool.free(buffers[i]);
        }
        return buffers[BATCH - 1];
    }
}
