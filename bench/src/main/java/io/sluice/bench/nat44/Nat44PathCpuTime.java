package io.sluice.bench.nat44;

import io.sluice.bench.CpuTime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * {@link Nat44PathBenchmark}'s operations timed by the thread's own CPU time (ThreadMXBean) instead of the wall
 * clock, as {@link io.sluice.bench.seed.SeedPathCpuTime} does for the seed's path: a descheduled thread adds
 * nothing to it, so on a shared machine the figure is the path's cost, not the load (cache and memory-bus
 * contention still count). Each operation ({@code slowPath}, {@code fastPath}, or {@code all}) warms up for
 * {@code seconds}, then runs {@code rounds} rounds of {@code seconds}; the median and the lowest round are printed,
 * per packet, with the bytes the thread allocated. A fourth argument {@code on} turns NAT event logging on.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Xmx1g -cp bench/target/benchmarks.jar \
 *     io.sluice.bench.nat44.Nat44PathCpuTime 2 5 [slowPath|fastPath|all [off|on]]</pre>
 */
public final class Nat44PathCpuTime {

    private Nat44PathCpuTime() {
    }

    public static void main(String[] args) throws InterruptedException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String only = args.length > 2 && !args[2].equals("all") ? args[2] : null;
        String logging = args.length > 3 ? args[3] : "off";
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean allocation = (com.sun.management.ThreadMXBean) threads;
        for (String name : new String[] {"slowPath", "fastPath"}) {
            if (only != null && !name.equals(only)) {
                continue;
            }
            Nat44PathBenchmark state = new Nat44PathBenchmark();
            state.logging = logging;
            state.setUp();
            IntSupplier op = name.equals("slowPath") ? state::slowPath : state::fastPath;
            CpuTime.runFor(op, threads, (long) (seconds * 1e9), 16);
            double[] nanos = new double[rounds];
            double bytes = 0;
            for (int r = 0; r < rounds; r++) {
                long allocatedBefore = allocation.getCurrentThreadAllocatedBytes();
                long cpuBefore = threads.getCurrentThreadCpuTime();
                long ops = CpuTime.runFor(op, threads, (long) (seconds * 1e9), 16);
                long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
                long allocated = allocation.getCurrentThreadAllocatedBytes() - allocatedBefore;
                nanos[r] = (double) cpu / (ops * Nat44PathBenchmark.FRAME);
                bytes += (double) allocated / (ops * Nat44PathBenchmark.FRAME);
            }
            state.tearDown();
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "%-8s logging %s CPU ns/packet: median %.1f, lowest %.1f (%d rounds of %.0f s);"
                            + " %.0f k/s per core at the median; %.4f B/packet allocated%n", name, logging,
                    nanos[rounds / 2], nanos[0], rounds, seconds, 1e6 / nanos[rounds / 2], bytes / rounds);
        }
    }
}
