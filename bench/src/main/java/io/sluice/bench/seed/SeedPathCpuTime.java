package io.sluice.bench.seed;

import io.sluice.bench.CpuTime;
import io.sluice.graph.api.GraphRuntime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * {@link SeedPathBenchmark}'s operations timed by the thread's own CPU time (ThreadMXBean) instead of the wall
 * clock: on a machine whose cores are shared with other work, a descheduled benchmark thread adds nothing to it,
 * so the figure is the path's cost, not the machine's load (cache and memory-bus contention still count). Each
 * operation (or only the one named by the third argument; {@code all} for every one) runs {@code seconds} seconds to
 * warm up, then
 * {@code rounds} rounds of {@code seconds} seconds; the
 * median and the lowest round are printed with the bytes the thread allocated per packet, and each node's share
 * as runtime:show counts it (wall clock, per packet). A fourth argument {@code on} turns NAT event logging on, as
 * the benchmark's {@code logging=on} does.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.sluice.bench.seed.SeedPathCpuTime 2 5
 * [operation|all [off|on]]</pre>
 */
public final class SeedPathCpuTime {

    private SeedPathCpuTime() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean allocation = (com.sun.management.ThreadMXBean) threads;
        String[] names = {"request", "reply", "requestAndReply", "newConnections"};
        int[] packetsPerOp = {SeedPathBenchmark.FRAME, SeedPathBenchmark.FRAME, 2 * SeedPathBenchmark.FRAME,
                SeedPathBenchmark.FRAME};
        String only = args.length > 2 && !args[2].equals("all") ? args[2] : null;
        String logging = args.length > 3 ? args[3] : "off";
        for (int b = 0; b < names.length; b++) {
            if (only != null && !names[b].equals(only)) {
                continue;
            }
            SeedPathBenchmark state = new SeedPathBenchmark();
            state.logging = logging;
            state.setUp();
            IntSupplier op = switch (names[b]) {
                case "request" -> state::request;
                case "reply" -> state::reply;
                case "requestAndReply" -> state::requestAndReply;
                default -> state::newConnections;
            };
            CpuTime.runFor(op, threads, (long) (seconds * 1e9), 64);
            state.box.runtime.clearRuntimeStats();
            double[] nanos = new double[rounds];
            double bytes = 0;
            for (int r = 0; r < rounds; r++) {
                long allocatedBefore = allocation.getCurrentThreadAllocatedBytes();
                long cpuBefore = threads.getCurrentThreadCpuTime();
                long ops = CpuTime.runFor(op, threads, (long) (seconds * 1e9), 64);
                long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
                long allocated = allocation.getCurrentThreadAllocatedBytes() - allocatedBefore;
                nanos[r] = (double) cpu / (ops * packetsPerOp[b]);
                bytes += (double) allocated / (ops * packetsPerOp[b]);
            }
            StringBuilder perNode = new StringBuilder();
            for (GraphRuntime.NodeStats node : state.box.runtime.runtimeStats()) {
                if (node.vectors() > 0) {
                    perNode.append(String.format(Locale.ROOT, " %s %.1f", node.name(), node.nanosPerVector()));
                }
            }
            state.tearDown();
            System.out.println("  wall-clock ns/packet in each node (runtime:show):" + perNode);
            Arrays.sort(nanos);
            String unit = names[b].equals("newConnections") ? "connection" : "packet";
            System.out.printf(Locale.ROOT, "%-16s logging %s CPU ns/%s: median %.1f, lowest %.1f (%d rounds of %.0f s);"
                            + " %.0f k%ss/s per core at the median; %.4f B/%s allocated%n", names[b], logging, unit,
                    nanos[rounds / 2], nanos[0], rounds, seconds, 1e6 / nanos[rounds / 2], unit, bytes / rounds, unit);
        }
    }
}
