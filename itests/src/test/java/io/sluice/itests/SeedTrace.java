package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code trace:show} read the way the seed's traces are compared: one packet's path, node by node, with each node's
 * lines. With several workers a packet handed to another worker is traced in two halves, one in each thread's
 * section (VPP's layout): the half that left ends at a {@code *worker-handoff} node whose line says
 * {@code next-worker W trace index T}, and the half that arrived starts at {@code handoff_trace} with
 * {@code HANDED-OFF: from thread S trace index T}. This joins the halves into the one path the packet took.
 */
final class SeedTrace {

    private static final Pattern THREAD = Pattern.compile("^-+ Start of thread (\\d+) \\S+ -+$");
    private static final Pattern PACKET = Pattern.compile("^Packet (\\d+)$");
    private static final Pattern NODE_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d:\\d{6}: (\\S+)$");
    private static final Pattern NEXT_WORKER = Pattern.compile("next-worker (\\d+) trace index (\\d+)");
    private static final Pattern HANDED_OFF = Pattern.compile("HANDED-OFF: from thread (\\d+) trace index (\\d+)");
    /** The handoff nodes' names: the graph's own and the NAT's (nat44-in2out-output-worker-handoff, ...). */
    private static final Pattern HANDOFF_NODE = Pattern.compile("(.+-)?worker-handoff");
    static final String HANDOFF_TRACE = "handoff_trace";

    private SeedTrace() {
    }

    /** One node's record: its name and its lines (each still with its two-space indent). */
    record Step(String node, String lines) {
    }

    /** One traced packet (or half of one) as a thread shows it. */
    private record Half(int thread, int traceIndex, List<Step> steps) {
    }

    /**
     * The first traced packet whose text, with the halves of a handoff joined, holds every word: node name to its
     * lines, in the order the packet passed them.
     */
    static Map<String, String> packetWith(String trace, String... words) {
        List<Half> halves = parse(trace);
        for (Half half : halves) {
            if (half.steps().isEmpty() || half.steps().get(0).node().equals(HANDOFF_TRACE)) {
                continue;
            }
            List<Step> path = joined(half, halves);
            StringBuilder text = new StringBuilder();
            for (Step step : path) {
                text.append(step.node()).append('\n').append(step.lines());
            }
            boolean all = true;
            for (String word : words) {
                all &= text.indexOf(word) >= 0;
            }
            if (all) {
                Map<String, String> nodes = new LinkedHashMap<>();
                for (Step step : path) {
                    nodes.put(step.node(), step.lines());
                }
                return nodes;
            }
        }
        throw new AssertionError("no traced packet with " + List.of(words) + " in:\n" + trace);
    }

    /**
     * The packet's path is the seed's. With one worker exactly {@code expected}; with several, {@code expected} once
     * the handoff lines are taken out, and those lines as VPP writes them: a {@code *worker-handoff} node's
     * {@code next-worker W trace index T}, and where W is another thread, the {@code handoff_trace} that continues
     * the packet there with {@code HANDED-OFF: from thread S trace index T}.
     */
    static void assertPath(List<String> expected, Map<String, String> packet, int workers, String trace) {
        List<String> nodes = List.copyOf(packet.keySet());
        if (workers == 1) {
            assertEquals(expected, nodes, trace);
            return;
        }
        List<String> seed = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i);
            if (HANDOFF_NODE.matcher(node).matches()) {
                String lines = packet.get(node);
                assertTrue(NEXT_WORKER.matcher(lines).find(), node + " says where the packet went: " + lines);
            } else if (node.equals(HANDOFF_TRACE)) {
                assertTrue(i > 0 && HANDOFF_NODE.matcher(nodes.get(i - 1)).matches(),
                        "handoff_trace follows a handoff node: " + nodes + "\n" + trace);
                assertTrue(HANDED_OFF.matcher(packet.get(node)).find(), packet.get(node));
            } else {
                seed.add(node);
            }
        }
        assertEquals(expected, seed, "the seed's nodes in the seed's order, handoff lines aside: " + nodes + "\n" + trace);
    }

    /** The handoff nodes and handoff_trace records of a joined packet, in order (for the lab's output). */
    static List<String> handoffSteps(Map<String, String> packet) {
        List<String> steps = new ArrayList<>();
        packet.forEach((node, lines) -> {
            if (HANDOFF_NODE.matcher(node).matches() || node.equals(HANDOFF_TRACE)) {
                steps.add(node + ": " + lines.strip());
            }
        });
        return steps;
    }

    /** {@code half}, followed across every handoff to another thread by the half that thread traced. */
    private static List<Step> joined(Half half, List<Half> halves) {
        List<Step> path = new ArrayList<>(half.steps());
        Half current = half;
        for (int hops = 0; hops < halves.size(); hops++) {
            Step last = path.get(path.size() - 1);
            Matcher next = NEXT_WORKER.matcher(last.lines());
            if (!HANDOFF_NODE.matcher(last.node()).matches() || !next.find()) {
                break;
            }
            int worker = Integer.parseInt(next.group(1));
            if (worker == current.thread()) {
                break;
            }
            Half arrived = arrival(halves, worker, current.thread(), current.traceIndex());
            if (arrived == null) {
                break;
            }
            path.addAll(arrived.steps());
            current = arrived;
        }
        return path;
    }

    /** The half on {@code thread} that starts with handoff_trace from {@code fromThread}'s packet {@code fromIndex}. */
    private static Half arrival(List<Half> halves, int thread, int fromThread, int fromIndex) {
        for (Half half : halves) {
            if (half.thread() != thread || half.steps().isEmpty()
                    || !half.steps().get(0).node().equals(HANDOFF_TRACE)) {
                continue;
            }
            Matcher from = HANDED_OFF.matcher(half.steps().get(0).lines());
            if (from.find() && Integer.parseInt(from.group(1)) == fromThread
                    && Integer.parseInt(from.group(2)) == fromIndex) {
                return half;
            }
        }
        return null;
    }

    /** Every thread's packets, in the order trace:show prints them; "Packet N" is trace index N - 1. */
    private static List<Half> parse(String trace) {
        List<Half> halves = new ArrayList<>();
        int thread = 0;
        List<Step> steps = null;
        String node = null;
        StringBuilder lines = new StringBuilder();
        for (String line : trace.split("\n")) {
            Matcher threadLine = THREAD.matcher(line);
            Matcher packetLine = PACKET.matcher(line);
            Matcher nodeLine = NODE_LINE.matcher(line);
            if (threadLine.matches() || packetLine.matches()) {
                if (node != null) {
                    steps.add(new Step(node, lines.toString()));
                    node = null;
                }
                if (threadLine.matches()) {
                    thread = Integer.parseInt(threadLine.group(1));
                    steps = null;
                } else {
                    steps = new ArrayList<>();
                    halves.add(new Half(thread, Integer.parseInt(packetLine.group(1)) - 1, steps));
                }
            } else if (steps != null && nodeLine.matches()) {
                if (node != null) {
                    steps.add(new Step(node, lines.toString()));
                }
                node = nodeLine.group(1);
                lines.setLength(0);
            } else if (node != null && line.startsWith("  ")) {
                lines.append(line).append('\n');
            }
        }
        if (node != null) {
            steps.add(new Step(node, lines.toString()));
        }
        return halves;
    }
}
