package io.sluice.bench.seed;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * {@link SeedPathWorkersBenchmark}'s boxes timed by each worker thread's own CPU time (ThreadMXBean), as
 * {@link SeedPathCpuTime} does for one worker: on a machine whose two cores are shared with other work, the wall
 * clock of two threads measures the scheduler, while the CPU a thread spent on passes that did work is the path's
 * cost on that worker (cache traffic between the workers, the shared tables, the transmit lock and the handoff
 * copies included; a pass that found nothing, spinning while the other thread was descheduled, is left out). Each
 * box runs its workers on their own threads for {@code seconds} seconds of warm-up, then {@code seconds} measured;
 * printed: CPU ns per packet over the workers, and what that makes on as many cores as workers, against one worker.
 *
 * <p>On a loaded machine a descheduled worker also shrinks its peer's frames (the peer's source waits for its buffers
 * to come home, the passes between carry few packets), which two threads' CPU time counts as cost. {@code half-serial}
 * runs the handoff box's two workers one pass each in turn on one thread, as HandoffBenchmark does: full frames, no
 * cross-core traffic, the work of the path with its handoffs alone; two cores' worth of it is the figure an idle
 * two-core box approaches from above, the two threads' from below.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.sluice.bench.seed.SeedPathWorkersCpuTime 5
 * [one,own,steered,half,half-serial]</pre>
 */
public final class SeedPathWorkersCpuTime {

    private SeedPathWorkersCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        java.util.List<String> only = args.length > 1 ? java.util.List.of(args[1].split(",")) : java.util.List.of();
        double one = 0;
        for (String flows : new String[] {"one", "own", "steered", "half", "half-serial"}) {
            if (!flows.equals("one") && !only.isEmpty() && !only.contains(flows)) {
                continue;
            }
            SeedPathWorkersBenchmark.Box box = box(flows);
            boolean serial = flows.endsWith("-serial");
            long[][] warmUp = serial ? serial(box, seconds) : run(box, seconds);
            long[][] measured = serial ? serial(box, seconds) : run(box, seconds);
            box.close();
            StringBuilder perWorker = new StringBuilder();
            for (int w = 0; w < measured.length; w++) {
                perWorker.append(String.format(Locale.ROOT, " worker %d: %d packets, %.2f s CPU;", w, measured[w][0],
                        measured[w][1] / 1e9));
            }
            double nanosPerPacket = nanosPerPacket(measured);
            double mpps = measured.length * 1e3 / nanosPerPacket;
            if (flows.equals("one")) {
                one = mpps;
            }
            System.out.printf(Locale.ROOT, "%-4s %d worker(s): %.1f CPU ns/packet, %.2f Mpps on %d core(s) (%.2fx one"
                    + " worker);%s%n", flows, measured.length, nanosPerPacket, mpps, measured.length, mpps / one,
                    perWorker);
        }
    }

    /** The box {@code flows} names ("one", "own", "steered", "half"; "half-serial" is the half box), set up. */
    static SeedPathWorkersBenchmark.Box box(String flows) {
        if (flows.equals("one")) {
            SeedPathWorkersBenchmark.OneWorker single = new SeedPathWorkersBenchmark.OneWorker();
            single.setUp();
            return single;
        }
        SeedPathWorkersBenchmark.TwoWorkers pair = new SeedPathWorkersBenchmark.TwoWorkers();
        pair.flows = flows.startsWith("half") ? "half" : flows;
        pair.setUp();
        return pair;
    }

    /** CPU ns per packet over the workers of a {@link #run} or {@link #serial} result. */
    static double nanosPerPacket(long[][] measured) {
        long packets = 0;
        long cpu = 0;
        for (long[] worker : measured) {
            packets += worker[0];
            cpu += worker[1];
        }
        return (double) cpu / packets;
    }

    /** Every worker one pass in turn on this thread for {@code seconds}: per worker, packets made and CPU ns. */
    static long[][] serial(SeedPathWorkersBenchmark.Box box, double seconds) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[][] result = new long[box.workers][2];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            for (int w = 0; w < box.workers; w++) {
                long before = mx.getCurrentThreadCpuTime();
                long madeBefore = box.made(w);
                box.graph.runOnce(w);
                result[w][0] += box.made(w) - madeBefore;
                result[w][1] += mx.getCurrentThreadCpuTime() - before;
            }
        }
        return result;
    }

    /** Each worker on its own thread for {@code seconds} of wall time: per worker, packets made and CPU ns of work. */
    static long[][] run(SeedPathWorkersBenchmark.Box box, double seconds) throws InterruptedException {
        int workers = box.workers;
        long[][] result = new long[workers][2];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        Thread[] threads = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            int worker = w;
            threads[w] = new Thread(() -> {
                ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                long packets = 0;
                long cpu = 0;
                while (System.nanoTime() < end) {
                    long before = mx.getCurrentThreadCpuTime();
                    long madeBefore = box.made(worker);
                    int work = box.graph.runOnce(worker);
                    long made = box.made(worker) - madeBefore;
                    long spent = mx.getCurrentThreadCpuTime() - before;
                    if (work > 0) {
                        packets += made;
                        cpu += spent;
                    }
                }
                result[worker][0] = packets;
                result[worker][1] = cpu;
            }, "seed-worker-" + w);
            threads[w].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return result;
    }
}
