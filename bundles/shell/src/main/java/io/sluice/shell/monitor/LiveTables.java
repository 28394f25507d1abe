package io.sluice.shell.monitor;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import io.sluice.graph.api.GraphRuntime.NodeStats;
import io.sluice.graph.api.GraphRuntime.ThreadRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.apache.karaf.shell.support.table.ShellTable;

/** The tables of the live views, as lines (a live view redraws lines; a command prints them). */
final class LiveTables {

    private LiveTables() {
    }

    /** {@code monitor:interface}'s table: per interface rx/tx packets and bits per second, drops per second, totals. */
    static ShellTable interfaces(List<InterfaceRates.Rate> rates) {
        ShellTable table = new ShellTable();
        table.column("Interface");
        for (String column : new String[] {"Rx pps", "Rx bit/s", "Tx pps", "Tx bit/s", "Drops/s", "Rx packets",
                "Tx packets"}) {
            table.column(column).alignRight();
        }
        for (InterfaceRates.Rate r : rates) {
            table.addRow().addContent(r.name(), Units.si(r.rxPacketsPerSecond()), Units.si(r.rxBitsPerSecond()),
                    Units.si(r.txPacketsPerSecond()), Units.si(r.txBitsPerSecond()), Units.si(r.dropsPerSecond()),
                    r.rxPackets(), r.txPackets());
        }
        return table;
    }

    /**
     * {@code runtime:top}'s table: the columns of {@code runtime:show} over the interval, the busiest node first,
     * with each node's share of the time all nodes took.
     */
    static ShellTable nodes(List<NodeTimes.NodeTime> times, int maxRows) {
        long total = 0;
        for (NodeTimes.NodeTime t : times) {
            total += t.clockNanos();
        }
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("State");
        for (String column : new String[] {"Time %", "Calls", "Vectors", "ns/vector", "Vectors/Call"}) {
            table.column(column).alignRight();
        }
        int rows = 0;
        for (NodeTimes.NodeTime t : times) {
            if (rows++ == maxRows) {
                break;
            }
            table.addRow().addContent(t.name(), t.state(),
                    String.format(Locale.ROOT, "%.1f", total == 0 ? 0 : 100.0 * t.clockNanos() / total), t.calls(),
                    t.vectors(), String.format(Locale.ROOT, "%.2f", t.nanosPerVector()),
                    String.format(Locale.ROOT, "%.2f", t.vectorsPerCall()));
        }
        return table;
    }

    /**
     * {@code runtime:top}'s screen below its header: with one worker one table, as {@code runtime:show} prints it;
     * with several, one section per thread headed as {@code runtime:show} heads it ({@code Thread 1 sluice_wk_0
     * (lcore 1)}), each thread's nodes over the interval, busiest first, with their share of that thread's time.
     * The screen's {@code rows} are shared out between the threads (at least one node each); a thread new since
     * {@code before} counts from zero.
     */
    static List<String> threads(List<ThreadRuntime> before, List<ThreadRuntime> after, boolean all, int rows,
                                boolean format) {
        Map<Integer, List<NodeStats>> earlier = new HashMap<>();
        for (ThreadRuntime thread : before) {
            earlier.put(thread.worker(), thread.nodes());
        }
        List<String> lines = new ArrayList<>();
        if (after.size() == 1) {
            ThreadRuntime only = after.getFirst();
            lines.addAll(lines(nodes(NodeTimes.between(earlier.getOrDefault(only.worker(), List.of()), only.nodes(),
                    all), rows), format));
            return lines;
        }
        // Each section spends one row on its thread, one blank row and the table's header rows besides its nodes.
        int perThread = rows == Integer.MAX_VALUE ? Integer.MAX_VALUE
                : Math.max(1, rows / after.size() - (format ? 4 : 2));
        for (ThreadRuntime thread : after) {
            lines.add(String.format(Locale.ROOT, "Thread %d %s (lcore %s)", thread.worker(), thread.thread(),
                    thread.cpu() < 0 ? "not pinned" : Integer.toString(thread.cpu())));
            lines.addAll(lines(nodes(NodeTimes.between(earlier.getOrDefault(thread.worker(), List.of()),
                    thread.nodes(), all), perThread), format));
            lines.add("");
        }
        lines.removeLast();
        return lines;
    }

    /** The table's lines, bordered or (with {@code format} false) tab-separated as {@code --no-format} prints. */
    static List<String> lines(ShellTable table, boolean format) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            table.print(out, format);
        }
        return new ArrayList<>(bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
