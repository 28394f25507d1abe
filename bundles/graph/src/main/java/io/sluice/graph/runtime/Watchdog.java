package io.sluice.graph.runtime;

import io.sluice.graph.api.GraphRuntime.WorkerHealth;

import java.util.ArrayList;
import java.util.List;

/**
 * Notices a worker that stays inside one node call for longer than {@link #stallNanos} (a node in a loop, a
 * device call that blocks): reports it once in the log, counts it, interrupts its thread (a blocking call that
 * honours interrupts returns), and shows it in {@link #health} until the worker comes out. The control plane never
 * waits for such a worker without bound: barriers and graph adoption give up after
 * {@link WorkerPool#barrierTimeoutNanos} with an error naming the worker and the node (see
 * {@link WorkerPool#withBarrier}).
 *
 * <p>It also restarts workers (docs/decisions/0003-worker-restart.md). A worker whose thread ended (an Error that
 * escaped its loop) gets a new thread with the same pool, nodes and queues. A worker still inside one node call
 * after {@link #quarantineNanos} gets one too: the old thread is left behind inside that call (a Java thread cannot
 * be taken out of it safely), and if it ever returns it leaves at once; the node is marked failed on that worker,
 * which from then on drops and counts ({@code node-failed}) the buffers meant for it instead of calling it again
 * while the old thread may still be inside. Both are counted ({@code restarts} in {@link #health}, runtime:show) and
 * logged. Runs on its own daemon thread, reading what the workers publish with opaque stores; the hand-over itself
 * is {@link WorkerPool#replace}.
 */
final class Watchdog implements Runnable {
    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());
    private static final long CHECK_EVERY_NANOS = 100_000_000L;

    private final WorkerPool workers;
    volatile long stallNanos = 5_000_000_000L;
    /** How long a worker may stay in one node call before it is handed to a new thread without that node. */
    volatile long quarantineNanos = 10_000_000_000L;
    private volatile boolean running;
    private Thread thread;
    /** Per worker: the node slot reported stuck (-1: none), when it went in, and how many stalls were seen. */
    private int[] reportedSlot = new int[0];
    private long[] reportedSince = new long[0];
    private long[] stalls = new long[0];
    /** Per worker: the node call (by its start) whose thread was interrupted, so it is interrupted once. */
    private long[] interruptedSince = new long[0];

    Watchdog(WorkerPool workers) {
        this.workers = workers;
    }

    synchronized void start() {
        int n = workers.count();
        reportedSlot = new int[n];
        java.util.Arrays.fill(reportedSlot, -1);
        reportedSince = new long[n];
        stalls = new long[n];
        interruptedSince = new long[n];
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
            Thread thread = workers.thread(w);
            if (thread != null && !thread.isAlive()) {
                restartEnded(w, worker);
                continue;
            }
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
                        + workers.barrierTimeoutNanos / 1_000_000 + " ms instead of waiting for it; interrupted, it is "
                        + "restarted without that node after " + quarantineNanos / 1_000_000 + " ms");
            }
            if (stuck && interruptedSince[w] != since && thread != null) {
                interruptedSince[w] = since;
                worker.interruptedByWatchdog = true;
                thread.interrupt();
            }
            if (stuck && now - since > quarantineNanos) {
                quarantine(w, worker, slot, since, now);
            } else if (!stuck && reportedSlot[w] >= 0) {
                LOG.log(System.Logger.Level.WARNING, "worker " + w + " came out of node '"
                        + workers.nodeName(reportedSlot[w]) + "' after " + (now - reportedSince[w]) / 1_000_000 + " ms");
                reportedSlot[w] = -1;
            }
        }
    }

    private void restartEnded(int w, Worker worker) {
        if (workers.replace(w, -1, 0)) {
            reportedSlot[w] = -1;
            LOG.log(System.Logger.Level.ERROR, "worker " + w + " (" + WorkerPool.threadName(w) + ") had stopped: its "
                    + "thread ended; a new thread runs it with the same nodes and queues (restart "
                    + workers.restarts(w) + ")");
        }
    }

    private void quarantine(int w, Worker worker, int slot, long since, long now) {
        long lostBefore = worker.lostBuffers;
        String node = workers.nodeName(slot);
        if (workers.replace(w, slot, since)) {
            reportedSlot[w] = -1;
            LOG.log(System.Logger.Level.ERROR, "worker " + w + " (" + WorkerPool.threadName(w) + ") did not come out "
                    + "of node '" + node + "' in " + (now - since) / 1_000_000 + " ms, interrupted: a new thread runs "
                    + "the worker (restart " + workers.restarts(w) + "); the old one is left inside the node, whose "
                    + "buffers this worker now drops (/err/" + node + "/node-failed); "
                    + (worker.lostBuffers - lostBefore) + " buffers of the frame it held are lost");
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
            List<String> failed = new ArrayList<>();
            GraphSnapshot graph = workers.snapshot();
            if (graph != null) {
                for (SlotPlan plan : graph.plans) {
                    if (plan.node != null && worker.failedNode(plan.slot) == plan.node) {
                        failed.add(plan.name);
                    }
                }
            }
            result.add(new WorkerHealth(w, WorkerPool.threadName(w), worker.running,
                    stuck ? workers.nodeName(slot) : null, stuck ? now - since : 0, w < stalls.length ? stalls[w] : 0,
                    workers.restarts(w), worker.lostBuffers, List.copyOf(failed)));
        }
        return result;
    }
}
