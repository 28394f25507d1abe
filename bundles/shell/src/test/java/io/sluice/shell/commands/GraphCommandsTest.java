package io.sluice.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.api.GraphRuntime.NodeStats;
import io.sluice.graph.api.NodeKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class GraphCommandsTest {
    private final List<String> calls = new ArrayList<>();

    private List<GraphRuntime.ThreadRuntime> threads;

    private GraphRuntime runtime(List<NodeStats> stats, List<ErrorCount> errors, String trace) {
        return (GraphRuntime) Proxy.newProxyInstance(GraphRuntime.class.getClassLoader(),
                new Class<?>[] {GraphRuntime.class}, (proxy, method, arguments) -> {
                    calls.add(method.getName() + (arguments == null ? "" : java.util.Arrays.asList(arguments)));
                    return switch (method.getName()) {
                        case "runtimeStats" -> stats;
                        case "runtimeByThread" -> threads != null ? threads
                                : List.of(new GraphRuntime.ThreadRuntime(0, "sluice_main", -1, List.of(), 0, 0, 0, 0,
                                        stats));
                        case "errors" -> errors;
                        case "traceShow" -> trace;
                        case "barrierStats" -> new GraphRuntime.BarrierStats(3, 12_500, 40_000, 60_000);
                        case "rxModes" -> List.of(new GraphRuntime.WorkerRxMode(0, "adaptive", "sleeping", 42, 7, 200, 0));
                        case "workerHealth" -> List.of(new GraphRuntime.WorkerHealth(0, "sluice_main", true, null, 0, 0),
                                new GraphRuntime.WorkerHealth(1, "sluice_wk_0", true, "dpdk-input", 7_500_000_000L, 1));
                        case "enabledFeatures" -> arguments[0].equals("ip4-output")
                                ? List.of("acl-plugin-out-ip4-fa", "nat44-in2out-output") : List.of();
                        case "traceAdd", "traceClear", "clearRuntimeStats", "clearErrors", "traceNodeFilter" -> null;
                        default -> throw new AssertionError("command called " + method.getName());
                    };
                });
    }

    @Test
    void traceAddAndClearPassTheOperatorsWordsThrough() throws Exception {
        TraceAdd add = new TraceAdd();
        add.graph = runtime(List.of(), List.of(), "");
        add.node = "virtio-input";
        add.count = 10;
        add.execute();
        add.src = "10.1.1.4";
        add.proto = "tcp";
        add.dport = 8080;
        add.execute();
        TraceClear clear = new TraceClear();
        clear.graph = add.graph;
        clear.execute();
        add.last = true;
        add.execute();
        assertEquals(List.of("traceAdd[virtio-input, 10, " + io.sluice.graph.api.TraceFilter.ANY + ", false]",
                "traceAdd[virtio-input, 10, " + io.sluice.graph.api.TraceFilter.of("10.1.1.4/32", null, "tcp", null, 8080)
                        + ", false]", "traceClear", "traceAdd[virtio-input, 10, "
                        + io.sluice.graph.api.TraceFilter.of("10.1.1.4/32", null, "tcp", null, 8080) + ", true]"),
                calls);
    }

    @Test
    void traceFilterSetsShowsAndRemovesTheNodeFilter() throws Exception {
        TraceFilterCommand filter = new TraceFilterCommand();
        filter.graph = runtime(List.of(), List.of(), "");
        filter.mode = "include";
        filter.node = "nat44-out2in";
        filter.count = 5;
        assertEquals("trace filter: include nat44-out2in 5\n", printed(filter::execute));
        filter.mode = "none";
        assertEquals("trace filter: none\n", printed(filter::execute));
        filter.mode = "sideways";
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, filter::execute);
        assertEquals("trace filter: 'sideways' is not include, exclude or none", refused.getMessage());
        assertEquals(List.of("traceNodeFilter[" + new io.sluice.graph.api.TraceNodeFilter("nat44-out2in", true, 5)
                + "]", "traceNodeFilter[null]"), calls);
    }

    @Test
    void traceShowPrintsTheRuntimesTextWithTheMaximumAsked() throws Exception {
        TraceShow show = new TraceShow();
        show.graph = runtime(List.of(), List.of(), "Packet 1\n");
        show.max = 3;
        assertEquals("Packet 1\n", printed(show::execute));
        assertEquals(List.of("traceShow[3]"), calls);
    }

    @Test
    void runtimeShowListsNodesThatRanAndClearsOnRequest() throws Exception {
        RuntimeShow show = new RuntimeShow();
        show.graph = runtime(List.of(
                new NodeStats("ip4-input", NodeKind.INTERNAL, "active", 4, 512, 0, 51_200),
                new NodeStats("ip4-local", NodeKind.INTERNAL, "active", 0, 0, 0, 0)), List.of(), "");
        show.noFormat = true;
        show.clear = true;
        String[] out = printed(show::execute).strip().split("\n");
        assertEquals(4, out.length, String.join("\n", out));
        assertEquals("watchdog: worker 1 (sluice_wk_0) has been inside node dpdk-input for 7.5 s (1 stalls since "
                + "start): its interfaces are not polled", out[0]);
        assertEquals(List.of("ip4-input", "active", "4", "512", "0", "100.00", "128.00"),
                List.of(out[1].strip().split("\\s+")));
        assertEquals("barrier: 3 pauses, last 12.5 us, max 40.0 us, total 60.0 us", out[2]);
        assertEquals("rx-mode: worker 0 adaptive (window 200 us), sleeping, 42 sleeps (7 woken by the control plane)",
                out[3]);
        assertEquals(List.of("workerHealth", "runtimeByThread", "barrierStats", "rxModes", "clearRuntimeStats"), calls);
    }

    @Test
    void runtimeShowWithTwoWorkersHasATablePerThreadAndTheTotalOnRequest() throws Exception {
        NodeStats mainInput = new NodeStats("virtio-input", NodeKind.INPUT, "active", 10, 20, 0, 2_000);
        NodeStats workerInput = new NodeStats("dpdk-input", NodeKind.INPUT, "active", 5, 40, 0, 4_000);
        NodeStats mainLookup = new NodeStats("ip4-lookup", NodeKind.INTERNAL, "active", 2, 20, 0, 200);
        NodeStats workerLookup = new NodeStats("ip4-lookup", NodeKind.INTERNAL, "active", 3, 40, 0, 400);
        threads = List.of(
                new GraphRuntime.ThreadRuntime(0, "sluice_main", 0, List.of("virtio-input"), 7, 0, 9, 1,
                        List.of(mainInput, mainLookup)),
                new GraphRuntime.ThreadRuntime(1, "sluice_wk_0", 1, List.of("dpdk-input"), 9, 2, 7, 0,
                        List.of(workerInput, workerLookup)));
        RuntimeShow show = new RuntimeShow();
        show.graph = runtime(List.of(), List.of(), "");
        show.noFormat = true;
        show.total = true;
        String out = printed(show::execute);
        assertTrue(out.contains("Thread 0 sluice_main (lcore 0)\ninputs: virtio-input; handoff: 7 sent, 0 refused, "
                + "9 received, 1 in flight\n"), out);
        assertTrue(out.contains("Thread 1 sluice_wk_0 (lcore 1)\ninputs: dpdk-input; handoff: 9 sent, 2 refused, "
                + "7 received, 0 in flight\n"), out);
        String totals = out.substring(out.indexOf("Total of 2 threads"));
        assertTrue(totals.lines().anyMatch(line -> List.of(line.strip().split("\\s+")).equals(
                List.of("ip4-lookup", "active", "5", "60", "0", "10.00", "12.00"))), totals);
    }

    @Test
    void errorsShowHidesZeroCountsUnlessAskedForAll() throws Exception {
        ErrorsShow show = new ErrorsShow();
        show.graph = runtime(List.of(), List.of(
                new ErrorCount("ip4-input", "ttl-expired", "ip4 ttl <= 1", 7),
                new ErrorCount("ip4-input", "bad-checksum", "bad ip4 checksum", 0)), "");
        show.noFormat = true;
        assertEquals(List.of("7", "ip4-input", "ttl-expired", "ip4 ttl <= 1"),
                List.of(printed(show::execute).strip().split("\t\\s*")));
        show.all = true;
        assertEquals(2, printed(show::execute).strip().split("\n").length);
    }

    private static String printed(Callable<Object> execution) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            execution.call();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void interfaceFeaturesListsEachArcInOrderLikeVpp() throws Exception {
        InterfaceFeatures features = new InterfaceFeatures();
        features.graph = runtime(List.of(), List.of(), "");
        features.interfaces = (io.sluice.vnet.api.InterfaceTable) Proxy.newProxyInstance(
                GraphRuntime.class.getClassLoader(), new Class<?>[] {io.sluice.vnet.api.InterfaceTable.class},
                (proxy, method, arguments) -> new io.sluice.vnet.api.InterfaceSnapshot(
                        new String[] {"local0", "GigabitEthernet0/8/0"}, new long[2], new int[2], new boolean[2],
                        new int[][] {{}, {}}, new int[][] {{}, {}}));
        features.name = "GigabitEthernet0/8/0";
        assertEquals("""
                Feature paths configured on GigabitEthernet0/8/0...

                ip4-unicast:
                  none configured

                ip4-output:
                  acl-plugin-out-ip4-fa
                  nat44-in2out-output
                """, printed(features::execute));
        assertEquals(List.of("enabledFeatures[ip4-unicast, 1]", "enabledFeatures[ip4-output, 1]"), calls);
    }
}
