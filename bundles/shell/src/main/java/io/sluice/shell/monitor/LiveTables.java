package io.sluice.shell.monitor;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

    /** The table's lines, bordered or (with {@code format} false) tab-separated as {@code --no-format} prints. */
    static List<String> lines(ShellTable table, boolean format) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            table.print(out, format);
        }
        return new ArrayList<>(bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
