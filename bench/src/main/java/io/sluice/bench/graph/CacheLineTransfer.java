package io.sluice.bench.graph;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * What one cache line costs to cross between two cores of this machine: two threads pass a counter back and forth
 * through one line (each waits for the other's odd or even value, then writes the next), so every step is one
 * line moving from the writer's core to the reader's. A handed-off packet moves at least its metadata line and its
 * first data line to the owner, and they come back when the source reuses the buffer, so this is the floor under a
 * handoff on two live cores that no buffer scheme removes (docs/performance.md, "Session 16").
 *
 * <pre>java -cp bench/target/benchmarks.jar io.sluice.bench.graph.CacheLineTransfer 5 [rounds]</pre>
 *
 * <p>Prints, per round, the nanoseconds per one-way transfer (a round trip is two). Each thread spins while it
 * waits: on a loaded machine a descheduled peer shows as a slow round, so read the lowest and the median.
 */
public final class CacheLineTransfer {

    private static final VarHandle TURN;

    static {
        try {
            TURN = MethodHandles.lookup().findVarHandle(Line.class, "turn", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The shared counter, padded so that nothing else lives on its line. */
    static final class Line {
        @SuppressWarnings("unused")
        long p0, p1, p2, p3, p4, p5, p6, p7;
        volatile long turn;
        @SuppressWarnings("unused")
        long q0, q1, q2, q3, q4, q5, q6, q7;
    }

    private CacheLineTransfer() {
    }

    public static void main(String[] args) throws InterruptedException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        double[] perTransfer = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            perTransfer[r] = round(seconds / rounds);
            System.out.printf(Locale.ROOT, "round %d: %.1f ns per one-way line transfer%n", r + 1, perTransfer[r]);
        }
        java.util.Arrays.sort(perTransfer);
        System.out.printf(Locale.ROOT, "median %.1f ns, lowest %.1f ns over %d rounds%n", perTransfer[rounds / 2],
                perTransfer[0], rounds);
    }

    /** One round of ping-pong for {@code seconds}: nanoseconds per step. */
    static double round(double seconds) throws InterruptedException {
        Line line = new Line();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        Thread odd = new Thread(() -> {
            long next = 1;
            while (true) {
                long seen;
                while ((seen = (long) TURN.getAcquire(line)) != next - 1) {
                    if (seen < 0) {
                        return;
                    }
                    Thread.onSpinWait();
                }
                TURN.setRelease(line, next);
                next += 2;
            }
        }, "line-odd");
        odd.start();
        long start = System.nanoTime();
        long next = 2;
        long now = start;
        while (true) {
            while ((long) TURN.getAcquire(line) != next - 1) {
                Thread.onSpinWait();
            }
            if ((next & 0xfff) == 0) {
                now = System.nanoTime();
                if (now >= deadline) {
                    break;
                }
            }
            TURN.setRelease(line, next);
            next += 2;
        }
        TURN.setRelease(line, -1L);
        odd.join();
        long transfers = next - 1; // the values 1 .. next - 1, each written on one core and read on the other
        return (double) (now - start) / transfers;
    }
}
