package io.sluice.graph.runtime;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.BarrierStats;
import io.sluice.graph.api.GraphRuntime.BufferStats;
import io.sluice.graph.api.CaptureSwitch;
import io.sluice.graph.api.HandoffRing;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.QueuePlacedInput;
import io.sluice.graph.api.TraceRing;
import io.sluice.graph.api.WorkerHandoff;
import io.sluice.packet.api.BufferPool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The workers, their threads, and the two ways the control plane reaches them. A graph is <em>published</em>:
 * the snapshot, built beforehand, is one volatile write, and each worker swaps its pointer to it at its next pass;
 * {@link #awaitAdoption} waits for that without stopping anyone. The <em>barrier</em> holds every worker at a
 * frame boundary while an action runs (reading counters, closing a port's memory): actions keep to copying and
 * pointer changes, so that forwarding pauses for microseconds; whatever can be done before or after them is.
 */
final class WorkerPool {

    private Worker[] workers = new Worker[0];
    /** The packet capture every worker's node contexts read once per frame. */
    final CaptureSwitch capture = new CaptureSwitch();
    private Thread[] threads = new Thread[0];
    /** forward[src][dst] and returns[dst][src]: the frame queues between workers (empty with one worker). */
    private HandoffRing[][] forward = new HandoffRing[0][];
    private HandoffRing[][] returns = new HandoffRing[0][];
    /** Input node name to the worker that polls it, as configured; others by slot. */
    private volatile Map<String, Integer> placement = Map.of();

    private volatile GraphSnapshot snapshot;
    /** Read by every worker between frames. */
    volatile boolean barrierRequested;

    /** How long a barrier or a graph adoption waits for a worker before it gives up with an error. */
    volatile long barrierTimeoutNanos = 10_000_000_000L;
    final Watchdog watchdog = new Watchdog(this);

    private final Object barrierLock = new Object();
    /** The thread running a barrier's action, so that what it calls can tell it holds the workers. */
    private volatile Thread barrierHolder;
    private long barrierCount;
    private long barrierLastNanos;
    private long barrierMaxNanos;
    private long barrierTotalNanos;

    /** Makes the workers {@code options} asks for (threads are made by {@link #start}). Called once. */
    void create(GraphOptions options) {
        RxMode rxMode = RxMode.named(options.rxMode());
        long quietNanos = rxMode.quietNanos(options.adaptiveWindowMicros());
        Worker[] made = new Worker[options.workers()];
        // One memory for all the workers' pools: a handed-off buffer is processed where it lies. A worker holds at
        // most handoff-queue buffers of each other worker (the in-flight bound), so its foreign frees fit in that.
        BufferPool[] pools = BufferPool.shared(made.length, options.buffersPerWorker(),
                (made.length - 1) * options.handoffQueue());
        for (int w = 0; w < made.length; w++) {
            made[w] = new Worker(this, w, pools[w],
                    new TraceRing(options.traceRecords()), options.parkCapacity(), IdleStrategy.named(options.idle()),
                    rxMode, quietNanos);
            made[w].cpu = options.cpus().length > w ? options.cpus()[w] : -1;
            made[w].sliceNanos = options.workerSliceMicros() * 1_000L;
        }
        int n = made.length;
        forward = new HandoffRing[n][n];
        returns = new HandoffRing[n][n];
        if (n > 1) {
            for (int src = 0; src < n; src++) {
                for (int dst = 0; dst < n; dst++) {
                    if (src != dst) {
                        forward[src][dst] = new HandoffRing(options.handoffQueue());
                        returns[src][dst] = new HandoffRing(options.handoffQueue());
                    }
                }
            }
            for (int w = 0; w < n; w++) {
                made[w].handoff = new WorkerHandoff(w, forward, returns);
            }
        }
        placement = options.placement();
        workers = made;
    }

    int count() {
        return workers.length;
    }

    Worker worker(int index) {
        return workers[index];
    }

    /**
     * Worker {@code worker} polls input node {@code node} in slot {@code slot}: every worker polls a
     * {@link QueuePlacedInput} (each only the queues placed on it); any other input node is polled by one worker,
     * where the configuration's {@code placement} puts it, otherwise by slot (slot mod workers), and so are each of
     * its ports and queues.
     */
    boolean pollsInput(int worker, int slot, String name, Node node) {
        return node instanceof QueuePlacedInput || inputWorker(slot, name) == worker;
    }

    /**
     * The worker of input node {@code name}: where the configuration's {@code placement} puts it (known before the node
     * registers), otherwise its slot mod workers; -1 for a node with neither (no slot yet, {@code slot} -1).
     */
    int inputWorker(int slot, String name) {
        Integer placed = placement.get(name);
        if (placed != null) {
            return placed;
        }
        return slot < 0 ? -1 : slot % workers.length;
    }

    /** The configuration's {@code placement} names input node {@code name}'s worker. */
    boolean placedByConfiguration(String name) {
        return placement.containsKey(name);
    }

    /**
     * The worker that polls input node {@code name} now, or -1: its slot in the published graph has an instance,
     * and the worker it is placed on runs and has adopted that graph (so its next pass calls the node).
     */
    int pollingWorker(int slot, String name) {
        return pollingWorker(slot, name, -1, 0);
    }

    /**
     * The worker that polls queue {@code queue} of interface {@code swIfIndex} on input node {@code name} now (as
     * {@link #pollingWorker(int, String)}; for a {@link QueuePlacedInput}, the worker that queue is placed on), or -1.
     * A {@code swIfIndex} of -1 asks for a node polled by one worker.
     */
    int pollingWorker(int slot, String name, int swIfIndex, int queue) {
        GraphSnapshot current = snapshot;
        if (current == null || slot < 0 || slot >= current.plans.length) {
            return -1;
        }
        SlotPlan plan = current.plans[slot];
        if (plan.node == null || plan.registration == null
                || plan.registration.kind() != io.sluice.graph.api.NodeKind.INPUT) {
            return -1;
        }
        int w;
        if (plan.node instanceof QueuePlacedInput placed) {
            w = swIfIndex < 0 ? -1 : placed.queueWorker(swIfIndex, queue);
        } else {
            w = inputWorker(slot, name);
        }
        Worker[] all = workers;
        if (w < 0 || w >= all.length) {
            return -1;
        }
        Worker worker = all[w];
        return worker.running && worker.adoptedVersion >= current.version ? w : -1;
    }

    /** In {@link #inputPlacement}: a {@link QueuePlacedInput}, which every worker polls. */
    static final int EVERY_WORKER = -1;

    /**
     * Input node to the worker that polls it, for every input node of the published graph (rx placement);
     * {@link #EVERY_WORKER} for a {@link QueuePlacedInput}.
     */
    Map<String, Integer> inputPlacement() {
        Map<String, Integer> result = new java.util.LinkedHashMap<>();
        GraphSnapshot current = snapshot;
        if (current == null) {
            return result;
        }
        for (SlotPlan plan : current.plans) {
            if (plan.registration != null && plan.registration.kind() == io.sluice.graph.api.NodeKind.INPUT) {
                result.put(plan.name, plan.node instanceof QueuePlacedInput ? EVERY_WORKER
                        : inputWorker(plan.slot, plan.name));
            }
        }
        return result;
    }

    GraphSnapshot snapshot() {
        return snapshot;
    }

    /** Makes {@code next} the graph every worker runs from its next pass on. */
    void publish(GraphSnapshot next) {
        snapshot = next;
        wakeSleeping();
    }

    /** Wakes the workers sleeping in rx-mode interrupt (read after the request they must see was written). */
    void wakeSleeping() {
        for (Worker worker : workers) {
            if (worker.sleeping) {
                worker.wake();
            }
        }
    }

    List<GraphRuntime.WorkerRxMode> rxModes() {
        List<GraphRuntime.WorkerRxMode> result = new ArrayList<>();
        for (Worker worker : workers) {
            String pollingFor = worker.pollingFor;
            String state = worker.sleeping ? "sleeping"
                    : pollingFor != null && worker.rxMode() != RxMode.POLLING
                    ? "polling (no fd: " + pollingFor + ")" : "polling";
            result.add(new GraphRuntime.WorkerRxMode(worker.index, worker.rxMode().configName, state, worker.sleeps,
                    worker.wokenByControlPlane,
                    worker.rxMode() == RxMode.ADAPTIVE ? (int) (worker.quietNanos() / 1000) : 0,
                    worker.sliceApplied ? (int) (worker.sliceNanos / 1000) : 0));
        }
        return result;
    }

    /** Starts one thread per worker; worker 0 is {@code sluice_main}, as VPP's thread 0 is vpp_main. */
    void start() {
        synchronized (threadLock) {
            threads = new Thread[workers.length];
            restarts = new long[workers.length];
            for (int w = 0; w < workers.length; w++) {
                Worker worker = workers[w];
                worker.running = true;
                threads[w] = new Thread(worker, threadName(w));
                threads[w].setDaemon(true);
                worker.owner = threads[w];
                threads[w].start();
            }
            started = true;
        }
        watchdog.start();
    }

    private final Object threadLock = new Object();
    /** Between start and stop: a worker thread that ends in that time is one the watchdog replaces. */
    private boolean started;
    private long[] restarts = new long[0];
    /** Threads the watchdog left behind inside a node call (they leave without touching anything if they return). */
    private final List<Thread> leftBehind = new ArrayList<>();

    /** The thread that runs worker {@code w} now, or null when the pool is not started. */
    Thread thread(int w) {
        synchronized (threadLock) {
            return started && w < threads.length ? threads[w] : null;
        }
    }

    long restarts(int w) {
        synchronized (threadLock) {
            return w < restarts.length ? restarts[w] : 0;
        }
    }

    /**
     * Watchdog: gives worker {@code w} a new thread, with the same pool, nodes and queues. With {@code slot} -1 the
     * old thread has ended; otherwise it is inside the node in {@code slot} since {@code since} and is left there,
     * that node marked failed on this worker (docs/decisions/0003-worker-restart.md). Returns false, changing
     * nothing, when the pool is stopping or the thread came out of the node in the meantime.
     */
    boolean replace(int w, int slot, long since) {
        synchronized (threadLock) {
            if (!started) {
                return false;
            }
            Worker worker = workers[w];
            Thread old = threads[w];
            if (slot < 0 && old.isAlive()) {
                return false;
            }
            Thread replacement = new Thread(worker, threadName(w));
            replacement.setDaemon(true);
            if (!worker.retire(old, replacement, slot, since)) {
                return false;
            }
            if (slot >= 0) {
                leftBehind.add(old);
            }
            threads[w] = replacement;
            restarts[w]++;
            replacement.start();
            wakeSleeping();
            return true;
        }
    }

    /** The name of the node in slot {@code slot} of the published graph (for the watchdog's messages). */
    String nodeName(int slot) {
        GraphSnapshot current = snapshot;
        return current != null && slot >= 0 && slot < current.plans.length ? current.plans[slot].name : "slot " + slot;
    }

    /** Fails a control-plane wait that has lasted past the barrier timeout, naming the worker and its node. */
    private void giveUpIfLate(Worker worker, long deadline, String what) {
        if (System.nanoTime() - deadline > 0) {
            int slot = worker.inNode();
            throw new IllegalStateException(what + ": worker " + worker.index + " (" + threadName(worker.index)
                    + ") did not answer in " + barrierTimeoutNanos / 1_000_000 + " ms"
                    + (slot >= 0 ? ", it is inside node '" + nodeName(slot) + "'" : "")
                    + "; nothing was changed (workerHealth / runtime:show shows it)");
        }
    }

    /** Stops the threads, frees what the workers still hold, and releases their pools and trace memory. */
    void stop() {
        watchdog.stop();
        Thread[] running;
        synchronized (threadLock) {
            started = false;
            running = threads;
        }
        for (Worker worker : workers) {
            worker.running = false;
            worker.wake();
        }
        for (Thread thread : running) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (threadLock) {
            threads = new Thread[0];
        }
        for (Worker worker : workers) {
            worker.releaseHandoffs();
        }
        for (Worker worker : workers) {
            worker.reclaimHandoffs();
        }
        for (Worker worker : workers) {
            worker.releaseAll();
        }
        for (Worker worker : workers) {
            worker.freeForeignAtHome();
        }
        for (Worker worker : workers) {
            worker.pool.close();
            worker.traceRing.close();
        }
        for (HandoffRing[] row : forward) {
            for (HandoffRing ring : row) {
                if (ring != null) {
                    ring.close();
                }
            }
        }
        for (HandoffRing[] row : returns) {
            for (HandoffRing ring : row) {
                if (ring != null) {
                    ring.close();
                }
            }
        }
    }

    static String threadName(int worker) {
        return worker == 0 ? "sluice_main" : "sluice_wk_" + (worker - 1);
    }

    boolean anyRunning() {
        for (Worker worker : workers) {
            if (worker.running) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns once every running worker runs {@code published} (or a newer graph): none can still be inside a
     * node that graph no longer holds. The workers never stop for it; each takes the new graph at its next pass.
     * Called from a barrier's action, it binds the held workers to the graph itself.
     */
    void awaitAdoption(GraphSnapshot published) {
        if (barrierHolder == Thread.currentThread()) {
            for (Worker worker : workers) {
                worker.adoptCurrent();
            }
            return;
        }
        long deadline = System.nanoTime() + barrierTimeoutNanos;
        for (Worker worker : workers) {
            for (int spins = 0; worker.running && worker.adoptedVersion < published.version; spins++) {
                if ((spins & 1023) == 1023) {
                    giveUpIfLate(worker, deadline, "graph version " + published.version + " not adopted");
                }
                waitBriefly(spins);
            }
        }
    }

    /**
     * Spins a while, then yields: on a box with fewer free cores than threads, the worker being waited for may
     * need the very core this thread would spin on.
     */
    private static void waitBriefly(int spins) {
        if (spins < 1_000) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /** Runs {@code action} with every running worker held at a frame boundary; counts and times the pause. */
    <T> T withBarrier(Supplier<T> action) {
        synchronized (barrierLock) {
            Thread outer = barrierHolder;
            long start = System.nanoTime();
            barrierRequested = true;
            wakeSleeping();
            try {
                long deadline = start + barrierTimeoutNanos;
                for (Worker worker : workers) {
                    for (int spins = 0; worker.running && !worker.atBarrier; spins++) {
                        if ((spins & 1023) == 1023) {
                            giveUpIfLate(worker, deadline, "barrier");
                        }
                        waitBriefly(spins);
                    }
                }
                barrierHolder = Thread.currentThread();
                return action.get();
            } finally {
                barrierHolder = outer;
                barrierRequested = outer != null;
                long paused = System.nanoTime() - start;
                barrierCount++;
                barrierLastNanos = paused;
                barrierMaxNanos = Math.max(barrierMaxNanos, paused);
                barrierTotalNanos += paused;
            }
        }
    }

    BarrierStats barrierStats() {
        synchronized (barrierLock) {
            return new BarrierStats(barrierCount, barrierLastNanos, barrierMaxNanos, barrierTotalNanos);
        }
    }

    List<BufferStats> buffers() {
        List<BufferStats> result = new ArrayList<>();
        for (Worker worker : workers) {
            BufferPool pool = worker.pool;
            int outstanding = pool.outstanding();
            result.add(new BufferStats(worker.index, pool.capacity(), pool.capacity() - outstanding, outstanding,
                    pool.allocFailures()));
        }
        return result;
    }
}
