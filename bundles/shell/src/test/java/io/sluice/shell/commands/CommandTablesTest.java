package io.sluice.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.BufferStats;
import io.sluice.graph.api.GraphRuntime.NodeInfo;
import io.sluice.graph.api.NodeKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandTablesTest {

    /** A GraphRuntime answering only the two read calls the commands make; anything else fails the test. */
    private static GraphRuntime runtimeWith(List<NodeInfo> nodes, List<BufferStats> buffers) {
        return (GraphRuntime) Proxy.newProxyInstance(GraphRuntime.class.getClassLoader(),
                new Class<?>[] {GraphRuntime.class}, (proxy, method, arguments) -> switch (method.getName()) {
                    case "nodes" -> nodes;
                    case "buffers" -> buffers;
                    default -> throw new AssertionError("command called " + method.getName());
                });
    }

    @Test
    void nodeListPrintsOneRowPerNodeWithItsNextArcs() throws Exception {
        NodeList command = new NodeList();
        command.graph = runtimeWith(List.of(
                new NodeInfo("ethernet-input", NodeKind.INTERNAL, "active", List.of("ip4-input", "error-drop"), null),
                new NodeInfo("acl-plugin-in-ip4-fa", NodeKind.INTERNAL, "parked", List.of(), "ip4-unicast")),
                List.of());
        command.noFormat = true;
        assertEquals(List.of(
                List.of("ethernet-input", "internal", "active", "", "ip4-input error-drop"),
                List.of("acl-plugin-in-ip4-fa", "internal", "parked", "ip4-unicast", "")),
                rows(printed(command::execute)));
    }

    @Test
    void buffersShowPrintsEachWorkersPool() throws Exception {
        BuffersShow command = new BuffersShow();
        command.graph = runtimeWith(List.of(), List.of(new BufferStats(0, 4096, 4000, 96, 3)));
        command.noFormat = true;
        assertEquals(List.of(List.of("0", "4096", "4000", "96", "3")), rows(printed(command::execute)));
    }

    /** --no-format prints no header and no borders: one line per row, cells separated by tabs (padded). */
    private static List<List<String>> rows(String printed) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : printed.split("\n")) {
            List<String> cells = new ArrayList<>();
            for (String cell : line.split("\t", -1)) {
                cells.add(cell.strip());
            }
            rows.add(cells);
        }
        return rows;
    }

    private interface Execution {
        Object run() throws Exception;
    }

    private static String printed(Execution execution) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            execution.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
