package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions;
import io.sluice.graph.api.GraphRuntime;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Holds the off-heap reflect session table for as long as this component lives, independent of the ACL
 * node instances that use it. Configured by the optional PID {@code io.sluice.acl.sessions}:
 * {@code sessions.max} (500000, VPP's default; the slot count is fixed at activation), and the idle
 * timeouts in seconds {@code timeout.tcp.idle} (86400), {@code timeout.tcp.transient} (120),
 * {@code timeout.udp.idle} (600). A bad value refuses the file with a message naming it, the key and why
 * ({@link AclSessionSettings}), and the values in force are kept.
 *
 * <p>The table lives in the mapped file {@code session-file} (default {@code ${karaf.data}/acl/sessions.bin}):
 * when the ACL bundle is updated, this component is deactivated and a new one, from the new bundle, maps the
 * same file; after a restart of the box the sessions are found there again, as NAT44's are. Without karaf.data
 * the memory is retained by the graph under {@link #RETAINED_NAME} and survives bundle updates only. A change of
 * {@code sessions.max} that changes the slot count moves the old file aside at the next restart.
 */
@Component(service = {AclSessions.class, AclSessionsImpl.class}, immediate = true,
        configurationPid = AclSessionsImpl.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class AclSessionsImpl implements AclSessions, AutoCloseable {
    static final String PID = "io.sluice.acl.sessions";
    public static final long DEFAULT_MAX_SESSIONS = 500_000;
    static final String KEY_MAX = "sessions.max";
    static final String KEY_MAX_PER_INTERFACE = "sessions.max-per-interface";
    static final String KEY_MAX_PER_HOST = "sessions.max-per-host";
    static final String KEY_TCP_IDLE = "timeout.tcp.idle";
    static final String KEY_TCP_TRANSIENT = "timeout.tcp.transient";
    static final String KEY_UDP_IDLE = "timeout.udp.idle";

    private static final System.Logger LOG = System.getLogger(AclSessionsImpl.class.getName());

    static final String RETAINED_NAME = "acl-plugin/sessions";

    static final String KEY_SESSION_FILE = "session-file";

    private final SessionTable table;
    private final TimeSource clock;
    /** The mapped file the sessions live in, or null when they live in memory the graph retains. */
    private final SessionFile file;
    /** Gives the file's pages above the high water back every {@link #RELEASE_INTERVAL_SECONDS} (null without a file). */
    private final ScheduledExecutorService releaser;

    /**
     * The sessions sit packed at the front of the file ({@link SessionTable}'s records below its high water);
     * lookups read the index in anonymous memory, never the file's pages beyond the records they find. Every 10 s
     * the pages above the high water, which the open's checks read in or sessions since deleted left behind, are
     * given back (madvise, contents kept): the file is then resident for its live sessions. A worker that inserts
     * into a page given back takes a minor fault (the page stays in the page cache).
     */
    static final long RELEASE_INTERVAL_SECONDS = 10;

    /**
     * The box's sessions: in {@code session-file} (default {@code ${karaf.data}/acl/sessions.bin}), so that they
     * survive updates of this bundle and restarts of the box; in memory the graph retains when there is no
     * karaf.data (outside Karaf).
     */
    @Activate
    public AclSessionsImpl(@Reference GraphRuntime graph, Map<String, Object> properties) throws IOException {
        AclSessionSettings settings = initial(properties);
        long maxSessions = settings.maxSessions();
        Path path = sessionFile(properties);
        SessionFile mapped = path == null ? null : openOrSayWhy(path, maxSessions);
        this(mapped, mapped == null ? retained(graph, maxSessions) : mapped.region(), maxSessions,
                settings.timeouts(), TimeSource.SYSTEM);
        table.setMaxPerInterface(settings.maxPerInterface());
        table.setMaxPerHost(settings.maxPerHost());
    }

    /**
     * The session file, or an IOException after a log line saying what it means: the component does not start
     * with a file it cannot back, so the ACL nodes (which need it) stay absent and the graph parks, then drops and
     * counts, what interfaces with an ACL send them (fail closed); interfaces without an ACL forward as before.
     */
    private static SessionFile openOrSayWhy(Path path, long maxSessions) throws IOException {
        try {
            return SessionFile.open(path, SessionTable.regionSize(maxSessions), SessionTable.slotCount(maxSessions));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, PID + ": " + e.getMessage() + "; the ACL sessions are not started:"
                    + " packets on interfaces with an ACL are held for the absent ACL nodes"
                    + " (the graph parks them and drops and counts what overflows), never forwarded unchecked, until the file can be backed and the component restarts (bundle:restart sluice-acl)");
            throw e;
        }
    }

    private static final AclSessionSettings DEFAULTS =
            new AclSessionSettings(DEFAULT_MAX_SESSIONS, SessionTimeouts.VPP_DEFAULTS);

    /** At activation a refused file leaves the defaults in force, said in the log. */
    private static AclSessionSettings initial(Map<String, Object> properties) {
        try {
            return AclSessionSettings.parse(properties, DEFAULTS);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; refused, the defaults apply");
            return DEFAULTS;
        }
    }

    /** Sessions in memory the graph retains across updates of this bundle. */
    AclSessionsImpl(GraphRuntime graph, long maxSessions, SessionTimeouts timeouts, TimeSource clock) {
        this(null, retained(graph, maxSessions), maxSessions, timeouts, clock);
    }

    /** Sessions in the mapped file {@code path}: what a restart finds again. */
    AclSessionsImpl(Path path, long maxSessions, SessionTimeouts timeouts, TimeSource clock) throws IOException {
        SessionFile mapped = SessionFile.open(path, SessionTable.regionSize(maxSessions),
                SessionTable.slotCount(maxSessions));
        this(mapped, mapped.region(), maxSessions, timeouts, clock);
    }

    private AclSessionsImpl(SessionFile file, java.lang.foreign.MemorySegment region, long maxSessions,
                            SessionTimeouts timeouts, TimeSource clock) {
        this.file = file;
        this.table = new SessionTable(maxSessions, timeouts, region);
        this.clock = clock;
        if (file != null) {
            // The checks and the table's count read every slot in; the box keeps resident only what it uses.
            file.releaseResidentPages();
            releaser = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "acl-sessions-release");
                thread.setDaemon(true);
                return thread;
            });
            releaser.scheduleWithFixedDelay(this::releaseResidentPages, RELEASE_INTERVAL_SECONDS,
                    RELEASE_INTERVAL_SECONDS, TimeUnit.SECONDS);
        } else {
            releaser = null;
        }
        if (file != null && table.live() > 0) {
            LOG.log(System.Logger.Level.INFO, file.path() + ": " + table.live() + " ACL sessions restored"
                    + (file.outcome() == io.sluice.common.state.StateFile.Outcome.MIGRATED
                    ? " (migrated to the checked file format)" : ""));
        }
    }

    private static Path sessionFile(Map<String, Object> properties) {
        Object value = properties.get(KEY_SESSION_FILE);
        if (value != null && !value.toString().isBlank()) {
            return Path.of(value.toString().trim());
        }
        String karafData = System.getProperty("karaf.data");
        return karafData == null ? null : Path.of(karafData, "acl", "sessions.bin");
    }

    private static java.lang.foreign.MemorySegment retained(GraphRuntime graph, long maxSessions) {
        long size = SessionTable.regionSize(maxSessions);
        try {
            return graph.retainedSegment(RETAINED_NAME, size);
        } catch (IllegalArgumentException resized) {
            // sessions.max changed the slot count: the old sessions cannot be carried over.
            LOG.log(System.Logger.Level.WARNING, PID + ": " + resized.getMessage()
                    + "; starting an empty session table of the new size");
            graph.releaseRetainedSegment(RETAINED_NAME);
            return graph.retainedSegment(RETAINED_NAME, size);
        }
    }

    /**
     * For benchmarks and tools: a table of its own on the system clock. A factory, not a constructor:
     * Declarative Services must see exactly one public constructor, the {@code @Activate} one.
     */
    public static AclSessionsImpl standalone(long maxSessions, SessionTimeouts timeouts) {
        return new AclSessionsImpl(maxSessions, timeouts, TimeSource.SYSTEM);
    }

    AclSessionsImpl(long maxSessions, SessionTimeouts timeouts, TimeSource clock) {
        this.table = new SessionTable(maxSessions, timeouts);
        this.clock = clock;
        this.file = null;
        this.releaser = null;
    }

    private void releaseResidentPages() {
        try {
            table.releasePagesAboveHighWater(file::releaseResidentPages);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, file.path() + ": giving the session file's pages back: "
                    + e.getMessage() + "; they stay resident");
        }
    }

    @Modified
    void modified(Map<String, Object> properties) {
        reconfigure(properties);
    }

    /** Returns false, and logs why, when the file is refused; then every setting in force stays. */
    boolean reconfigure(Map<String, Object> properties) {
        AclSessionSettings settings;
        try {
            settings = AclSessionSettings.parse(properties, new AclSessionSettings(table.maxSessions(),
                    table.maxPerInterface(), table.maxPerHost(), table.timeouts()));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; refused, the settings in force stay");
            return false;
        }
        table.setMaxSessions(settings.maxSessions());
        table.setMaxPerInterface(settings.maxPerInterface());
        table.setMaxPerHost(settings.maxPerHost());
        table.setTimeouts(settings.timeouts());
        return true;
    }

    /** Called once the ACL nodes are gone (they reference this component), so no worker reads the table. */
    @Deactivate
    @Override
    public void close() {
        if (releaser != null) {
            // no release may run on a mapping that is being closed
            releaser.shutdownNow();
            try {
                releaser.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        table.close();
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, file.path() + ": closing the ACL session file: " + e.getMessage());
            }
        }
    }

    SessionTable table() {
        return table;
    }

    /** The time the nodes stamp sessions with: read once per frame. */
    long now() {
        return clock.nanos();
    }

    @Override
    public SessionStats stats() {
        return new SessionStats(table.added(), table.deleted(), table.live(), table.refusedFull(),
                table.maxSessions(), table.capacity(), table.expired());
    }

    @Override
    public List<SessionInfo> sessions(int limit) {
        return table.list(limit, clock.nanos());
    }

    @Override
    public int clear() {
        return table.clear();
    }

    @Override
    public SessionTimeouts timeouts() {
        return table.timeouts();
    }

    @Override
    public void setTimeouts(SessionTimeouts timeouts) {
        table.setTimeouts(timeouts);
    }
}
