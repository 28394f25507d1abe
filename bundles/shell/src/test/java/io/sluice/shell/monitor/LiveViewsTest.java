package io.sluice.shell.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.GraphRuntime.NodeStats;
import io.sluice.graph.api.GraphRuntime.ThreadRuntime;
import io.sluice.graph.api.NodeKind;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live views' arithmetic and tables, from fixed readings: no clock is asserted on. */
class LiveViewsTest {

    private static InterfaceStats stats(int sw, String name, long rxPackets, long rxBytes, long txPackets,
                                        long txBytes, long drops) {
        return new InterfaceStats(sw, name, 0, 1500, true, true, List.of(), rxPackets, rxBytes, txPackets, txBytes,
                drops, 0, 0);
    }

    @Test
    void interfaceRatesAreTheCountersDeltasOverTheInterval() {
        List<InterfaceStats> before = List.of(stats(1, "tap2", 100, 10_000, 50, 5_000, 1));
        List<InterfaceStats> after = List.of(stats(1, "tap2", 300, 30_000, 150, 20_000, 5),
                stats(2, "GigabitEthernet0/8/0", 10, 1_000, 0, 0, 0));
        List<InterfaceRates.Rate> rates = InterfaceRates.between(before, after, 2_000_000_000L, null);
        InterfaceRates.Rate tap = rates.get(0);
        assertEquals(100.0, tap.rxPacketsPerSecond(), 1e-9);
        assertEquals(20_000 * 8 / 2.0, tap.rxBitsPerSecond(), 1e-9);
        assertEquals(50.0, tap.txPacketsPerSecond(), 1e-9);
        assertEquals(15_000 * 8 / 2.0, tap.txBitsPerSecond(), 1e-9);
        assertEquals(2.0, tap.dropsPerSecond(), 1e-9);
        assertEquals(300, tap.rxPackets());
        InterfaceRates.Rate gbe = rates.get(1);
        assertEquals(5.0, gbe.rxPacketsPerSecond(), 1e-9, "an interface new since the last reading starts from 0");
    }

    @Test
    void aCounterThatWentBackIsNoTrafficAndOneInterfaceCanBeChosen() {
        List<InterfaceStats> before = List.of(stats(1, "tap2", 500, 50_000, 0, 0, 0), stats(2, "tap3", 0, 0, 0, 0, 0));
        List<InterfaceStats> after = List.of(stats(1, "tap2", 20, 2_000, 0, 0, 0), stats(2, "tap3", 10, 640, 0, 0, 0));
        List<InterfaceRates.Rate> all = InterfaceRates.between(before, after, 1_000_000_000L, null);
        assertEquals(0.0, all.get(0).rxPacketsPerSecond());
        List<InterfaceRates.Rate> one = InterfaceRates.between(before, after, 1_000_000_000L, "tap3");
        assertEquals(1, one.size());
        assertEquals("tap3", one.get(0).name());
        assertEquals(5120.0, one.get(0).rxBitsPerSecond(), 1e-9);
    }

    @Test
    void nodeTimesAreSortedByTheIntervalsTimeAndSurviveAClear() {
        List<NodeStats> before = List.of(node("ip4-lookup", 10, 100, 5_000), node("ethernet-input", 10, 100, 1_000),
                node("nat44-out2in", 90, 900, 90_000));
        List<NodeStats> after = List.of(node("ip4-lookup", 20, 400, 25_000), node("ethernet-input", 30, 500, 9_000),
                node("nat44-out2in", 5, 50, 4_000), node("idle", 0, 0, 0));
        List<NodeTimes.NodeTime> times = NodeTimes.between(before, after, false);
        assertEquals(List.of("ip4-lookup", "ethernet-input", "nat44-out2in"),
                times.stream().map(NodeTimes.NodeTime::name).toList());
        NodeTimes.NodeTime lookup = times.get(0);
        assertEquals(10, lookup.calls());
        assertEquals(300, lookup.vectors());
        assertEquals(30.0, lookup.vectorsPerCall(), 1e-9);
        assertEquals(20_000 / 300.0, lookup.nanosPerVector(), 1e-9);
        assertEquals(5, times.get(2).calls(), "counters cleared in between count from zero");
        assertEquals(4, NodeTimes.between(before, after, true).size(), "--all keeps the nodes that did not run");
    }

    private static NodeStats node(String name, long calls, long vectors, long nanos) {
        return new NodeStats(name, NodeKind.INTERNAL, "active", calls, vectors, 0, nanos);
    }

    @Test
    void figuresCarrySiPrefixesWithThreeDigits() {
        assertEquals("0", Units.si(0));
        assertEquals("1.00", Units.si(1));
        assertEquals("950", Units.si(950));
        assertEquals("1.23k", Units.si(1234));
        assertEquals("45.6M", Units.si(45_600_000));
        assertEquals("1.00G", Units.si(999_999_999));
        assertEquals("10.0G", Units.si(1e10));
    }

    @Test
    void theTablesRenderWithAndWithoutBorders() {
        List<InterfaceRates.Rate> rates = List.of(new InterfaceRates.Rate("tap2", 100, 81_600, 100, 81_600, 0, 1000, 990));
        List<String> plain = LiveTables.lines(LiveTables.interfaces(rates), false);
        assertEquals(1, plain.size(), "--no-format prints the rows only: " + String.join("\n", plain));
        assertEquals(List.of("tap2", "100", "81.6k", "100", "81.6k", "0", "1000", "990"),
                List.of(plain.get(0).split("\t")).stream().map(String::strip).toList());
        List<String> bordered = LiveTables.lines(LiveTables.interfaces(rates), true);
        assertTrue(bordered.get(0).contains("Rx pps") && bordered.get(0).contains("Drops/s"), bordered.get(0));

        List<NodeTimes.NodeTime> times = List.of(new NodeTimes.NodeTime("ip4-lookup", "active", 10, 300, 3_000),
                new NodeTimes.NodeTime("ip4-rewrite", "active", 10, 300, 1_000));
        List<String> nodes = LiveTables.lines(LiveTables.nodes(times, 1), false);
        assertEquals(1, nodes.size(), "rows beyond the screen are left out");
        assertEquals(List.of("ip4-lookup", "active", "75.0", "10", "300", "10.00", "30.00"),
                List.of(nodes.get(0).split("\t")).stream().map(String::strip).toList());
    }

    private static ThreadRuntime thread(int worker, String name, int cpu, NodeStats... nodes) {
        return new ThreadRuntime(worker, name, cpu, List.of(), 0, 0, 0, 0, List.of(nodes));
    }

    private static List<String> cells(String line) {
        return List.of(line.split("\t")).stream().map(String::strip).toList();
    }

    @Test
    void runtimeTopShowsEachThreadsNodesOverTheIntervalAsRuntimeShowNumbersThem() {
        List<ThreadRuntime> before = List.of(
                thread(0, "sluice_main", 0, node("virtio-input", 10, 100, 1_000), node("ip4-lookup", 10, 100, 2_000)),
                thread(1, "sluice_wk_0", -1, node("dpdk-input", 5, 50, 500), node("ip4-lookup", 5, 50, 500)));
        List<ThreadRuntime> after = List.of(
                thread(0, "sluice_main", 0, node("virtio-input", 20, 300, 4_000), node("ip4-lookup", 20, 300, 3_000)),
                thread(1, "sluice_wk_0", -1, node("dpdk-input", 15, 450, 9_500), node("ip4-lookup", 5, 50, 500)));
        List<String> lines = LiveTables.threads(before, after, false, Integer.MAX_VALUE, false);
        assertEquals(List.of("Thread 0 sluice_main (lcore 0)", "virtio-input", "ip4-lookup", "",
                "Thread 1 sluice_wk_0 (lcore not pinned)", "dpdk-input"),
                lines.stream().map(line -> cells(line).get(0)).toList(), String.join("\n", lines));
        assertEquals(List.of("virtio-input", "active", "75.0", "10", "200", "15.00", "20.00"), cells(lines.get(1)));
        assertEquals(List.of("ip4-lookup", "active", "25.0", "10", "200", "5.00", "20.00"), cells(lines.get(2)));
        assertEquals(List.of("dpdk-input", "active", "100.0", "10", "400", "22.50", "40.00"), cells(lines.get(5)),
                "a thread's share is of its own time; a node idle on it in the interval is left out");

        List<String> withAll = LiveTables.threads(before, after, true, Integer.MAX_VALUE, false);
        assertTrue(withAll.contains("Thread 1 sluice_wk_0 (lcore not pinned)"), String.join("\n", withAll));
        assertEquals("ip4-lookup", cells(withAll.getLast()).get(0), "--all keeps the idle node, last");

        List<String> small = LiveTables.threads(before, after, false, 6, false);
        assertEquals(List.of("Thread 0 sluice_main (lcore 0)", "virtio-input", "", "Thread 1 sluice_wk_0 (lcore not pinned)",
                "dpdk-input"), small.stream().map(line -> cells(line).get(0)).toList(),
                "a small screen is shared between the threads, each keeping its busiest node");
    }

    @Test
    void runtimeTopWithOneWorkerIsOneTableAsRuntimeShowPrintsIt() {
        List<ThreadRuntime> before = List.of(thread(0, "sluice_main", -1, node("virtio-input", 1, 1, 10)));
        List<ThreadRuntime> after = List.of(thread(0, "sluice_main", -1, node("virtio-input", 3, 41, 90)));
        List<String> lines = LiveTables.threads(before, after, false, Integer.MAX_VALUE, false);
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertEquals(List.of("virtio-input", "active", "100.0", "2", "40", "2.00", "20.00"), cells(lines.get(0)));
        List<String> bordered = LiveTables.threads(before, after, false, Integer.MAX_VALUE, true);
        assertTrue(bordered.getFirst().startsWith("Name"), bordered.getFirst());
    }

    @Test
    void withoutATerminalEachScreenIsPrintedAfterTheLastAndTheCountEndsTheView() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            LiveView.run(null, out, 1, 3, (refresh, width) -> List.of(LiveOptions.header("view", refresh, 3, 1)));
        }
        assertEquals(List.of("view: refresh 1/3 every 1.0 s (q quits)", "", "view: refresh 2/3 every 1.0 s (q quits)",
                "", "view: refresh 3/3 every 1.0 s (q quits)", ""), bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void intervalsAndCountsOutOfRangeAreRefusedWithTheOption() {
        assertEquals(1000, LiveOptions.intervalMillis(1, 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LiveOptions.intervalMillis(0, 1))
                .getMessage().startsWith("--interval"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LiveOptions.intervalMillis(1, -1))
                .getMessage().startsWith("--count"));
    }

    @Test
    void tabsAreExpandedToTheTerminalsStopsForTheDisplay() {
        assertEquals("tap2    100     x", LiveView.expandTabs("tap2\t100\tx"));
        assertEquals("GigabitEthernet0/8/0    1", LiveView.expandTabs("GigabitEthernet0/8/0\t1"));
        assertEquals("no tabs", LiveView.expandTabs("no tabs"));
    }
}
