package io.sluice.graph.runtime;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeKind;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.packet.api.BufferPool;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The graph runtime: assembles nodes (OSGi services, or added directly in tests) into immutable snapshots,
 * runs them on worker threads, and serves the control plane. Node slots are named and never reused, so a
 * node that goes away keeps its slot, its counters and its parked buffers for the replacement.
 */
@Component(service = GraphRuntime.class, immediate = true, configurationPid = "io.sluice.graph")
public final class GraphEngine implements GraphRuntime {

    private static final System.Logger LOG = System.getLogger(GraphEngine.class.getName());

    private final Object lock = new Object();
    private final Map<String, Integer> slotByName = new HashMap<>();
    private final List<String> slotNames = new ArrayList<>();
    private final List<Node> nodeBySlot = new ArrayList<>();
    /** Written under {@code lock}; read without it by the control-plane reads (nodes, errors, trace text). */
    private final Map<String, NodeRegistration> lastRegistration = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, FeatureArc> arcs = new LinkedHashMap<>();
    private final Map<String, TreeMap<Integer, Set<String>>> enabledFeatures = new HashMap<>();
    private final Map<String, Map<Integer, String>> arcEnds = new HashMap<>();
    private List<String> problems = List.of();
    private long version;

    volatile GraphSnapshot snapshot;
    volatile boolean barrierRequested;

    private GraphOptions options;
    private long configuredAtNanos = System.nanoTime();
    private static final long STARTUP_NANOS = 30_000_000_000L;
    private Worker[] workers = new Worker[0];
    private Thread[] threads = new Thread[0];
    private volatile TraceContext traceContext = sw -> "sw_if_index " + sw;

    private final Map<String, Arena> retainedArenas = new HashMap<>();
    private final Map<String, MemorySegment> retainedSegments = new HashMap<>();

    private final Object barrierLock = new Object();
    private long barrierCount;
    private long barrierLastNanos;
    private long barrierMaxNanos;
    private long barrierTotalNanos;

    /** For Declarative Services: configured and started by {@link #activate}. */
    public GraphEngine() {
        addNodeInternal(new ErrorDropNode());
    }

    /** For tests and benchmarks: an engine with its workers created but not started (see {@link #runOnce}). */
    public GraphEngine(GraphOptions options) {
        this();
        configure(options);
    }

    @Activate
    void activate(Map<String, Object> properties) {
        GraphOptions configured;
        try {
            configured = GraphOptions.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "io.sluice.graph.cfg: " + e.getMessage() + "; using the defaults");
            configured = GraphOptions.DEFAULTS;
        }
        configure(configured);
        start();
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    private void configure(GraphOptions options) {
        this.options = options;
        this.configuredAtNanos = System.nanoTime();
        workers = new Worker[options.workers()];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker(this, w, new BufferPool(options.buffersPerWorker()),
                    new TraceRing(options.traceRecords()), options.parkCapacity(), IdleStrategy.named(options.idle()));
            workers[w].cpu = options.cpus().length > w ? options.cpus()[w] : -1;
        }
        synchronized (lock) {
            rebuild();
        }
    }

    public GraphOptions options() {
        return options;
    }

    /** Starts one thread per worker; worker 0 is {@code sluice_main}, as VPP's thread 0 is vpp_main. */
    public void start() {
        threads = new Thread[workers.length];
        for (int w = 0; w < workers.length; w++) {
            Worker worker = workers[w];
            worker.running = true;
            threads[w] = new Thread(worker, threadName(w));
            threads[w].setDaemon(true);
            threads[w].start();
        }
    }

    /** Stops the workers, frees what they still hold, and releases the native memory. */
    public void stop() {
        for (Worker worker : workers) {
            worker.running = false;
        }
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads = new Thread[0];
        for (Worker worker : workers) {
            worker.releaseAll();
            worker.pool.close();
            worker.traceRing.close();
        }
        synchronized (retainedSegments) {
            retainedArenas.values().forEach(Arena::close);
            retainedArenas.clear();
            retainedSegments.clear();
        }
    }

    @Override
    public MemorySegment retainedSegment(String name, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("retained segment '" + name + "': size must be positive, got " + bytes);
        }
        synchronized (retainedSegments) {
            MemorySegment existing = retainedSegments.get(name);
            if (existing != null) {
                if (existing.byteSize() != bytes) {
                    throw new IllegalArgumentException("retained segment '" + name + "' holds " + existing.byteSize()
                            + " bytes; " + bytes + " were asked for (release it first to resize)");
                }
                return existing;
            }
            Arena arena = Arena.ofShared();
            MemorySegment made = arena.allocate(bytes, 64);
            retainedArenas.put(name, arena);
            retainedSegments.put(name, made);
            return made;
        }
    }

    @Override
    public void releaseRetainedSegment(String name) {
        Arena arena;
        synchronized (retainedSegments) {
            arena = retainedArenas.remove(name);
            retainedSegments.remove(name);
        }
        if (arena != null) {
            // Under the barrier: no worker may be reading the memory while it goes.
            withBarrier(() -> {
                arena.close();
                return null;
            });
        }
    }

    private static String threadName(int worker) {
        return worker == 0 ? "sluice_main" : "sluice_wk_" + (worker - 1);
    }

    /** Test harness: one pass of worker {@code w} on the calling thread (workers must not be started). */
    public int runOnce(int w) {
        return workers[w].runOnce();
    }

    /** Test harness: passes of worker 0 until one finds nothing to do. */
    public int runUntilIdle() {
        int total = 0;
        int work;
        do {
            work = workers[0].runOnce();
            total += work;
        } while (work > 0);
        return total;
    }

    /**
     * Test harness and packet tools: queues buffer {@code bi} (from worker 0's pool) for node {@code node},
     * marked for tracing when {@code traced}. Workers must not be started.
     */
    public void inject(String node, int bi, boolean traced) {
        int slot;
        synchronized (lock) {
            Integer known = slotByName.get(node);
            if (known == null) {
                slot = slotOf(node);
                rebuild();
            } else {
                slot = known;
            }
        }
        workers[0].inject(slot, bi, traced);
    }

    public BufferPool pool(int worker) {
        return workers[worker].pool;
    }

    /** Buffers waiting for node {@code name} on worker {@code w}: parked ones while it is absent. */
    public int pending(int w, String name) {
        Integer slot;
        synchronized (lock) {
            slot = slotByName.get(name);
        }
        return slot == null ? 0 : workers[w].pending(slot);
    }

    boolean pollsInput(int worker, int slot) {
        return slot % workers.length == worker;
    }

    // ---- nodes ----

    @Override
    @Reference(service = Node.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeNode")
    public void addNode(Node node) {
        synchronized (lock) {
            addNodeInternal(node);
        }
    }

    private void addNodeInternal(Node node) {
        synchronized (lock) {
            NodeRegistration registration = node.registration();
            int slot = slotOf(registration.name());
            nodeBySlot.set(slot, node);
            lastRegistration.put(registration.name(), registration);
            for (FeatureArc arc : registration.startsArcs()) {
                arcs.put(arc.name(), arc);
            }
            if (workers.length > 0) {
                rebuild();
            }
        }
    }

    /**
     * Removes the node and returns once no worker can still be running it: the barrier after the new graph is
     * published waits for every worker to reach a frame boundary, after which they run the new graph. The
     * caller may then free what the node used (a NAT44 bundle closing its session file, say).
     */
    @Override
    public void removeNode(Node node) {
        boolean removed = false;
        synchronized (lock) {
            Integer slot = slotByName.get(node.registration().name());
            if (slot != null && nodeBySlot.get(slot) == node) {
                nodeBySlot.set(slot, null);
                rebuild();
                removed = true;
            }
        }
        if (removed && workersRunning()) {
            withBarrier(() -> null);
        }
    }

    private boolean workersRunning() {
        for (Worker worker : workers) {
            if (worker.running) {
                return true;
            }
        }
        return false;
    }

    private int slotOf(String name) {
        Integer slot = slotByName.get(name);
        if (slot != null) {
            return slot;
        }
        int created = slotNames.size();
        slotByName.put(name, created);
        slotNames.add(name);
        nodeBySlot.add(null);
        return created;
    }

    // ---- feature arcs ----

    @Override
    public void enableFeature(String arc, String node, int swIfIndex, boolean enable) {
        synchronized (lock) {
            if (!arcs.containsKey(arc)) {
                throw new IllegalArgumentException("no feature arc named '" + arc + "' (known: " + arcs.keySet() + ")");
            }
            NodeRegistration registration = lastRegistration.get(node);
            if (registration == null || registration.feature() == null
                    || !registration.feature().arc().equals(arc) || registration.feature().continuesAfter() != null) {
                throw new IllegalArgumentException("node '" + node + "' is not a feature of arc '" + arc + "'");
            }
            Set<String> enabled = enabledFeatures.computeIfAbsent(arc, a -> new TreeMap<>())
                    .computeIfAbsent(swIfIndex, sw -> new LinkedHashSet<>());
            boolean changed = enable ? enabled.add(node) : enabled.remove(node);
            if (changed) {
                rebuild();
            }
        }
    }

    @Override
    public void setFeatureArcEnd(String arc, int swIfIndex, String endNode) {
        synchronized (lock) {
            arcEnds.computeIfAbsent(arc, a -> new HashMap<>()).put(swIfIndex, endNode);
            rebuild();
        }
    }

    @Override
    public List<String> enabledFeatures(String arc, int swIfIndex) {
        synchronized (lock) {
            List<String> ordered = orderedFeatures(arc);
            Set<String> enabled = enabledFeatures.getOrDefault(arc, new TreeMap<>()).getOrDefault(swIfIndex, Set.of());
            List<String> result = new ArrayList<>();
            for (String name : ordered) {
                if (enabled.contains(name)) {
                    result.add(name);
                }
            }
            return result;
        }
    }

    /** Every feature node of {@code arc} known by registration, ordered by their before/after constraints. */
    private List<String> orderedFeatures(String arc) {
        List<String> members = new ArrayList<>();
        for (Map.Entry<String, NodeRegistration> entry : new TreeMap<>(lastRegistration).entrySet()) {
            FeatureRegistration feature = entry.getValue().feature();
            if (feature != null && feature.arc().equals(arc) && feature.continuesAfter() == null) {
                members.add(entry.getKey());
            }
        }
        Map<String, Set<String>> mustFollow = new HashMap<>();
        for (String name : members) {
            mustFollow.put(name, new LinkedHashSet<>());
        }
        for (String name : members) {
            FeatureRegistration feature = lastRegistration.get(name).feature();
            for (String after : feature.runsAfter()) {
                if (mustFollow.containsKey(after)) {
                    mustFollow.get(name).add(after);
                }
            }
            for (String before : feature.runsBefore()) {
                if (mustFollow.containsKey(before)) {
                    mustFollow.get(before).add(name);
                }
            }
        }
        List<String> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (ordered.size() < members.size()) {
            boolean progress = false;
            for (String name : members) {
                if (!placed.contains(name) && placed.containsAll(mustFollow.get(name))) {
                    ordered.add(name);
                    placed.add(name);
                    progress = true;
                    break;
                }
            }
            if (!progress) {
                for (String name : members) {
                    if (placed.add(name)) {
                        ordered.add(name);
                    }
                }
            }
        }
        return ordered;
    }

    // ---- snapshot building ----

    private void rebuild() {
        List<String> found = new ArrayList<>();
        int knownSlots = slotNames.size();
        List<List<String>> nextNamesBySlot = new ArrayList<>();
        List<int[]> featureNextBySlot = new ArrayList<>();
        int[] featureNextDefaultBySlot = new int[knownSlots];
        List<int[][]> featureStartBySlot = new ArrayList<>();
        List<int[]> featureStartDefaultBySlot = new ArrayList<>();
        Map<String, List<String>> orderedByArc = new HashMap<>();
        for (String arc : arcs.keySet()) {
            orderedByArc.put(arc, orderedFeatures(arc));
        }
        for (int slot = 0; slot < knownSlots; slot++) {
            String name = slotNames.get(slot);
            Node node = nodeBySlot.get(slot);
            NodeRegistration registration = node == null ? null : node.registration();
            List<String> nextNames = new ArrayList<>(registration == null ? List.of() : registration.nextNodes());
            int[] featureNext = new int[0];
            int featureNextDefault = -1;
            int[][] featureStart = new int[0][];
            int[] featureStartDefault = new int[0];
            if (registration != null) {
                FeatureRegistration feature = registration.feature();
                if (feature != null) {
                    FeatureArc arc = arcs.get(feature.arc());
                    if (arc == null) {
                        found.add("node '" + name + "': feature arc '" + feature.arc()
                                + "' is not started by any registered node");
                    } else {
                        String position = feature.continuesAfter() == null ? name : feature.continuesAfter();
                        int swCount = interfaceSpan(arc.name());
                        featureNext = new int[swCount];
                        for (int sw = 0; sw < swCount; sw++) {
                            featureNext[sw] = arcTo(nextNames,
                                    nextAfter(arc, orderedByArc.get(arc.name()), position, sw));
                        }
                        featureNextDefault = arcTo(nextNames, arc.defaultEndNode());
                    }
                }
                List<FeatureArc> started = registration.startsArcs();
                featureStart = new int[started.size()][];
                featureStartDefault = new int[started.size()];
                for (int a = 0; a < started.size(); a++) {
                    FeatureArc arc = started.get(a);
                    int swCount = interfaceSpan(arc.name());
                    featureStart[a] = new int[swCount];
                    for (int sw = 0; sw < swCount; sw++) {
                        featureStart[a][sw] = arcTo(nextNames, nextAfter(arc, orderedByArc.get(arc.name()), null, sw));
                    }
                    featureStartDefault[a] = arcTo(nextNames, arc.defaultEndNode());
                }
            }
            nextNamesBySlot.add(nextNames);
            featureNextBySlot.add(featureNext);
            featureNextDefaultBySlot[slot] = featureNextDefault;
            featureStartBySlot.add(featureStart);
            featureStartDefaultBySlot.add(featureStartDefault);
        }
        // Naming a node that never registered gives it a slot now, so its buffers can park there.
        for (List<String> nextNames : nextNamesBySlot) {
            for (String next : nextNames) {
                slotOf(next);
            }
        }
        int slots = slotNames.size();
        SlotPlan[] plans = new SlotPlan[slots];
        List<Integer> inputs = new ArrayList<>();
        for (int slot = 0; slot < slots; slot++) {
            String name = slotNames.get(slot);
            Node node = nodeBySlot.get(slot);
            NodeRegistration registration = node == null ? lastRegistration.get(name) : node.registration();
            if (slot >= knownSlots) {
                plans[slot] = new SlotPlan(slot, name, null, null, new int[0], new String[0], new int[0], -1,
                        new int[0][], new int[0]);
                continue;
            }
            List<String> nextNames = nextNamesBySlot.get(slot);
            int[] nextSlots = new int[nextNames.size()];
            for (int arc = 0; arc < nextSlots.length; arc++) {
                nextSlots[arc] = slotByName.get(nextNames.get(arc));
                if (node != null && nodeBySlot.get(nextSlots[arc]) == null) {
                    String next = nextNames.get(arc);
                    found.add("node '" + name + "' next arc " + arc + " '" + next + "': "
                            + (lastRegistration.containsKey(next) ? "node is being replaced" : "no such node is registered")
                            + "; buffers sent there are parked (at most " + options.parkCapacity()
                            + " per worker), then dropped and counted");
                }
            }
            if (node != null && registration.kind() == NodeKind.INPUT) {
                inputs.add(slot);
            }
            plans[slot] = new SlotPlan(slot, name, node, registration, nextSlots, nextNames.toArray(new String[0]),
                    featureNextBySlot.get(slot), featureNextDefaultBySlot[slot], featureStartBySlot.get(slot),
                    featureStartDefaultBySlot.get(slot));
        }
        for (Map.Entry<String, TreeMap<Integer, Set<String>>> arc : enabledFeatures.entrySet()) {
            for (Map.Entry<Integer, Set<String>> sw : arc.getValue().entrySet()) {
                for (String feature : sw.getValue()) {
                    Integer slot = slotByName.get(feature);
                    if (slot == null || nodeBySlot.get(slot) == null) {
                        found.add("feature '" + feature + "' enabled on arc '" + arc.getKey() + "' sw_if_index "
                                + sw.getKey() + (lastRegistration.containsKey(feature) ? ": node is being replaced"
                                : " has no registered node") + "; its buffers are parked");
                    }
                }
            }
        }
        // A node being replaced is the normal course of a bundle update, and while the box starts, bundles
        // register their nodes in any order: a name nobody registered is worth a warning only after that.
        boolean starting = System.nanoTime() - configuredAtNanos < STARTUP_NANOS;
        for (String problem : found) {
            if (!problems.contains(problem)) {
                LOG.log(problem.contains("being replaced") ? System.Logger.Level.DEBUG
                        : starting ? System.Logger.Level.INFO : System.Logger.Level.WARNING, problem);
            }
        }
        problems = List.copyOf(found);
        snapshot = new GraphSnapshot(++version, plans, inputs.stream().mapToInt(Integer::intValue).toArray());
    }

    private int interfaceSpan(String arc) {
        int span = 0;
        TreeMap<Integer, Set<String>> enabled = enabledFeatures.get(arc);
        if (enabled != null && !enabled.isEmpty()) {
            span = Math.max(span, enabled.lastKey() + 1);
        }
        Map<Integer, String> ends = arcEnds.get(arc);
        if (ends != null) {
            for (int sw : ends.keySet()) {
                span = Math.max(span, sw + 1);
            }
        }
        return span;
    }

    /** The node after {@code position} (null: the arc's start) on {@code arc} for interface {@code sw}. */
    private String nextAfter(FeatureArc arc, List<String> ordered, String position, int sw) {
        Set<String> enabled = enabledFeatures.getOrDefault(arc.name(), new TreeMap<>()).getOrDefault(sw, Set.of());
        int from = position == null ? 0 : ordered.indexOf(position) + 1;
        for (int i = from; i < ordered.size(); i++) {
            if (enabled.contains(ordered.get(i))) {
                return ordered.get(i);
            }
        }
        return arcEnds.getOrDefault(arc.name(), Map.of()).getOrDefault(sw, arc.defaultEndNode());
    }

    private static int arcTo(List<String> nextNames, String node) {
        int arc = nextNames.indexOf(node);
        if (arc < 0) {
            nextNames.add(node);
            arc = nextNames.size() - 1;
        }
        return arc;
    }

    // ---- control plane reads ----

    @Override
    public void setTraceContext(TraceContext context) {
        this.traceContext = context;
    }

    @Override
    public TraceContext traceContext() {
        return traceContext;
    }

    @Override
    public List<NodeInfo> nodes() {
        GraphSnapshot current = snapshot;
        List<NodeInfo> result = new ArrayList<>();
        for (SlotPlan plan : current.plans) {
            NodeRegistration registration = plan.registration != null ? plan.registration : lastRegistration.get(plan.name);
            NodeKind kind = registration == null ? NodeKind.INTERNAL : registration.kind();
            String arc = registration == null || registration.feature() == null ? "" : registration.feature().arc();
            result.add(new NodeInfo(plan.name, kind, state(plan), List.of(plan.nextNames), arc));
        }
        return result;
    }

    private String state(SlotPlan plan) {
        if (plan.node != null) {
            return "active";
        }
        return lastRegistration.containsKey(plan.name) ? "absent (parking)" : "unresolved (parking)";
    }

    @Override
    public List<String> problems() {
        synchronized (lock) {
            return problems;
        }
    }

    @Override
    public List<NodeStats> runtimeStats() {
        return withBarrier(() -> {
            GraphSnapshot current = snapshot;
            List<NodeStats> result = new ArrayList<>();
            for (SlotPlan plan : current.plans) {
                long calls = 0;
                long vectors = 0;
                long clocks = 0;
                for (Worker worker : workers) {
                    if (plan.slot < worker.calls.length) {
                        calls += worker.calls[plan.slot];
                        vectors += worker.vectors[plan.slot];
                        clocks += worker.clockNanos[plan.slot];
                    }
                }
                NodeRegistration registration = plan.registration != null ? plan.registration : lastRegistration.get(plan.name);
                NodeKind kind = registration == null ? NodeKind.INTERNAL : registration.kind();
                result.add(new NodeStats(plan.name, kind, state(plan), calls, vectors, 0, clocks));
            }
            return result;
        });
    }

    @Override
    public void clearRuntimeStats() {
        withBarrier(() -> {
            for (Worker worker : workers) {
                java.util.Arrays.fill(worker.calls, 0);
                java.util.Arrays.fill(worker.vectors, 0);
                java.util.Arrays.fill(worker.clockNanos, 0);
            }
            return null;
        });
    }

    @Override
    public List<ErrorCount> errors() {
        return withBarrier(() -> {
            GraphSnapshot current = snapshot;
            List<ErrorCount> result = new ArrayList<>();
            for (SlotPlan plan : current.plans) {
                NodeRegistration registration = plan.registration != null ? plan.registration : lastRegistration.get(plan.name);
                if (registration != null) {
                    List<? extends NodeError> errors = registration.errors();
                    for (int e = 0; e < errors.size(); e++) {
                        long count = 0;
                        for (Worker worker : workers) {
                            NodeContext context = worker.context(plan.slot);
                            if (context != null && e < context.errorCounts().length) {
                                count += context.errorCounts()[e];
                            }
                        }
                        NodeError error = errors.get(e);
                        result.add(new ErrorCount(plan.name, error.counterName(), error.description(), count));
                    }
                }
                long overflow = 0;
                long badArc = 0;
                long exceptions = 0;
                for (Worker worker : workers) {
                    if (plan.slot < worker.parkedOverflow.length) {
                        overflow += worker.parkedOverflow[plan.slot];
                        badArc += worker.badNextArc[plan.slot];
                        exceptions += worker.nodeExceptions[plan.slot];
                    }
                }
                if (exceptions > 0) {
                    result.add(new ErrorCount(plan.name, "exception",
                            "frames dropped: the node threw while processing them (see the log)", exceptions));
                }
                if (overflow > 0) {
                    result.add(new ErrorCount(plan.name, "parked-overflow",
                            "buffers dropped: too many waiting for this node", overflow));
                }
                if (badArc > 0) {
                    result.add(new ErrorCount(plan.name, "bad-next-arc",
                            "buffers dropped: the node chose a next arc it does not have", badArc));
                }
            }
            return result;
        });
    }

    @Override
    public void clearErrors() {
        withBarrier(() -> {
            for (Worker worker : workers) {
                for (SlotPlan plan : snapshot.plans) {
                    NodeContext context = worker.context(plan.slot);
                    if (context != null) {
                        java.util.Arrays.fill(context.errorCounts(), 0);
                    }
                }
                java.util.Arrays.fill(worker.parkedOverflow, 0);
                java.util.Arrays.fill(worker.badNextArc, 0);
                java.util.Arrays.fill(worker.nodeExceptions, 0);
            }
            return null;
        });
    }

    // ---- trace ----

    @Override
    public void traceAdd(String inputNode, int count, io.sluice.graph.api.TraceFilter filter) {
        if (count <= 0) {
            throw new IllegalArgumentException("trace add: count must be positive, got " + count);
        }
        Integer slot;
        NodeRegistration registration;
        synchronized (lock) {
            slot = slotByName.get(inputNode);
            registration = lastRegistration.get(inputNode);
        }
        if (slot == null || registration == null) {
            throw new IllegalArgumentException("trace add: no node named '" + inputNode + "'");
        }
        if (registration.kind() != NodeKind.INPUT) {
            throw new IllegalArgumentException("trace add: '" + inputNode + "' is not an input node");
        }
        withBarrier(() -> {
            for (Worker worker : workers) {
                if (pollsInput(worker.index, slot)) {
                    NodeContext context = worker.context(slot);
                    if (context != null) {
                        context.bindTraceRemaining(context.traceRemaining() + count);
                        context.bindTraceFilter(filter);
                    }
                }
            }
            return null;
        });
    }

    @Override
    public String traceShow(int maxPackets) {
        return withBarrier(() -> {
            StringBuilder out = new StringBuilder();
            GraphSnapshot current = snapshot;
            TraceContext names = traceContext;
            for (Worker worker : workers) {
                TraceRing ring = worker.traceRing;
                out.append("------------------- Start of thread ").append(worker.index).append(' ')
                        .append(threadName(worker.index)).append(" -------------------\n");
                if (ring.used() == 0) {
                    out.append("No packets in trace buffer\n");
                    continue;
                }
                Map<Integer, List<Integer>> recordsByPacket = new TreeMap<>();
                for (int r = 0; r < ring.used(); r++) {
                    recordsByPacket.computeIfAbsent(ring.recordPacket(r), p -> new ArrayList<>()).add(r);
                }
                int shown = 0;
                for (Map.Entry<Integer, List<Integer>> packet : recordsByPacket.entrySet()) {
                    if (shown == maxPackets) {
                        break;
                    }
                    shown++;
                    out.append("Packet ").append(packet.getKey() + 1).append("\n\n");
                    for (int r : packet.getValue()) {
                        int slot = ring.recordSlot(r);
                        String nodeName = slot < current.plans.length ? current.plans[slot].name : "node " + slot;
                        out.append(formatTime(ring.recordTimeNanos(r))).append(": ").append(nodeName).append('\n');
                        NodeRegistration registration = lastRegistration.get(nodeName);
                        StringBuilder lines = new StringBuilder();
                        if (registration != null && registration.traceFormatter() != null) {
                            registration.traceFormatter().format(ring.segment(), TraceRing.payloadOffset(r), names, lines);
                        }
                        for (String line : lines.toString().split("\n", -1)) {
                            if (!line.isEmpty()) {
                                out.append("  ").append(line).append('\n');
                            }
                        }
                    }
                    out.append('\n');
                }
                if (ring.refused() > 0) {
                    out.append("(trace buffer full: ").append(ring.refused()).append(" records not kept)\n");
                }
            }
            return out.toString();
        });
    }

    /** VPP's trace time stamp: HH:MM:SS:uuuuuu (wall clock, UTC). */
    static String formatTime(long epochNanos) {
        LocalTime time = LocalTime.ofInstant(Instant.ofEpochSecond(0, epochNanos), ZoneOffset.UTC);
        return String.format("%02d:%02d:%02d:%06d", time.getHour(), time.getMinute(), time.getSecond(),
                time.getNano() / 1000);
    }

    @Override
    public void traceClear() {
        withBarrier(() -> {
            for (Worker worker : workers) {
                worker.traceRing.clear();
                for (SlotPlan plan : snapshot.plans) {
                    NodeContext context = worker.context(plan.slot);
                    if (context != null) {
                        context.bindTraceRemaining(0);
                    }
                }
            }
            return null;
        });
    }

    // ---- barrier ----

    @Override
    public <T> T withBarrier(Supplier<T> action) {
        synchronized (barrierLock) {
            long start = System.nanoTime();
            barrierRequested = true;
            try {
                for (Worker worker : workers) {
                    while (worker.running && !worker.atBarrier) {
                        Thread.onSpinWait();
                    }
                }
                return action.get();
            } finally {
                barrierRequested = false;
                long paused = System.nanoTime() - start;
                barrierCount++;
                barrierLastNanos = paused;
                barrierMaxNanos = Math.max(barrierMaxNanos, paused);
                barrierTotalNanos += paused;
            }
        }
    }

    @Override
    public BarrierStats barrierStats() {
        synchronized (barrierLock) {
            return new BarrierStats(barrierCount, barrierLastNanos, barrierMaxNanos, barrierTotalNanos);
        }
    }

    @Override
    public List<BufferStats> buffers() {
        List<BufferStats> result = new ArrayList<>();
        for (Worker worker : workers) {
            BufferPool pool = worker.pool;
            int outstanding = pool.outstanding();
            result.add(new BufferStats(worker.index, pool.capacity(), pool.capacity() - outstanding, outstanding,
                    pool.allocFailures()));
        }
        return result;
    }

    @Override
    public int workerCount() {
        return workers.length;
    }
}
