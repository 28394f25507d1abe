package io.sluice.graph.runtime;

import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.PacketCapture;
import io.sluice.graph.api.QueuePlacedInput;
import io.sluice.graph.api.TraceContext;
import io.sluice.graph.api.TraceFilter;
import io.sluice.graph.api.TraceNodeFilter;
import io.sluice.packet.api.BufferPool;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The graph runtime as a Declarative Services component: it wires the parts and serves {@link GraphRuntime}.
 * Nodes (OSGi services, or added directly in tests) go into the {@link NodeRegistry}; the control plane's feature
 * choices into a {@link FeatureState}; each change compiles both into a new snapshot ({@link GraphBuilder}) that
 * the {@link WorkerPool} publishes to the workers. Traces are {@link TraceService}'s, counters
 * {@link Statistics}', memory kept across bundle updates {@link RetainedSegments}', packet capture to pcapng files
 * {@link PcapRecorder}'s (files under {@code ${karaf.data}/pcap}).
 */
@Component(service = {GraphRuntime.class, PacketCapture.class}, immediate = true,
        configurationPid = {"io.sluice.hardware", "io.sluice.graph"})
public final class GraphEngine implements GraphRuntime, PacketCapture {

    private static final System.Logger LOG = System.getLogger(GraphEngine.class.getName());
    /** While the box starts, bundles register their nodes in any order: a missing name is no warning yet. */
    private static final long STARTUP_NANOS = 30_000_000_000L;

    /** Guards the registry, the feature state, the problems and the building of snapshots. */
    private final Object lock = new Object();
    private final NodeRegistry registry = new NodeRegistry();
    private FeatureState features = FeatureState.EMPTY;
    private List<GraphBuilder.Problem> problems = List.of();
    private long version;

    private final WorkerPool workers = new WorkerPool();
    private final TraceService trace = new TraceService(registry, workers);
    private final Statistics statistics = new Statistics(registry, workers);
    private final RetainedSegments retained = new RetainedSegments(workers);
    private final PcapRecorder pcap;

    private GraphOptions options;
    private long configuredAtNanos = System.nanoTime();

    /** For Declarative Services: configured and started by {@link #activate}. */
    public GraphEngine() {
        this(Path.of(System.getProperty("karaf.data", "data"), "pcap"));
    }

    private GraphEngine(Path captureDirectory) {
        this.pcap = new PcapRecorder(workers, trace::traceContext, captureDirectory);
        synchronized (lock) {
            registry.add(new ErrorDropNode());
        }
    }

    /** For tests and benchmarks: an engine with its workers created but not started (see {@link #runOnce}). */
    public GraphEngine(GraphOptions options) {
        this();
        configure(options);
    }

    /** For tests: as {@link #GraphEngine(GraphOptions)}, with pcap files written into {@code captureDirectory}. */
    public GraphEngine(GraphOptions options, Path captureDirectory) {
        this(captureDirectory);
        configure(options);
    }

    @Activate
    void activate(Map<String, Object> properties) {
        GraphOptions configured;
        try {
            // the hardware profile's cores apply unless io.sluice.graph (the later PID, whose keys win) says otherwise
            configured = GraphOptions.from(ProfileCores.apply(properties));
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
        synchronized (lock) {
            this.options = options;
            this.configuredAtNanos = System.nanoTime();
            workers.create(options);
            if (options.workers() > 1) {
                // only a graph of several workers hands buffers off: with one, node:list stays as it was
                registry.add(new HandoffTraceNode());
            }
            rebuild();
        }
    }

    public GraphOptions options() {
        return options;
    }

    /** Starts one thread per worker; worker 0 is {@code sluice_main}, as VPP's thread 0 is vpp_main. */
    public void start() {
        workers.start();
    }

    /** Stops the workers, frees what they still hold, and releases the native memory. */
    public void stop() {
        pcap.stop();
        workers.stop();
        retained.closeAll();
    }

    @Override
    public void wakeWorkers() {
        workers.wakeSleeping();
    }

    @Override
    public List<WorkerHealth> workerHealth() {
        return workers.watchdog.health(System.nanoTime());
    }

    /** For tests: how long the watchdog lets a worker stay in one node call, and how long barriers wait. */
    void setStallLimits(long stallNanos, long barrierTimeoutNanos) {
        workers.watchdog.stallNanos = stallNanos;
        workers.barrierTimeoutNanos = barrierTimeoutNanos;
    }

    /** For tests: also how long a worker may stay in one node call before the watchdog restarts it without it. */
    void setStallLimits(long stallNanos, long barrierTimeoutNanos, long quarantineNanos) {
        setStallLimits(stallNanos, barrierTimeoutNanos);
        workers.watchdog.quarantineNanos = quarantineNanos;
    }

    @Override
    public List<WorkerRxMode> rxModes() {
        return workers.rxModes();
    }

    @Override
    public int inputWorker(String node) {
        int slot;
        synchronized (lock) {
            slot = registry.slot(node);
        }
        return workers.inputWorker(slot, node);
    }

    @Override
    public boolean inputPlacedByConfiguration(String node) {
        return workers.placedByConfiguration(node);
    }

    @Override
    public void placeQueues(String node) {
        Node instance;
        synchronized (lock) {
            int slot = registry.slot(node);
            instance = slot < 0 ? null : registry.node(slot);
        }
        if (instance instanceof QueuePlacedInput placed) {
            // outside the graph's lock: placing takes the node's and asks the graph where the node is placed
            workers.withBarrier(() -> {
                placed.placeQueues();
                return null;
            });
        }
    }

    @Override
    public int pollingWorker(String node) {
        int slot;
        synchronized (lock) {
            slot = registry.slot(node);
        }
        return slot < 0 ? -1 : workers.pollingWorker(slot, node);
    }

    @Override
    public int pollingWorker(String node, int swIfIndex, int queue) {
        int slot;
        synchronized (lock) {
            slot = registry.slot(node);
        }
        return slot < 0 ? -1 : workers.pollingWorker(slot, node, swIfIndex, queue);
    }

    @Override
    public MemorySegment retainedSegment(String name, long bytes) {
        return retained.get(name, bytes);
    }

    @Override
    public void releaseRetainedSegment(String name) {
        retained.release(name);
    }

    // ---- packet capture ----

    @Override
    public CaptureStatus startCapture(CaptureRequest request) {
        return pcap.start(request);
    }

    @Override
    public CaptureStatus stopCapture() {
        return pcap.stop();
    }

    @Override
    public CaptureStatus captureStatus() {
        return pcap.status();
    }

    // ---- test harness and packet tools (workers not started) ----

    /** One pass of worker {@code w} on the calling thread. */
    public int runOnce(int w) {
        return workers.worker(w).runOnce();
    }

    /** Passes of worker 0 until one finds nothing to do. */
    public int runUntilIdle() {
        int total = 0;
        int work;
        do {
            work = workers.worker(0).runOnce();
            total += work;
        } while (work > 0);
        return total;
    }

    /** Queues buffer {@code bi} (from worker 0's pool) for node {@code node}, marked for tracing when {@code traced}. */
    public void inject(String node, int bi, boolean traced) {
        int slot;
        synchronized (lock) {
            slot = registry.slot(node);
            if (slot < 0) {
                slot = registry.slotOf(node);
                rebuild();
            }
        }
        workers.worker(0).inject(slot, bi, traced);
    }

    public BufferPool pool(int worker) {
        return workers.worker(worker).pool;
    }

    /** Buffers waiting for node {@code name} on worker {@code w}: parked ones while it is absent. */
    public int pending(int w, String name) {
        int slot = registry.slot(name);
        return slot < 0 ? 0 : workers.worker(w).pending(slot);
    }

    // ---- nodes ----

    @Override
    @Reference(service = Node.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeNode")
    public void addNode(Node node) {
        synchronized (lock) {
            registry.add(node);
            rebuild();
        }
        if (node instanceof QueuePlacedInput) {
            placeQueues(node.registration().name());
        }
    }

    /**
     * Removes the node and returns once no worker can still be running it: every running worker has taken the
     * graph without it (at a frame boundary; nobody is paused for it). The caller may then free what the node
     * used (a NAT44 bundle closing its session file, say).
     */
    @Override
    public void removeNode(Node node) {
        GraphSnapshot without = null;
        synchronized (lock) {
            if (registry.remove(node)) {
                without = rebuild();
            }
        }
        if (without != null) {
            workers.awaitAdoption(without);
        }
    }

    // ---- feature arcs ----

    @Override
    public void enableFeature(String arc, String node, int swIfIndex, boolean enable) {
        synchronized (lock) {
            if (registry.arc(arc) == null) {
                throw new IllegalArgumentException("no feature arc named '" + arc + "' (known: "
                        + registry.arcs().keySet() + ")");
            }
            NodeRegistration registration = registry.registration(node);
            FeatureRegistration feature = registration == null ? null : registration.feature();
            if (feature == null || !feature.arc().equals(arc) || feature.continuesAfter() != null) {
                throw new IllegalArgumentException("node '" + node + "' is not a feature of arc '" + arc + "'");
            }
            FeatureState.Enabled enabled = new FeatureState.Enabled(arc, node, swIfIndex);
            FeatureState changed = enable ? features.with(enabled) : features.without(enabled);
            if (changed != features) {
                features = changed;
                rebuild();
            }
        }
    }

    @Override
    public void setFeatureArcEnd(String arc, int swIfIndex, String endNode) {
        synchronized (lock) {
            features = features.withEnd(new FeatureState.ArcEnd(arc, swIfIndex, endNode));
            rebuild();
        }
    }

    @Override
    public List<String> enabledFeatures(String arc, int swIfIndex) {
        synchronized (lock) {
            return features.enabledInOrder(arc, swIfIndex, registry.registrations());
        }
    }

    // ---- snapshot building ----

    /**
     * Compiles and publishes the graph (under {@code lock}); returns what was published, or null before the
     * engine is configured (what changed meanwhile is compiled then).
     */
    private GraphSnapshot rebuild() {
        if (options == null) {
            return null;
        }
        GraphBuilder.Result built = GraphBuilder.build(registry, features, options.parkCapacity(), ++version);
        GraphBuilder.claimNewSlots(registry, built.snapshot());
        report(built.problems());
        problems = built.problems();
        workers.publish(built.snapshot());
        return built.snapshot();
    }

    /**
     * Logs the problems that are new since the last graph, at the level their cause deserves: a node being
     * replaced is the normal course of a bundle update (debug); a name nobody registered is expected while the
     * box starts (info) and a mistake after that (warning).
     */
    private void report(List<GraphBuilder.Problem> found) {
        boolean starting = System.nanoTime() - configuredAtNanos < STARTUP_NANOS;
        for (GraphBuilder.Problem problem : found) {
            if (!problems.contains(problem)) {
                LOG.log(levelOf(problem.cause(), starting), problem.text());
            }
        }
    }

    static System.Logger.Level levelOf(GraphBuilder.Cause cause, boolean starting) {
        return switch (cause) {
            case BEING_REPLACED -> System.Logger.Level.DEBUG;
            case MISSING -> starting ? System.Logger.Level.INFO : System.Logger.Level.WARNING;
        };
    }

    // ---- control plane reads ----

    @Override
    public void setTraceContext(TraceContext context) {
        trace.setTraceContext(context);
    }

    @Override
    public TraceContext traceContext() {
        return trace.traceContext();
    }

    @Override
    public List<NodeInfo> nodes() {
        return registry.nodes(workers.snapshot());
    }

    @Override
    public List<String> problems() {
        synchronized (lock) {
            return problems.stream().map(GraphBuilder.Problem::text).toList();
        }
    }

    @Override
    public List<NodeStats> runtimeStats() {
        return statistics.runtimeStats();
    }

    @Override
    public void clearRuntimeStats() {
        statistics.clearRuntimeStats();
    }

    /** "node: counter" for global error index {@code error} in the graph the workers run now, or null. */
    String errorName(int error) {
        GraphSnapshot current = workers.snapshot();
        return current == null ? null : current.errorName(error);
    }

    @Override
    public List<ErrorCount> errors() {
        return statistics.errors();
    }

    @Override
    public void clearErrors() {
        statistics.clearErrors();
    }

    @Override
    public void traceAdd(String inputNode, int count, TraceFilter filter) {
        trace.add(inputNode, count, filter, false);
    }

    @Override
    public void traceAdd(String inputNode, int count, TraceFilter filter, boolean keepLast) {
        trace.add(inputNode, count, filter, keepLast);
    }

    @Override
    public void traceNodeFilter(TraceNodeFilter filter) {
        trace.nodeFilter(filter);
    }

    @Override
    public TraceNodeFilter traceNodeFilter() {
        return trace.nodeFilter();
    }

    @Override
    public String traceShow(int maxPackets) {
        return trace.show(maxPackets);
    }

    @Override
    public void traceClear() {
        trace.clear();
    }

    @Override
    public <T> T withBarrier(Supplier<T> action) {
        return workers.withBarrier(action);
    }

    @Override
    public BarrierStats barrierStats() {
        return workers.barrierStats();
    }

    @Override
    public List<BufferStats> buffers() {
        return workers.buffers();
    }

    @Override
    public List<ThreadRuntime> runtimeByThread() {
        return statistics.runtimeByThread();
    }

    @Override
    public int workerCount() {
        return workers.count();
    }
}
