package io.sluice.shell.monitor;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.ThreadRuntime;
import java.util.List;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/**
 * {@code runtime:show} as a live view: per node what the interval added to calls, vectors and time, the nodes
 * that took the most time first. Per thread as {@code runtime:show} prints them (VPP's {@code show runtime}): with
 * several workers one section per thread, {@code Thread 0 sluice_main}, {@code Thread 1 sluice_wk_0}, ...; with one
 * worker the one table. Time is wall-clock nanoseconds (no cycle counter in the VM), so the column is ns/vector
 * where VPP shows clocks.
 */
@Command(scope = "runtime", name = "top", description = "Live per-node time, calls, vectors and vectors/call per thread, busiest first (q quits)")
@Service
public class RuntimeTop implements Action {

    /** Rows beyond the screen's would scroll the view away: the rest are the quietest nodes anyway. */
    private static final int HEADER_ROWS = 6;

    @Reference
    GraphRuntime graph;

    @Reference
    Session session;

    @Option(name = "--interval", description = "Seconds between refreshes (default 1)")
    double interval = 1;

    @Option(name = "--count", description = "Refresh this many times, then return (default: until q)")
    int count;

    @Option(name = "--all", description = "Include nodes that did not run in the interval")
    boolean all;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        long millis = LiveOptions.intervalMillis(interval, count);
        LiveView.run(LiveView.terminalOf(session), System.out, millis, count, new Times());
        return null;
    }

    /** Each refresh: a new reading per thread, what each node did on it since the last one. */
    private final class Times implements LiveView.Screen {
        private List<ThreadRuntime> before = graph.runtimeByThread();

        @Override
        public List<String> refresh(int refresh, int width) {
            List<ThreadRuntime> now = graph.runtimeByThread();
            var terminal = LiveView.terminalOf(session);
            int height = terminal == null ? 0 : terminal.getHeight();
            int rows = height > HEADER_ROWS ? height - HEADER_ROWS : Integer.MAX_VALUE;
            List<String> lines = LiveTables.threads(before, now, all, rows, !noFormat);
            before = now;
            lines.addFirst(String.format(Locale.ROOT, now.size() == 1 ? "%d worker (as runtime:show)"
                    : "%d workers, per thread (as runtime:show)", now.size()));
            lines.addFirst(LiveOptions.header("runtime top", refresh, count, interval));
            return lines;
        }
    }
}
