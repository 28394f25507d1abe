package io.sluice.bench.seed;

import java.util.Arrays;
import java.util.Locale;

/**
 * {@link SeedPathWorkersCpuTime}'s boxes in one JVM, measured in alternating rounds: each round times every box for
 * {@code seconds} (one worker; two on their own flows; two through the handoff node with every flow on its poller, as
 * steered placement delivers them; two with half the flows handed off, on two threads and in turn on one), and each
 * two-worker figure is set against the one-worker figure of the same round. Why: on this machine kind the one-worker
 * path's own cost moves between 280 and 550 CPU ns per packet from one JVM to the next and through the day (the host's
 * neighbours: the load average inside stays at 0), so two figures from two runs compare the host more than the boxes;
 * a ratio of adjacent rounds in one JVM does not. Printed: per round, each box's CPU ns per packet and its scaling
 * against one worker (two cores' packets per second over one core's), then the median, lowest and highest scaling over
 * the rounds.
 *
 * <p>All the boxes share one JVM, so the JIT compiles one version of each node for the graphs of one and two
 * workers, with and without the handoff node; the box compiles for one configuration. The absolute figures may
 * therefore sit above {@link SeedPathWorkersCpuTime}'s; the scaling is the comparison this class is for.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.sluice.bench.seed.SeedPathWorkersRounds
 * [rounds=9] [seconds per box and round=1]</pre>
 */
public final class SeedPathWorkersRounds {
    private static final String[] BOXES = {"one", "own", "steered", "half", "half-serial"};

    private SeedPathWorkersRounds() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1;
        SeedPathWorkersBenchmark.Box one = SeedPathWorkersCpuTime.box("one");
        SeedPathWorkersBenchmark.Box own = SeedPathWorkersCpuTime.box("own");
        SeedPathWorkersBenchmark.Box steered = SeedPathWorkersCpuTime.box("steered");
        SeedPathWorkersBenchmark.Box half = SeedPathWorkersCpuTime.box("half");
        SeedPathWorkersBenchmark.Box[] boxes = {one, own, steered, half, half};
        for (int box = 0; box < BOXES.length; box++) {
            measure(boxes[box], BOXES[box], 3 * seconds);
        }
        double[][] scaling = new double[BOXES.length][rounds];
        for (int round = 0; round < rounds; round++) {
            double[] nanos = new double[BOXES.length];
            for (int box = 0; box < BOXES.length; box++) {
                nanos[box] = measure(boxes[box], BOXES[box], seconds);
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %2d:", round + 1));
            for (int box = 0; box < BOXES.length; box++) {
                int cores = box == 0 ? 1 : 2;
                scaling[box][round] = cores * nanos[0] / nanos[box];
                line.append(String.format(Locale.ROOT, "  %s %.1f ns (%.2fx)", BOXES[box], nanos[box],
                        scaling[box][round]));
            }
            System.out.println(line);
        }
        for (int box = 1; box < BOXES.length; box++) {
            double[] sorted = scaling[box].clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "%-11s against one worker: median %.2fx, lowest %.2fx, highest %.2fx over %d"
                    + " rounds%n", BOXES[box], sorted[rounds / 2], sorted[0], sorted[rounds - 1], rounds);
        }
        one.close();
        own.close();
        steered.close();
        half.close();
    }

    /**
     * CPU ns per packet of {@code box} over {@code seconds}: its workers on their own threads, or in turn on this one
     * when {@code name} is a serial one.
     */
    private static double measure(SeedPathWorkersBenchmark.Box box, String name, double seconds)
            throws InterruptedException {
        return SeedPathWorkersCpuTime.nanosPerPacket(name.endsWith("-serial")
                ? SeedPathWorkersCpuTime.serial(box, seconds) : SeedPathWorkersCpuTime.run(box, seconds));
    }
}
