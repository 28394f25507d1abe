package io.sluice.bench;

import java.lang.management.ThreadMXBean;
import java.util.function.IntSupplier;

/**
 * The CPU-time harnesses' loop (SeedPathCpuTime, Nat44PathCpuTime): an operation repeated until the calling thread
 * has used a given CPU time, which other processes' load on the machine does not stretch as it stretches wall time.
 */
public final class CpuTime {
    private CpuTime() {
    }

    /**
     * Runs {@code op} in batches of {@code batch} until the thread has used {@code cpuNanos} of CPU (the clock read
     * once a batch, so reading it costs little against the operation); returns how many times it ran.
     */
    public static long runFor(IntSupplier op, ThreadMXBean threads, long cpuNanos, int batch) {
        long end = threads.getCurrentThreadCpuTime() + cpuNanos;
        long ops = 0;
        while (true) {
            for (int i = 0; i < batch; i++) {
                op.getAsInt();
            }
            ops += batch;
            if (threads.getCurrentThreadCpuTime() >= end) {
                return ops;
            }
        }
    }
}
