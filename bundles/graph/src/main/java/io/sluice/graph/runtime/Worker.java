package io.sluice.graph.runtime;

import static io.sluice.nativeio.api.LinuxConstants.EFD_CLOEXEC;
import static io.sluice.nativeio.api.LinuxConstants.EFD_NONBLOCK;
import static io.sluice.nativeio.api.LinuxConstants.POLLFD_EVENTS;
import static io.sluice.nativeio.api.LinuxConstants.POLLFD_FD;
import static io.sluice.nativeio.api.LinuxConstants.POLLFD_REVENTS;
import static io.sluice.nativeio.api.LinuxConstants.POLLFD_SIZE;
import static io.sluice.nativeio.api.LinuxConstants.POLLIN;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.HandoffRing;
import io.sluice.graph.api.InterruptibleInput;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeKind;
import io.sluice.graph.api.TraceRing;
import io.sluice.graph.api.WorkerHandoff;
import io.sluice.nativeio.api.Libc;
import io.sluice.packet.api.BufferPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A duty-cycle agent: each pass polls this worker's input nodes, then runs pending frames until none is
 * left. Buffers waiting for a node sit in that node's ring of indices; a ring whose node is absent (being
 * replaced) is the parking lot, bounded by its capacity, and what overflows is freed and counted. Only the
 * worker's own thread touches this state, except under the barrier.
 *
 * <p>Rx-mode: while its inputs are quiet (for the mode's quiet time) a worker sleeps in poll(2) on their file
 * descriptors and on its own eventfd, which the control plane writes to wake it (barrier, graph published,
 * {@link #wake}); an input without a descriptor keeps it polling. {@link #sleeping} and the control plane's flags
 * are volatile, so either the worker sees a request before it sleeps or the requester sees it sleeping and wakes
 * it (the eventfd keeps a wake that comes before the poll).
 */
final class Worker implements Runnable {
    final int index;
    final BufferPool pool;
    final TraceRing traceRing;
    private final WorkerPool workerPool;
    private final int ringCapacity;
    private final int ringMask;
    private final IdleStrategy idleStrategy;
    private final RxMode rxMode;
    /** How long the inputs must have been quiet before this worker sleeps (the rx-mode's, or adaptive's window). */
    private final long quietNanos;
    /** The frame this worker's thread fills and passes to its nodes: a replacement thread gets a new one. */
    private Frame frame = new Frame();

    /** Descriptors a sleep waits on, besides the eventfd in slot 0. */
    static final int MAX_SLEEP_FDS = 64;
    private static final int SLEEP_LIMIT_MILLIS = 1_000;
    private final int[] sleepFds = new int[MAX_SLEEP_FDS];
    private final Object wakeLock = new Object();
    /** The eventfd the control plane writes to wake this worker; -1 while its thread is not running. */
    private int wakeFd = -1;
    private Arena sleepArena;
    private MemorySegment pollFds;
    private MemorySegment callState;
    private MemorySegment eventCount;
    private long quietSince;
    volatile boolean sleeping;
    /** The input node that keeps this worker polling (it has no descriptor), or null. */
    volatile String pollingFor;
    volatile long sleeps;
    volatile long wokenByControlPlane;

    private GraphSnapshot snapshot;
    private NodeContext[] contexts = new NodeContext[0];
    private int[][] rings = new int[0][];
    private int[] ringHead = new int[0];
    private int[] ringCount = new int[0];
    private boolean[] ringTraced = new boolean[0];
    private int[] inputSlots = new int[0];
    /** error-drop's slot in the adopted graph, or -1. */
    private int dropSlot = -1;
    /** handoff_trace's slot in the adopted graph, or -1. */
    private int handoffTraceSlot = -1;

    /**
     * This worker's frame queues to and from the others (null with one worker): set before the thread starts.
     * The workers' pools are ranges of one memory, so a buffer that arrives is processed where it lies; when it is
     * freed here it waits among its pool's foreign frees until the end of the pass, which sends it home on the
     * return ring to its owner, the only thread that touches its pool's free stack (decision 0002).
     */
    WorkerHandoff handoff;
    /**
     * Handed-off buffers taken from other workers, and (by slot) those dropped because they name a node of a graph
     * this worker does not have (counted as that node's {@code handoff-no-buffer}).
     */
    long handoffReceived;
    long[] handoffNoBuffer = new long[0];
    /** At most this many entries are taken from one other worker per pass, so inputs are polled in between. */
    static final int HANDOFF_BATCH = Frame.CAPACITY * 4;
    /** What the handoff batch's touches read, kept so that the reads are not optimised away; never used otherwise. */
    private long touched;
    /** Foreign frees on their way home, one batch (as many as the pool can hold). */
    private final int[] homeward;

    long[] calls = new long[0];
    long[] vectors = new long[0];
    long[] clockNanos = new long[0];
    long[] parkedOverflow = new long[0];
    long[] badNextArc = new long[0];
    long[] nodeExceptions = new long[0];
    private long[] lastExceptionLogged = new long[0];
    private static final System.Logger LOG = System.getLogger(Worker.class.getName());

    volatile boolean running;
    volatile boolean atBarrier;

    /**
     * The thread that runs this worker's loop. The watchdog hands the worker to a replacement thread by changing it
     * (docs/decisions/0003-worker-restart.md): a thread that finds it is no longer the owner, when it comes out of a
     * node call or at the top of its loop, leaves at once without touching the worker's state.
     */
    volatile Thread owner;
    /** The owner while the watchdog hands the worker over (null is a worker run by a test, without a thread). */
    private static final Thread HANDING_OVER = new Thread("sluice-worker-handing-over");
    /** Set by the watchdog when it interrupted this worker's thread: the loop clears the thread's flag. */
    volatile boolean interruptedByWatchdog;
    /**
     * Per slot: the node instance that hung on this worker and was left behind with its thread (null: none). Its
     * buffers are dropped and counted ({@link #nodeFailed}) instead of being passed to it; a new instance of the
     * node in that slot (bundle update) runs again. Written before the replacement thread starts, read by it only.
     */
    private Node[] failedNodes = new Node[0];
    long[] nodeFailed = new long[0];
    /** Buffers that were inside a node call on a thread the watchdog left behind: never freed, counted here. */
    volatile long lostBuffers;

    /** Thrown by a thread that is no longer its worker's owner, to leave the loop from inside a pass. */
    private static final class Retired extends Error {
        private static final Retired INSTANCE = new Retired();

        private Retired() {
            super("worker thread retired by the watchdog", null, false, false);
        }
    }

    private static final java.lang.invoke.VarHandle IN_NODE;
    private static final java.lang.invoke.VarHandle FRAME_START;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
            IN_NODE = lookup.findVarHandle(Worker.class, "inNode", int.class);
            FRAME_START = lookup.findVarHandle(Worker.class, "frameStartNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The slot of the node this worker is inside, or -1, and when it went in: written with opaque stores around
     * each node call (no fence on the forwarding path), read by the watchdog, which only needs to see them
     * eventually.
     */
    @SuppressWarnings("unused")
    private int inNode = -1;
    @SuppressWarnings("unused")
    private long frameStartNanos;

    /** The watchdog's view: the slot of the node this worker is inside (-1: none) and since when. */
    int inNode() {
        return (int) IN_NODE.getOpaque(this);
    }

    long inNodeSinceNanos() {
        return (long) FRAME_START.getOpaque(this);
    }
    /** The version of the graph this worker runs: written after it took the graph, before any node of it runs. */
    volatile long adoptedVersion = -1;

    Worker(WorkerPool workerPool, int index, BufferPool pool, TraceRing traceRing, int ringCapacity, IdleStrategy idle,
           RxMode rxMode, long quietNanos) {
        if (Integer.bitCount(ringCapacity) != 1) {
            throw new IllegalArgumentException("park capacity must be a power of two, got " + ringCapacity);
        }
        this.workerPool = workerPool;
        this.index = index;
        this.pool = pool;
        this.homeward = new int[Math.max(1, pool.foreignCapacity())];
        this.traceRing = traceRing;
        this.ringCapacity = ringCapacity;
        this.ringMask = ringCapacity - 1;
        this.idleStrategy = idle;
        this.rxMode = rxMode;
        this.quietNanos = quietNanos;
    }

    RxMode rxMode() {
        return rxMode;
    }

    long quietNanos() {
        return quietNanos;
    }

    /**
     * The EEVDF slice this worker's thread asks for (graph key {@code worker-slice-us}), or 0 for the kernel's.
     * A worker that shares its core with the JVM's compiler threads and Karaf (bench-peers: the whole gateway on
     * one core) waits, when woken or when it yields, until the running thread's slice (the kernel's base slice, 1.4 ms on this 2-core VM) ends;
     * with a short slice of its own it preempts at once (kernel/sched/fair.c, RUN_TO_PARITY limited to the
     * shortest slice queued): the 3-8 ms p99 of bench-peers' pings (docs/performance.md, "Issue 16, session 8").
     */
    long sliceNanos;

    /** Whether the kernel took {@link #sliceNanos} (false: it refused, see the log, and the default applies). */
    volatile boolean sliceApplied;

    private void askForSlice() {
        try {
            Libc.schedSetSlice(0, sliceNanos);
            sliceApplied = true;
        } catch (RuntimeException refused) {
            // a kernel before 6.12 or a real-time thread: the worker runs with the default slice
            LOG.log(System.Logger.Level.WARNING, "worker " + index + ": the kernel refused the slice of "
                    + sliceNanos / 1000 + " us (worker-slice-us), it keeps the default: " + refused.getMessage());
        }
    }

    /** The core to pin this worker's thread to, or -1. */
    int cpu = -1;

    /**
     * The worker's loop. A fault outside any node (adopting a graph, distributing a frame) is logged at a limited
     * rate and the loop goes on; and whatever ends the thread, it is no longer counted as running, so no barrier
     * ever waits for a worker that is gone.
     */
    @Override
    public void run() {
        Thread self = Thread.currentThread();
        try {
            if (cpu >= 0) {
                // sched_setaffinity(2) with tid 0 pins the calling thread: a worker owns its core, as VPP's do.
                Libc.schedSetAffinity(0, cpu);
            }
            if (sliceNanos > 0) {
                askForSlice();
            }
            if (rxMode != RxMode.POLLING) {
                closeSleep(); // a replacement thread: the eventfd of the thread it replaces is not polled by anyone
                openSleep();
            }
            while (running && owner == self) {
                try {
                    if (interruptedByWatchdog) {
                        interruptedByWatchdog = false;
                        Thread.interrupted();
                    }
                    if (workerPool.barrierRequested) {
                        waitAtBarrier();
                        continue;
                    }
                    int work = runOnce();
                    if (work > 0 || rxMode == RxMode.POLLING) {
                        quietSince = 0;
                        idleStrategy.idle(work);
                    } else if (!sleepIfQuiet()) {
                        idleStrategy.idle(0);
                    }
                } catch (Throwable e) {
                    if (owner != self) {
                        return; // retired: the replacement owns everything this thread could touch
                    }
                    atBarrier = false;
                    loopFaults++;
                    long now = System.nanoTime();
                    if (now - lastLoopFaultLogged > 10_000_000_000L || lastLoopFaultLogged == 0) {
                        lastLoopFaultLogged = now;
                        LOG.log(System.Logger.Level.ERROR, "worker " + index + " hit a fault outside its nodes ("
                                + loopFaults + " so far); it goes on with the next pass", e);
                    }
                }
            }
        } finally {
            if (owner == self) {
                running = false;
                closeSleep();
            }
        }
    }

    /**
     * Leaves the loop if this thread is no longer the owner. Called as a node call ends, after the opaque store
     * that says the worker left the node has been made volatile: the watchdog retires a thread by writing
     * {@link #owner} and then checking that the thread is still inside the node, so either the watchdog sees it
     * came out (and does not retire it) or this thread sees the new owner (Dekker's pattern, as in sleeping).
     */
    private void leaveIfRetired() {
        Thread current = owner;
        if (current != Thread.currentThread() && current != null) {
            throw Retired.INSTANCE;
        }
        if (interruptedByWatchdog) {
            // the node came out after all: the interrupt must not reach the next node (an interrupted thread that
            // uses a FileChannel closes it)
            interruptedByWatchdog = false;
            Thread.interrupted();
        }
    }

    /**
     * Watchdog: hands this worker to a new thread, leaving the current one behind inside the node in {@code slot}
     * (if {@code slot >= 0}), which is marked failed here. Returns false, changing nothing, when the thread came out
     * of that node call (started at {@code since}) before the hand-over. The caller starts {@code replacement}.
     */
    boolean retire(Thread current, Thread replacement, int slot, long since) {
        if (slot >= 0) {
            owner = HANDING_OVER;
            if ((int) IN_NODE.getVolatile(this) != slot || (long) FRAME_START.getVolatile(this) != since) {
                // it came out: no hand-over (a thread that saw the hand-over finds itself owner again in its loop's
                // check, or has ended and is restarted as a thread that ended)
                owner = current;
                return false;
            }
            GraphSnapshot adopted = snapshot;
            if (adopted != null && slot < adopted.plans.length && slot < failedNodes.length) {
                failedNodes[slot] = adopted.plans[slot].node;
            }
            lostBuffers += frame.count();
        }
        frame = new Frame();
        IN_NODE.setVolatile(this, -1);
        running = true;
        owner = replacement;
        return true;
    }

    /** The node that hung on this worker in {@code slot} and is skipped, or null. */
    Node failedNode(int slot) {
        Node[] failed = failedNodes;
        return slot < failed.length ? failed[slot] : null;
    }

    /** Drops what waits for a node that hung on this worker: counted as its {@code node-failed} error. */
    private void dropForFailedNode(int slot) {
        int[] ring = rings[slot];
        int n = ringCount[slot];
        for (int i = 0; i < n; i++) {
            pool.free(ring[(ringHead[slot] + i) & ringMask]);
        }
        ringHead[slot] = (ringHead[slot] + n) & ringMask;
        ringCount[slot] = 0;
        ringTraced[slot] = false;
        nodeFailed[slot] += n;
    }

    private void openSleep() {
        Arena arena = Arena.ofShared();
        pollFds = arena.allocate((long) (MAX_SLEEP_FDS + 1) * POLLFD_SIZE, 8);
        callState = Libc.newCallState(arena);
        eventCount = arena.allocate(8, 8);
        sleepArena = arena;
        synchronized (wakeLock) {
            wakeFd = Libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        }
        pollFds.set(ValueLayout.JAVA_INT, POLLFD_FD, wakeFd);
        pollFds.set(ValueLayout.JAVA_SHORT, POLLFD_EVENTS, (short) POLLIN);
    }

    private void closeSleep() {
        synchronized (wakeLock) {
            if (wakeFd >= 0) {
                Libc.close(wakeFd);
                wakeFd = -1;
            }
        }
        if (sleepArena != null) {
            sleepArena.close();
            sleepArena = null;
        }
    }

    /**
     * Ends this worker's sleep, or its next one if it is about to sleep. Control plane; a no-op for a worker that
     * is not running or never sleeps.
     */
    void wake() {
        synchronized (wakeLock) {
            if (wakeFd < 0) {
                return;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment one = arena.allocate(8, 8);
                one.set(ValueLayout.JAVA_LONG, 0, 1L);
                // EAGAIN only when the counter is near overflow: a wake is pending anyway
                Libc.write(Libc.newCallState(arena), wakeFd, one, 0, 8);
            }
        }
    }

    /**
     * After a pass that found nothing: once the inputs have been quiet for the rx-mode's quiet time, sleeps in
     * poll(2) on their descriptors and the eventfd until a frame or the control plane comes (at most
     * {@value #SLEEP_LIMIT_MILLIS} ms). Returns false, having not slept, when the worker must keep polling.
     */
    private boolean sleepIfQuiet() {
        long now = System.nanoTime();
        if (quietSince == 0) {
            quietSince = now;
            return false;
        }
        if (now - quietSince < quietNanos) {
            return false;
        }
        int fds = 0;
        SlotPlan[] plans = snapshot.plans;
        for (int slot : inputSlots) {
            Node node = plans[slot].node;
            if (node == null) {
                continue; // being replaced: its successor comes with a published graph, which wakes us
            }
            int added = node instanceof InterruptibleInput input
                    ? input.rxFds(index, sleepFds, fds) : InterruptibleInput.POLLING_ONLY;
            if (added < 0) {
                if (pollingFor == null) {
                    pollingFor = plans[slot].name;
                }
                return false;
            }
            fds += added;
        }
        pollingFor = null;
        MemorySegment set = pollFds;
        for (int i = 0; i < fds; i++) {
            long entry = (long) (i + 1) * POLLFD_SIZE;
            set.set(ValueLayout.JAVA_INT, entry + POLLFD_FD, sleepFds[i]);
            set.set(ValueLayout.JAVA_SHORT, entry + POLLFD_EVENTS, (short) POLLIN);
            set.set(ValueLayout.JAVA_SHORT, entry + POLLFD_REVENTS, (short) 0);
        }
        set.set(ValueLayout.JAVA_SHORT, POLLFD_REVENTS, (short) 0);
        sleeping = true;
        if (workerPool.barrierRequested || workerPool.snapshot() != snapshot || !running
                || handoff != null && handoff.anyPendingVolatile()) {
            sleeping = false;
            return true;
        }
        int ready = Libc.poll(callState, set, fds + 1, SLEEP_LIMIT_MILLIS);
        sleeping = false;
        sleeps++;
        if (ready > 0 && (set.get(ValueLayout.JAVA_SHORT, POLLFD_REVENTS) & POLLIN) != 0) {
            Libc.read(callState, wakeFd, eventCount, 0, 8);
            wokenByControlPlane++;
        }
        return true;
    }

    /** Faults the loop survived outside the nodes (a node's own fault is counted as its exception error). */
    long loopFaults;
    private long lastLoopFaultLogged;

    private void waitAtBarrier() {
        atBarrier = true;
        while (workerPool.barrierRequested && running) {
            Thread.onSpinWait();
        }
        atBarrier = false;
    }

    /** One pass: adopt a newer graph, poll inputs, drain. Returns the number of buffers handled. */
    int runOnce() {
        GraphSnapshot current = workerPool.snapshot();
        if (current != snapshot) {
            adopt(current);
        }
        int work = handoff == null ? 0 : receiveHandoffs();
        SlotPlan[] plans = snapshot.plans;
        for (int slot : inputSlots) {
            SlotPlan plan = plans[slot];
            if (plan.node != null && plan.node != failedNode(slot)) {
                work += runInput(plan);
            }
        }
        work += drain(plans);
        if (pool.foreignCount() != 0) {
            sendForeignHome();
        }
        return work;
    }

    /**
     * Sends the buffers of other workers freed here in this pass back to their owners on the return rings (never
     * full: each holds at most what its owner has in flight here), and wakes an owner asleep in rx-mode interrupt.
     */
    private void sendForeignHome() {
        int[] home = homeward;
        int n = pool.drainForeign(home);
        long owners = 0;
        for (int i = 0; i < n; i++) {
            int bi = home[i];
            int owner = pool.owner(bi);
            handoff.giveBack(owner, bi);
            owners |= 1L << owner;
        }
        for (long left = owners; left != 0; left &= left - 1) {
            handoff.publishReturns(Long.numberOfTrailingZeros(left));
        }
        if (owners != 0 && rxMode != RxMode.POLLING) {
            wakeSleepingPeers(owners);
        }
    }

    private int runInput(SlotPlan plan) {
        int slot = plan.slot;
        NodeContext context = contexts[slot];
        frame.clear();
        long start = System.nanoTime();
        FRAME_START.setOpaque(this, start);
        IN_NODE.setOpaque(this, slot);
        int n;
        try {
            n = plan.node.process(context, frame);
        } catch (Throwable e) {
            IN_NODE.setVolatile(this, -1);
            leaveIfRetired();
            n = frame.count();
            failed(plan, e);
        }
        IN_NODE.setVolatile(this, -1);
        leaveIfRetired();
        clockNanos[slot] += System.nanoTime() - start;
        calls[slot]++;
        vectors[slot] += n;
        distribute(plan, context);
        return n;
    }

    private int drain(SlotPlan[] plans) {
        int total = 0;
        boolean progress;
        do {
            progress = false;
            for (int slot = 0; slot < plans.length; slot++) {
                if (ringCount[slot] == 0) {
                    continue;
                }
                if (workerPool.barrierRequested) {
                    // Stop at this frame boundary: the barrier waits for one frame, not for a whole drained pass.
                    // What is queued stays in the rings for the next pass.
                    return total;
                }
                SlotPlan plan = plans[slot];
                if (plan.node == null) {
                    continue;
                }
                if (plan.node == failedNodes[slot]) {
                    total += ringCount[slot];
                    dropForFailedNode(slot);
                    progress = true;
                    continue;
                }
                total += dispatch(plan);
                progress = true;
            }
        } while (progress);
        return total;
    }

    private int dispatch(SlotPlan plan) {
        int slot = plan.slot;
        int[] ring = rings[slot];
        int head = ringHead[slot];
        int n = Math.min(ringCount[slot], Frame.CAPACITY);
        int[] buffers = frame.buffers();
        for (int i = 0; i < n; i++) {
            buffers[i] = ring[(head + i) & ringMask];
        }
        ringHead[slot] = (head + n) & ringMask;
        ringCount[slot] -= n;
        frame.setCount(n);
        frame.setTraced(ringTraced[slot]);
        if (ringCount[slot] == 0) {
            ringTraced[slot] = false;
        }
        NodeContext context = contexts[slot];
        long start = System.nanoTime();
        FRAME_START.setOpaque(this, start);
        IN_NODE.setOpaque(this, slot);
        try {
            plan.node.process(context, frame);
        } catch (Throwable e) {
            IN_NODE.setVolatile(this, -1);
            leaveIfRetired();
            failed(plan, e);
        }
        IN_NODE.setVolatile(this, -1);
        leaveIfRetired();
        clockNanos[slot] += System.nanoTime() - start;
        calls[slot]++;
        vectors[slot] += n;
        distribute(plan, context);
        return n;
    }

    /**
     * A node threw, a RuntimeException or an Error alike (a mapped file whose backing was truncated throws
     * InternalError): its frame's buffers are dropped and counted, the worker goes on with the next frame, so
     * a fault in one node never stops forwarding through the others. Logged at most once per node every 10 s.
     * A node that had already freed buffers and set the frame's count to 0 before throwing loses nothing more.
     */
    private void failed(SlotPlan plan, Throwable e) {
        int slot = plan.slot;
        int n = frame.count();
        pool.free(frame.buffers(), 0, n);
        frame.setCount(0);
        nodeExceptions[slot]++;
        long now = System.nanoTime();
        if (now - lastExceptionLogged[slot] > 10_000_000_000L || lastExceptionLogged[slot] == 0) {
            lastExceptionLogged[slot] = now;
            LOG.log(System.Logger.Level.ERROR, "node '" + plan.name + "' threw on worker " + index + "; its frame of "
                    + n + " buffers was dropped (counted as /err/" + plan.name + "/exception)", e);
        }
    }

    private void distribute(SlotPlan plan, NodeContext context) {
        int[] nextSlots = plan.nextSlots;
        int arcs = nextSlots.length;
        boolean traced = frame.traced();
        int n = frame.count();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        // While drops are captured, each dropped buffer carries the error counter its node stamped on it or, when
        // the node stamped none of its own, the node's slot, for the capture's comment; otherwise this costs one
        // load and one test per frame.
        int stampDrops = workerPool.capture.armed().captures(ArmedCapture.DROP) ? dropSlot : -1;
        GraphSnapshot graph = snapshot;
        for (int i = 0; i < n; i++) {
            int arc = nexts[i];
            if (arc < 0 || arc >= arcs) {
                pool.free(buffers[i]);
                badNextArc[plan.slot]++;
            } else {
                int target = nextSlots[arc];
                if (target == stampDrops && stampDrops >= 0 && !graph.ownsError(plan.slot, pool.error(buffers[i]))) {
                    pool.setDroppedBy(buffers[i], plan.slot);
                }
                enqueue(target, buffers[i], traced);
            }
        }
        int emitted = context.emittedCount();
        if (emitted > 0) {
            int[] emittedBuffers = context.emittedBuffers();
            int[] emittedNexts = context.emittedNexts();
            for (int i = 0; i < emitted; i++) {
                int arc = emittedNexts[i];
                if (arc < 0 || arc >= arcs) {
                    pool.free(emittedBuffers[i]);
                    badNextArc[plan.slot]++;
                } else {
                    int target = nextSlots[arc];
                    if (target == stampDrops && stampDrops >= 0
                            && !graph.ownsError(plan.slot, pool.error(emittedBuffers[i]))) {
                        pool.setDroppedBy(emittedBuffers[i], plan.slot);
                    }
                    enqueue(target, emittedBuffers[i], traced);
                }
            }
            context.clearEmitted();
        }
        if (handoff != null) {
            publishHandoffs();
        }
    }

    /** Publishes this frame's handoffs and wakes a destination that sleeps in rx-mode interrupt. */
    private void publishHandoffs() {
        long published = handoff.publish();
        if (published != 0 && rxMode != RxMode.POLLING) {
            wakeSleepingPeers(published);
        }
    }

    /**
     * The release store that published the entries and the load of the peer's {@link #sleeping} must not be
     * reordered (the peer writes {@code sleeping} and then reads our tail: Dekker's pattern), hence the full fence;
     * it is paid only by a worker that has just handed off and only outside rx-mode polling.
     */
    private void wakeSleepingPeers(long workers) {
        VarHandle.fullFence();
        for (long left = workers; left != 0; left &= left - 1) {
            Worker peer = workerPool.worker(Long.numberOfTrailingZeros(left));
            if (peer.sleeping) {
                peer.wake();
            }
        }
    }

    /**
     * Frees what the other workers gave back, then takes what they handed to this worker: each buffer is queued for
     * its node where it lies (and traced here when it was traced there, under a {@code handoff_trace} record); it
     * goes home when this worker frees it. Returns the buffers taken.
     */
    private int receiveHandoffs() {
        WorkerHandoff queues = handoff;
        queues.reclaim(pool);
        int total = 0;
        int workers = queues.workers();
        for (int source = 0; source < workers; source++) {
            HandoffRing ring = queues.incoming(source);
            if (ring == null) {
                continue;
            }
            int n = Math.min(ring.available(), HANDOFF_BATCH);
            if (n == 0) {
                continue;
            }
            // The source wrote these buffers' metadata and first data lines on its core: read one word of each in a
            // loop of independent loads, so that their misses overlap instead of each node's first read waiting.
            MemorySegment memory = pool.segment();
            long read = 0;
            for (int i = 0; i < n; i++) {
                long base = BufferPool.base(WorkerHandoff.entryBuffer(ring.entry(i)));
                read ^= memory.get(ValueLayout.JAVA_LONG, base)
                        ^ memory.get(ValueLayout.JAVA_LONG, base + BufferPool.METADATA_SIZE + BufferPool.HEADROOM);
            }
            touched ^= read;
            for (int i = 0; i < n; i++) {
                long entry = ring.entry(i);
                int slot = WorkerHandoff.entrySlot(entry);
                int bi = WorkerHandoff.entryBuffer(entry);
                if (slot >= rings.length) {
                    // the source runs a graph this worker has not taken yet: take it now
                    adoptCurrent();
                }
                if (slot >= rings.length) {
                    if (slot < handoffNoBuffer.length) {
                        handoffNoBuffer[slot]++;
                    }
                    pool.free(bi);
                    continue;
                }
                int sourceTrace = pool.traceHandle(bi);
                boolean traced = sourceTrace >= 0;
                if (traced) {
                    traceArrival(bi, source, sourceTrace);
                }
                enqueue(slot, bi, traced);
            }
            ring.take(n);
            total += n;
        }
        handoffReceived += total;
        return total;
    }

    /** A handed-off traced buffer starts a packet in this worker's trace, as VPP's "HANDED-OFF" record. */
    private void traceArrival(int bi, int source, int sourceTrace) {
        int packet = traceRing.newPacket();
        pool.setTraceHandle(bi, packet);
        if (handoffTraceSlot >= 0) {
            long record = traceRing.append(packet, handoffTraceSlot);
            if (record >= 0) {
                HandoffTraceNode.write(traceRing.segment(), record, source, sourceTrace);
            }
        }
    }

    private void enqueue(int slot, int bi, boolean traced) {
        int count = ringCount[slot];
        if (count == ringCapacity) {
            pool.free(bi);
            parkedOverflow[slot]++;
            return;
        }
        rings[slot][(ringHead[slot] + count) & ringMask] = bi;
        ringCount[slot] = count + 1;
        ringTraced[slot] |= traced;
    }

    /** Test harness: queues {@code bi} for {@code slot} as if a node had sent it there. */
    void inject(int slot, int bi, boolean traced) {
        GraphSnapshot current = workerPool.snapshot();
        if (current != snapshot) {
            adopt(current);
        }
        if (traced) {
            pool.setTraceHandle(bi, traceRing.newPacket());
        }
        enqueue(slot, bi, traced);
    }

    /** Binds this worker's contexts to a newly published graph. Runs on the worker, or under the barrier. */
    void adopt(GraphSnapshot next) {
        SlotPlan[] plans = next.plans;
        int slots = plans.length;
        if (slots > contexts.length) {
            int old = contexts.length;
            contexts = Arrays.copyOf(contexts, slots);
            rings = Arrays.copyOf(rings, slots);
            for (int s = old; s < slots; s++) {
                rings[s] = new int[ringCapacity];
            }
            ringHead = Arrays.copyOf(ringHead, slots);
            ringCount = Arrays.copyOf(ringCount, slots);
            ringTraced = Arrays.copyOf(ringTraced, slots);
            calls = Arrays.copyOf(calls, slots);
            vectors = Arrays.copyOf(vectors, slots);
            clockNanos = Arrays.copyOf(clockNanos, slots);
            parkedOverflow = Arrays.copyOf(parkedOverflow, slots);
            badNextArc = Arrays.copyOf(badNextArc, slots);
            nodeExceptions = Arrays.copyOf(nodeExceptions, slots);
            nodeFailed = Arrays.copyOf(nodeFailed, slots);
            failedNodes = Arrays.copyOf(failedNodes, slots);
            lastExceptionLogged = Arrays.copyOf(lastExceptionLogged, slots);
            handoffNoBuffer = Arrays.copyOf(handoffNoBuffer, slots);
        }
        int[] inputs = new int[slots];
        int inputCount = 0;
        int drop = -1;
        int handoffTrace = -1;
        for (SlotPlan plan : plans) {
            int s = plan.slot;
            if (GraphRuntime.ERROR_DROP.equals(plan.name)) {
                drop = s;
            } else if (HandoffTraceNode.NAME.equals(plan.name)) {
                handoffTrace = s;
            }
            if (contexts[s] == null) {
                contexts[s] = new NodeContext(pool, traceRing, workerPool.capture, s, index, plan.errorCount());
            }
            NodeContext context = contexts[s];
            context.bindErrorCount(plan.errorCount());
            context.bindErrorBase(next.errorBase[s]);
            context.bindFeatureNext(plan.featureNextBySw, plan.featureNextDefault);
            context.bindFeatureStart(plan.featureStartBySw, plan.featureStartDefault);
            context.bindHandoff(handoff, plan.nextSlots);
            if (plan.registration != null && plan.registration.kind() == NodeKind.INPUT
                    && workerPool.pollsInput(index, s, plan.name, plan.node)) {
                inputs[inputCount++] = s;
            }
        }
        inputSlots = Arrays.copyOf(inputs, inputCount);
        dropSlot = drop;
        handoffTraceSlot = handoffTrace;
        snapshot = next;
        adoptedVersion = next.version;
    }

    /** Binds this worker to the published graph if it runs an older one. On the worker, or under the barrier. */
    void adoptCurrent() {
        GraphSnapshot current = workerPool.snapshot();
        if (current != null && current != snapshot) {
            adopt(current);
        }
    }

    NodeContext context(int slot) {
        GraphSnapshot current = workerPool.snapshot();
        if (current != snapshot) {
            adopt(current);
        }
        return slot < contexts.length ? contexts[slot] : null;
    }

    /** Buffers waiting at {@code slot}: parked ones while its node is absent. */
    int pending(int slot) {
        return slot < ringCount.length ? ringCount[slot] : 0;
    }

    /**
     * With every thread stopped: frees the buffers other workers handed to this one and it never took (into their
     * owners' pools), then what came back to this one. Call on every worker before {@link #releaseAll}.
     */
    void releaseHandoffs() {
        if (handoff == null) {
            return;
        }
        for (int source = 0; source < handoff.workers(); source++) {
            HandoffRing ring = handoff.incoming(source);
            if (ring == null) {
                continue;
            }
            int n = ring.available();
            for (int i = 0; i < n; i++) {
                int sourceBi = WorkerHandoff.entryBuffer(ring.entry(i));
                handoff.giveBack(source, sourceBi);
            }
            ring.take(n);
            handoff.publishReturns(source);
        }
    }

    /** With every thread stopped and {@link #releaseHandoffs} done on all: frees what came back to this worker. */
    void reclaimHandoffs() {
        if (handoff != null) {
            handoff.reclaim(pool);
        }
    }

    /**
     * With every thread stopped and {@link #releaseAll} done on all: frees the other workers' buffers freed here
     * straight into their owners' pools (no thread touches them any more).
     */
    void freeForeignAtHome() {
        int n = pool.drainForeign(homeward);
        for (int i = 0; i < n; i++) {
            int bi = homeward[i];
            workerPool.worker(pool.owner(bi)).pool.free(bi);
        }
    }

    /** Frees everything still queued: used when the engine stops. */
    void releaseAll() {
        for (int s = 0; s < ringCount.length; s++) {
            while (ringCount[s] > 0) {
                pool.free(rings[s][ringHead[s]]);
                ringHead[s] = (ringHead[s] + 1) & ringMask;
                ringCount[s]--;
            }
        }
    }
}
