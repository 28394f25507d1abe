package io.sluice.nat44.internal;

import io.sluice.common.FeatureKey;
import io.sluice.common.LongIntMap;
import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.nat44.api.AddressInfo;
import io.sluice.nat44.api.InterfaceRole;
import io.sluice.nat44.api.Nat44;
import io.sluice.nat44.api.Nat44EventLog;
import io.sluice.nat44.api.SessionInfo;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.nat44.api.Timeouts;
import io.sluice.nat44.api.UserInfo;
import io.sluice.vnet.api.InterfaceTable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

/**
 * The NAT44 control plane: opens the session table (mapped file), owns the {@link Nat44Dataplane} the nodes
 * attach to, applies configuration PID {@value Nat44Settings#PID} (address pool, interface roles as feature
 * enables, timeouts, limits, static mappings), and runs the housekeeping thread that expires idle sessions,
 * retries interface roles whose interface or node is not there yet, and flushes the mapped file.
 *
 * <p>Also published under this class, a bundle-private service (the package is not exported), so the NAT
 * nodes reach the dataplane by reference instead of casting the public {@link Nat44} service.
 */
@Component(service = {Nat44.class, Nat44EventLog.class, Nat44Runtime.class}, configurationPid = Nat44Settings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
public final class Nat44Runtime implements Nat44, Nat44EventLog {
    private static final System.Logger LOG = System.getLogger(Nat44Runtime.class.getName());
    private static final long FORCE_EVERY_MILLIS = 30_000;

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private final Nat44Dataplane dataplane;
    private final LongSupplier clock;
    /**
     * The graph's workers, read once: the graph component restarts (and this one with it) when {@code workers}
     * changes, so it is fixed for this instance's life.
     */
    private final int workers;
    private final Set<FeatureKey> appliedFeatures = new HashSet<>();
    private final ScheduledExecutorService housekeeping;
    private final io.sluice.vnet.api.InterfaceListener interfaceListener;
    private volatile Nat44Settings settings;
    /** Non-null while the configuration given at start was refused and no valid one has come since. */
    private volatile Refusal refusal;
    private volatile List<InterfaceRole> roles = List.of();
    private long lastForce;

    @Activate
    public Nat44Runtime(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces, Map<String, Object> properties)
            throws IOException {
        this(graph, interfaces, properties, System::currentTimeMillis, true);
    }

    /** As Declarative Services starts it: a configuration that does not parse puts the runtime in refusal. */
    Nat44Runtime(GraphRuntime graph, InterfaceTable interfaces, Map<String, ?> properties, LongSupplier clock,
                 boolean startHousekeeping) throws IOException {
        Nat44Settings parsed = null;
        Refusal refused = null;
        try {
            parsed = Nat44Settings.parse(properties);
        } catch (IllegalArgumentException e) {
            refused = Refusal.of(e.getMessage(), properties);
        }
        this(graph, interfaces, parsed == null ? Nat44Settings.parse(Map.of()) : parsed, refused, clock,
                startHousekeeping);
    }

    Nat44Runtime(GraphRuntime graph, InterfaceTable interfaces, Nat44Settings settings, LongSupplier clock,
                 boolean startHousekeeping) throws IOException {
        this(graph, interfaces, settings, null, clock, startHousekeeping);
    }

    /**
     * A configuration refused when the runtime starts. Nothing it would translate may leave as it is, so until a
     * valid one arrives nat44-in2out-output sits on the interfaces the file names as outside or output-feature
     * (on every interface when it names none) and drops every packet there, counted as no-configuration. The
     * session file is not opened: its sessions wait, untouched, for a start with a valid configuration.
     */
    record Refusal(String reason, List<String> guarded, boolean sessionFile) {
        static Refusal of(String reason, Map<String, ?> properties) {
            return new Refusal(reason, guarded(properties), false);
        }

        /**
         * The configuration is valid but its session file cannot be backed (a full disk, no permission): sessions
         * the file cannot hold must not be made, and nothing may leave untranslated, so the same guard as for a
         * refused configuration, until a restart finds the file usable. A new configuration does not lift it.
         */
        static Refusal ofSessionFile(String reason, Nat44Settings settings) {
            Set<String> names = new java.util.LinkedHashSet<>(settings.outputFeature());
            names.addAll(settings.outside());
            return new Refusal(reason, List.copyOf(names), true);
        }

        private static List<String> guarded(Map<String, ?> properties) {
            Set<String> names = new java.util.LinkedHashSet<>(Nat44Settings.names(properties.get("output-feature")));
            names.addAll(Nat44Settings.names(properties.get("outside")));
            return List.copyOf(names);
        }
    }

    private static final int REFUSED_TABLE_CAPACITY = 1024;

    private Nat44Runtime(GraphRuntime graph, InterfaceTable interfaces, Nat44Settings settings, Refusal refused,
                         LongSupplier clock, boolean startHousekeeping) throws IOException {
        this.graph = graph;
        this.interfaces = interfaces;
        this.clock = clock;
        SessionTable table = null;
        if (refused == null && settings.sessionFile() != null) {
            try {
                table = SessionTable.open(settings.sessionFile(), settings.maxSessions());
            } catch (IOException | RuntimeException e) {
                refused = Refusal.ofSessionFile(Nat44Settings.PID + ": session-file cannot be used: " + e.getMessage(),
                        settings);
            }
        }
        this.refusal = refused;
        if (table != null) {
            if (table.fileOutcome() == io.sluice.common.state.StateFile.Outcome.MIGRATED) {
                LOG.log(System.Logger.Level.INFO, table.file() + ": " + table.count() + " NAT44 sessions kept"
                        + " through the migration to the checked file format");
            }
        } else if (refused != null) {
            LOG.log(System.Logger.Level.ERROR, refused.reason() + "; NAT44 refuses to forward until "
                    + (refused.sessionFile() ? "the session file can be backed and the component restarts"
                    : "the file is corrected") + ": everything leaving " + (refused.guarded().isEmpty() ? "any interface"
                    : String.join(", ", refused.guarded())) + " is dropped (nat44-in2out-output/no-configuration),"
                    + " and the session file is left untouched");
            table = SessionTable.anonymous(REFUSED_TABLE_CAPACITY);
        } else {
            LOG.log(System.Logger.Level.WARNING, Nat44Settings.PID + ": no session-file and no karaf.data: sessions"
                    + " are kept in memory only and do not survive a restart");
            table = SessionTable.anonymous(settings.maxSessions());
        }
        this.dataplane = new Nat44Dataplane(table, clock);
        this.workers = Math.clamp(graph.workerCount(), 1, PortAllocator.MAX_WORKERS);
        apply(settings);
        if (workers > 1) {
            // after the pool is known: the split re-marks the restored sessions' ports in the new allocator
            splitPortsBetweenWorkers();
        }
        if (startHousekeeping) {
            housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "nat44-housekeeping");
                thread.setDaemon(true);
                return thread;
            });
            housekeeping.scheduleWithFixedDelay(this::housekeep, 1, 1, TimeUnit.SECONDS);
            // An interface appearing (a driver registering its port) gets its NAT features at once, not at the
            // next housekeeping tick: packets must not leave untranslated in between. Applied on the
            // housekeeping thread: the interface table calls listeners with its own lock held.
            interfaceListener = (previous, current) -> {
                try {
                    housekeeping.execute(this::applyInterfaces);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // deactivating: nothing more to apply
                }
            };
            interfaces.addListener(interfaceListener);
        } else {
            housekeeping = null;
            interfaceListener = null;
        }
    }

    @Modified
    void modified(Map<String, Object> properties) {
        Nat44Settings next;
        try {
            next = Nat44Settings.parse(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; the previous configuration stays in force");
            return;
        }
        Nat44Settings current = settings;
        if (refusal != null && refusal.sessionFile()) {
            LOG.log(System.Logger.Level.ERROR, refusal.reason() + "; NAT44 still refuses to forward: its session file"
                    + " is checked again when the component restarts (bundle:restart sluice-nat44)");
            return;
        }
        if (refusal != null) {
            LOG.log(System.Logger.Level.WARNING, Nat44Settings.PID + ": a valid configuration replaces the one refused"
                    + " at start and NAT44 forwards again; its sessions are kept in memory (" + REFUSED_TABLE_CAPACITY
                    + " at most) until the component restarts with the session file (bundle:restart sluice-nat44)");
            refusal = null;
        } else if (next.maxSessions() != current.maxSessions()
                || !java.util.Objects.equals(next.sessionFile(), current.sessionFile())) {
            LOG.log(System.Logger.Level.WARNING, Nat44Settings.PID + ": max-sessions and session-file take effect"
                    + " when the component restarts; the other keys are applied now");
        }
        apply(next);
    }

    /**
     * Splits the dynamic ports into one block per graph worker ({@link PortAllocator#owner}), which the out2in
     * handoff reads a returning packet's owner from. A change of {@code workers} restarts the graph component and
     * so this one: the restored sessions whose outside port lies in another worker's block than the one their
     * inside address hashes to (made under another worker count) would have their two directions on two workers,
     * so they are deleted here, logged with their number; with one worker no session is.
     */
    private void splitPortsBetweenWorkers() {
        SessionTable table = dataplane.table();
        synchronized (table.lock()) {
            dataplane.setWorkers(workers, new java.util.SplittableRandom(new java.security.SecureRandom().nextLong()));
            PortAllocator ports = dataplane.ports();
            int deleted = 0;
            for (int s = 0; s < table.capacity(); s++) {
                if (!table.inUse(s) || table.isStatic(s)) {
                    continue;
                }
                int port = SessionTable.keyPort(table.outKey(s));
                if (port >= PortAllocator.FIRST_PORT && ports.owner(port)
                        != Nat44WorkerOwner.ofInsideAddress(SessionTable.keyAddress(table.inKey(s)), workers)) {
                    dataplane.delete(s);
                    deleted++;
                }
            }
            if (deleted > 0) {
                LOG.log(System.Logger.Level.WARNING, deleted + " NAT44 sessions made under another worker count"
                        + " deleted: their outside port is not in the block of their inside address's worker ("
                        + workers + " workers)");
            }
        }
    }

    /** The graph's worker count this runtime split the ports for. */
    int workers() {
        return workers;
    }

    /** Applies a validated configuration: pool, policy (timeouts, limits, mappings), interface roles. */
    synchronized void apply(Nat44Settings next) {
        Nat44Settings previous = settings;
        settings = next;
        if (previous == null || !java.util.Arrays.equals(previous.addresses(), next.addresses())) {
            dataplane.setAddresses(next.addresses());
        }
        applyInterfaces();
    }

    /** Resolves interface names, publishes the roles to the dataplane and enables the features they need. */
    synchronized void applyInterfaces() {
        if (refusal != null) {
            guardInterfaces(refusal);
            return;
        }
        Nat44Settings current = settings;
        List<InterfaceRole> resolved = new ArrayList<>();
        Set<String> names = new java.util.LinkedHashSet<>();
        names.addAll(current.inside());
        names.addAll(current.outside());
        names.addAll(current.outputFeature());
        int maxSw = -1;
        for (String name : names) {
            int sw = interfaces.find(name);
            boolean outputFeature = current.outputFeature().contains(name);
            resolved.add(new InterfaceRole(name, sw, current.inside().contains(name),
                    outputFeature || current.outside().contains(name), outputFeature));
            maxSw = Math.max(maxSw, sw);
        }
        byte[] roleBySw = new byte[maxSw + 1];
        Set<FeatureKey> wanted = new HashSet<>();
        for (InterfaceRole role : resolved) {
            if (role.swIfIndex() < 0) {
                continue;
            }
            roleBySw[role.swIfIndex()] |= (byte) ((role.inside() ? Nat44Policy.ROLE_INSIDE : 0)
                    | (role.outside() ? Nat44Policy.ROLE_OUTSIDE : 0)
                    | (role.outputFeature() ? Nat44Policy.ROLE_OUTPUT_FEATURE : 0));
            wanted.add(new FeatureKey(FeatureArc.IP4_UNICAST, Nat44Out2InNode.NAME, role.swIfIndex()));
            if (role.outputFeature()) {
                wanted.add(new FeatureKey(FeatureArc.IP4_OUTPUT, Nat44In2OutOutputNode.NAME, role.swIfIndex()));
            }
            if (workers > 1) {
                // VPP's nat44-ed handoffs: both directions of a flow on the worker that owns its session
                if (role.outside()) {
                    wanted.add(new FeatureKey(FeatureArc.IP4_UNICAST, Nat44Out2InWorkerHandoffNode.NAME,
                            role.swIfIndex()));
                }
                if (role.outputFeature()) {
                    wanted.add(new FeatureKey(FeatureArc.IP4_OUTPUT, Nat44In2OutOutputWorkerHandoffNode.NAME,
                            role.swIfIndex()));
                }
            }
        }
        dataplane.setPolicy(new Nat44Policy(roleBySw, current.timeouts(), current.maxSessionsPerInsideAddress(),
                new StaticMappings(current.staticMappings()), current.endpointIndependentFiltering()));
        roles = List.copyOf(resolved);
        for (FeatureKey feature : new ArrayList<>(appliedFeatures)) {
            if (!wanted.contains(feature) && setFeature(feature, false)) {
                appliedFeatures.remove(feature);
            }
        }
        for (FeatureKey feature : wanted) {
            if (!appliedFeatures.contains(feature) && setFeature(feature, true)) {
                appliedFeatures.add(feature);
            }
        }
    }

    /** In refusal: the dropping in2out-output on every guarded interface that exists (never taken off). */
    private void guardInterfaces(Refusal refused) {
        dataplane.setPolicy(Nat44Policy.refusing());
        List<Integer> guarded = new ArrayList<>();
        if (refused.guarded().isEmpty()) {
            for (var stats : interfaces.stats()) {
                guarded.add(interfaces.find(stats.name()));
            }
        } else {
            for (String name : refused.guarded()) {
                guarded.add(interfaces.find(name));
            }
        }
        for (int sw : guarded) {
            FeatureKey feature = new FeatureKey(FeatureArc.IP4_OUTPUT, Nat44In2OutOutputNode.NAME, sw);
            if (sw >= 0 && !appliedFeatures.contains(feature) && setFeature(feature, true)) {
                appliedFeatures.add(feature);
            }
        }
    }

    private boolean setFeature(FeatureKey feature, boolean enable) {
        try {
            graph.enableFeature(feature.arc(), feature.node(), feature.swIfIndex(), enable);
            return true;
        } catch (IllegalArgumentException e) {
            // The node or the arc is not registered yet (bundle start order): housekeeping retries each second.
            return false;
        }
    }

    private void housekeep() {
        try {
            long now = clock.getAsLong();
            dataplane.expireAll(now);
            applyInterfaces();
            if (now - lastForce >= FORCE_EVERY_MILLIS) {
                lastForce = now;
                flushSessionFile();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "nat44 housekeeping failed; retrying in a second", e);
        }
    }

    /**
     * Writes the session file's dirty pages out (msync), not under the table lock: msync may take long on a slow
     * disk, and the slow path takes that lock to make sessions. msync is safe while workers write the mapping.
     */
    void flushSessionFile() {
        dataplane.table().force();
    }

    @Deactivate
    void deactivate() {
        if (interfaceListener != null) {
            interfaces.removeListener(interfaceListener);
        }
        if (housekeeping != null) {
            housekeeping.shutdownNow();
            try {
                housekeeping.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // The features stay where they are: while the bundle is updated the nodes are absent and the graph parks
        // (then drops and counts) what is bound for them, so nothing leaves untranslated; the next instance finds
        // them enabled. Only a configuration that takes a role off an interface removes its feature.
        dataplane.close();
    }

    Nat44Dataplane dataplane() {
        return dataplane;
    }

    /** Why NAT44 refuses to forward (what the log said), or null while it translates. */
    String refusalReason() {
        Refusal current = refusal;
        return current == null ? null : current.reason();
    }

    // ---- Nat44 ----

    @Override
    public List<SessionInfo> sessions(int insideAddress, int limit) {
        SessionTable table = dataplane.table();
        List<SessionInfo> result = new ArrayList<>();
        synchronized (table.lock()) {
            for (int s = 0; s < table.highWater() && result.size() < limit; s++) {
                if (!table.inUse(s)) {
                    continue;
                }
                long inKey = table.inKey(s);
                if (insideAddress != 0 && SessionTable.keyAddress(inKey) != insideAddress) {
                    continue;
                }
                long outKey = table.outKey(s);
                int protocol = SessionTable.keyProtocol(inKey);
                result.add(new SessionInfo(s, protocol, SessionTable.keyAddress(inKey), SessionTable.keyPort(inKey),
                        SessionTable.keyAddress(outKey), SessionTable.keyPort(outKey), table.remoteAddress(s),
                        table.remotePort(s), table.isStatic(s), protocol == 6 ? TcpTracker.name(table.tcpState(s)) : "",
                        table.lastHeard(s), table.expiresAt(s), table.packets(s), table.bytes(s),
                        table.insideSwIfIndex(s)));
            }
        }
        return result;
    }

    @Override
    public List<UserInfo> users() {
        List<UserInfo> result = new ArrayList<>();
        synchronized (dataplane.table().lock()) {
            LongIntMap statics = dataplane.staticUsers();
            LongIntMap dynamics = dataplane.dynamicUsers();
            dynamics.forEach((user, count) -> result.add(new UserInfo((int) user, count, statics.get(user, 0))));
            statics.forEach((user, count) -> {
                if (dynamics.get(user, 0) == 0) {
                    result.add(new UserInfo((int) user, 0, count));
                }
            });
        }
        result.sort(Comparator.comparingLong(u -> u.insideAddress() & 0xffffffffL));
        return result;
    }

    @Override
    public List<InterfaceRole> interfaces() {
        return roles;
    }

    @Override
    public List<AddressInfo> addresses() {
        List<AddressInfo> result = new ArrayList<>();
        synchronized (dataplane.table().lock()) {
            PortAllocator ports = dataplane.ports();
            for (int i = 0; i < ports.addressCount(); i++) {
                result.add(new AddressInfo(ports.address(i), ports.inUse(i, PortAllocator.TCP),
                        ports.inUse(i, PortAllocator.UDP), ports.inUse(i, PortAllocator.ICMP)));
            }
        }
        return result;
    }

    @Override
    public List<StaticMapping> staticMappings() {
        return settings.staticMappings();
    }

    @Override
    public int clearSessions() {
        return clear(0);
    }

    @Override
    public int clearSessions(int insideAddress) {
        return clear(insideAddress);
    }

    private int clear(int insideAddress) {
        SessionTable table = dataplane.table();
        int cleared = 0;
        synchronized (table.lock()) {
            for (int s = 0; s < table.highWater(); s++) {
                if (table.inUse(s) && (insideAddress == 0 || SessionTable.keyAddress(table.inKey(s)) == insideAddress)) {
                    dataplane.delete(s);
                    cleared++;
                }
            }
        }
        return cleared;
    }

    @Override
    public Timeouts timeouts() {
        return settings.timeouts();
    }

    // ---- Nat44EventLog ----

    @Override
    public void enable(int capacity) {
        dataplane.enableEvents(capacity);
    }

    @Override
    public void disable() {
        dataplane.disableEvents();
    }

    @Override
    public boolean enabled() {
        return dataplane.events() != null;
    }

    @Override
    public int drain(long[] records, int max) {
        EventRing ring = dataplane.events();
        return ring == null ? 0 : ring.drain(records, max);
    }

    @Override
    public long recorded() {
        return dataplane.eventsRecorded();
    }

    @Override
    public long lost() {
        return dataplane.eventsLost();
    }

    @Override
    public long sessionCount() {
        return dataplane.table().count();
    }

    @Override
    public long sessionCount(int protocol) {
        return dataplane.table().count(protocol);
    }

    @Override
    public long sessionCapacity() {
        return dataplane.table().capacity();
    }

    /**
     * A dynamic session's port comes from its inside host's worker's block and a static one is handed to the worker
     * of its local address, so both are the worker the inside address hashes to (what the handoffs send it to).
     */
    @Override
    public int owner(SessionInfo session) {
        return workers == 1 ? 0 : Nat44WorkerOwner.ofInsideAddress(session.insideAddress(), workers);
    }
}
