package io.sluice.shell.monitor;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.NodeStats;
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
 * that took the most time first. Figures are summed over the workers, as {@code runtime:show} prints them; time is
 * wall-clock nanoseconds (no cycle counter in the VM), so the column is ns/vector where VPP shows clocks.
 */
@Command(scope = "runtime", name = "top", description = "Live per-node time, calls, vectors and vectors/call, busiest first (q quits)")
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

    /** Each refresh: a new reading, what each node did since the last one. */
    private final class Times implements LiveView.Screen {
        private List<NodeStats> before = graph.runtimeStats();

        @Override
        public List<String> refresh(int refresh, int width) {
            List<NodeStats> now = graph.runtimeStats();
            List<NodeTimes.NodeTime> times = NodeTimes.between(before, now, all);
            before = now;
            var terminal = LiveView.terminalOf(session);
            int height = terminal == null ? 0 : terminal.getHeight();
            int rows = height > HEADER_ROWS ? height - HEADER_ROWS : Integer.MAX_VALUE;
            List<String> lines = LiveTables.lines(LiveTables.nodes(times, rows), !noFormat);
            lines.addFirst(String.format(Locale.ROOT, "Thread: %d workers, summed (as runtime:show)",
                    graph.workerCount()));
            lines.addFirst(LiveOptions.header("runtime top", refresh, count, interval));
            return lines;
        }
    }
}
