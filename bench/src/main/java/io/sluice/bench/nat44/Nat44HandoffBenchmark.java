package io.sluice.bench.nat44;

import io.sluice.graph.api.Frame;
import io.sluice.nat44.testkit.Nat44WorkersTestkit;
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

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The NAT44 path with 1 and 2 workers and the NAT44-ED worker handoffs, in memory (Nat44WorkersTestkit): 4096
 * established UDP flows of 1024 inside hosts, each worker's pass one frame of 256 packets (half requests through
 * nat44-in2out-output, half replies through nat44-out2in), all of them through the handoff nodes with 2 workers, half
 * of them handed to the other worker (the flow's owner). Both workers are run one pass at a time on the benchmark's
 * thread, as HandoffBenchmark does: the figure is the work per packet, the handoffs' queue entries, extra
 * frames and returned indices included, without the cross-core cache traffic two live workers add. The scaling
 * of two cores is then at most {@code 2 * t(1) / t(2)}: what the handoff costs is what two workers lose against 2x.
 *
 * <pre>
 *  mvn -o -q install -pl bench -am -DskipTests
 *  java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar Nat44HandoffBenchmark
 *  java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.sluice.bench.nat44.Nat44HandoffBenchmark 2 5
 * </pre>
 * The second form times the passes by the thread's CPU time (a shared machine's load does not count) for 1 and 2
 * workers, {@code seconds} per round, and prints the median ns/packet of each and the scaling bound.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class Nat44HandoffBenchmark {
    static final int HOSTS = 1024;
    static final int FLOWS = 4096;
    static final int PACKETS_PER_PASS = 2 * Frame.CAPACITY;

    @Param({"1", "2"})
    public int workers;

    private Nat44WorkersTestkit path;

    @Setup(Level.Trial)
    public void setUp() {
        path = Nat44WorkersTestkit.steadyState(workers, HOSTS, FLOWS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        var errors = path.errors();
        path.close();
        errors.keySet().removeIf(k -> k.endsWith("/same-worker") || k.endsWith("/do-handoff")
                || k.endsWith("/out2in-packets") || k.endsWith("/in2out-packets"));
        if (!errors.isEmpty()) {
            throw new IllegalStateException("packets the benchmark meant to pass were dropped: " + errors);
        }
    }

    /**
     * 512 packets: with 1 worker two passes of worker 0; with 2 workers a pass of each (and what each handed the
     * other, received at its next pass).
     */
    @Benchmark
    @OperationsPerInvocation(PACKETS_PER_PASS)
    public int pass() {
        return workers == 1 ? path.runOnce(0) + path.runOnce(0) : path.runOnce(0) + path.runOnce(1);
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] median = new double[3];
        for (int w = 1; w <= 2; w++) {
            Nat44HandoffBenchmark state = new Nat44HandoffBenchmark();
            state.workers = w;
            state.setUp();
            run(state, threads, (long) (seconds * 1e9));
            double[] nanos = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long before = threads.getCurrentThreadCpuTime();
                long passes = run(state, threads, (long) (seconds * 1e9));
                nanos[r] = (double) (threads.getCurrentThreadCpuTime() - before) / (passes * PACKETS_PER_PASS);
            }
            state.tearDown();
            Arrays.sort(nanos);
            median[w] = nanos[rounds / 2];
            System.out.printf(Locale.ROOT, "workers %d: CPU ns/packet median %.1f, lowest %.1f (%d rounds of %.0f s)%n",
                    w, nanos[rounds / 2], nanos[0], rounds, seconds);
        }
        System.out.printf(Locale.ROOT, "two workers' scaling at most %.2fx (2 * t1 / t2, no cross-core traffic)%n",
                2 * median[1] / median[2]);
    }

    private static long run(Nat44HandoffBenchmark state, ThreadMXBean threads, long cpuNanos) {
        long start = threads.getCurrentThreadCpuTime();
        long passes = 0;
        do {
            for (int i = 0; i < 64; i++) {
                state.pass();
            }
            passes += 64;
        } while (threads.getCurrentThreadCpuTime() - start < cpuNanos);
        return passes;
    }
}
