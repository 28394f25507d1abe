package io.sluice.shell.monitor;

import io.sluice.shell.vnet.InterfaceNameCompleter;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/**
 * VPP's {@code monitor interface}: rx/tx packets and bits per second and drops per second, from the interface
 * counters' deltas over each interval, refreshed until {@code q}. Reads only: the counters are summed under the
 * barrier as {@code interface:list} reads them.
 */
@Command(scope = "monitor", name = "interface",
        description = "Live rx/tx packets and bits per second and drops per interface (q quits)")
@Service
public class MonitorInterface implements Action {

    @Reference
    InterfaceTable interfaces;

    @Reference
    Session session;

    @Argument(index = 0, name = "interface", description = "Only this interface (default: all)")
    @Completion(InterfaceNameCompleter.class)
    String name;

    @Option(name = "--interval", description = "Seconds between refreshes (default 1)")
    double interval = 1;

    @Option(name = "--count", description = "Refresh this many times, then return (default: until q)")
    int count;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        if (name != null && interfaces.find(name) < 0) {
            throw new IllegalArgumentException("no interface named '" + name + "'");
        }
        long millis = LiveOptions.intervalMillis(interval, count);
        LiveView.run(LiveView.terminalOf(session), System.out, millis, count, new Rates());
        return null;
    }

    /** Each refresh: a new reading, the rates since the last one. */
    private final class Rates implements LiveView.Screen {
        private List<InterfaceStats> before = interfaces.stats();
        private long then = System.nanoTime();

        @Override
        public List<String> refresh(int refresh, int width) {
            List<InterfaceStats> now = interfaces.stats();
            long at = System.nanoTime();
            List<InterfaceRates.Rate> rates = InterfaceRates.between(before, now, at - then, name);
            before = now;
            then = at;
            List<String> lines = LiveTables.lines(LiveTables.interfaces(rates), !noFormat);
            lines.addFirst(LiveOptions.header("monitor interface", refresh, count, interval));
            return lines;
        }
    }
}
