package io.sluice.graph.runtime;

import io.sluice.graph.api.GraphRuntime.WorkerHealth;

import java.util.ArrayList;
import java.util.List;

/**
 * Notices a worker that stays inside one node call for longer than {@link #stallNanos} (a node in a loop, a
 * device call that blocks): reports it once in the log, counts it, and shows it in {@link #health()} until the
 * worker comes out. A Java thread cannot be taken out of a running call safely, so the watchdog does not kill it;
 * what it guarantees is that the control plane never waits for such a worker without bound: barriers and graph
 * adoption give up after {@link WorkerPool#barrierTimeoutNanos} with an error naming the worker and the node
 * (see {@link WorkerPool#withBarrier}). Runs on its own daemon thread, reading only what the workers publish with
 * opaque stores; it never touches worker state.
 */
final class Watchdog implements Runnable {
    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());
    private static final long CHECK_EVERY_NANOS = 100_000_000L;

    private final WorkerPool workers;
    volatile long stallNanos = 5_000_000_000L;
    private volatile boolean running;
    private Thread thread;
    /** Per worker: the node slot reported stuck (-1: none), when it went in, and how many stalls were seen. */
    private int[] reportedSlot = new int[0];
    private long[] reportedSince = new long[0];
    private long[] stalls = new long[0];

    Watchdog(WorkerPool workers) {
        this.workers = workers;
    }

    synchronized void start() {
        int n = workers.count();
        reportedSlot = new int[n];
        java.util.Arrays.fill(reportedSlot, -1);
        reportedSince = new long[n];
        stalls = new long[n];
        running = true;
        thread = new Thread(this, "sluice-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        Thread current;
        synchronized (this) {
            running = false;
            current = thread;
            thread = null;
        }
        if (current != null) {
            current.interrupt();
            try {
                current.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        while (running) {
            check(System.nanoTime());
            try {
                Thread.sleep(CHECK_EVERY_NANOS / 1_000_000L);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    synchronized void check(long now) {
        for (int w = 0; w < reportedSlot.length && w < workers.count(); w++) {
            Worker worker = workers.worker(w);
            int slot = worker.inNode();
            long since = worker.inNodeSinceNanos();
            boolean stuck = worker.running && slot >= 0 && now - since > stallNanos;
            if (stuck && (reportedSlot[w] != slot || reportedSince[w] != since)) {
                reportedSlot[w] = slot;
                reportedSince[w] = since;
                stalls[w]++;
                LOG.log(System.Logger.Level.ERROR, "worker " + w + " (" + WorkerPool.threadName(w) + ") has been inside "
                        + "node '" + workers.nodeName(slot) + "' for " + (now - since) / 1_000_000 + " ms: its "
                        + "interfaces are not being polled; barriers give up after "
                        + workers.barrierTimeoutNanos / 1_000_000 + " ms instead of waiting for it");
            } else if (!stuck && reportedSlot[w] >= 0) {
                LOG.log(System.Logger.Level.WARNING, "worker " + w + " came out of node '"
                        + workers.nodeName(reportedSlot[w]) + "' after " + (now - reportedSince[w]) / 1_000_000 + " ms");
                reportedSlot[w] = -1;
            }
        }
    }

    /** Each worker as the watchdog sees it now. */
    synchronized List<WorkerHealth> health(long now) {
        List<WorkerHealth> result = new ArrayList<>();
        for (int w = 0; w < workers.count(); w++) {
            Worker worker = workers.worker(w);
            int slot = worker.inNode();
            long since = worker.inNodeSinceNanos();
            boolean stuck = worker.running && slot >= 0 && now - since > stallNanos;
            result.add(new WorkerHealth(w, WorkerPool.threadName(w), worker.running,
                    stuck ? workers.nodeName(slot) : null, stuck ? now - since : 0, w < stalls.length ? stalls[w] : 0));
        }
        return result;
    }
}
