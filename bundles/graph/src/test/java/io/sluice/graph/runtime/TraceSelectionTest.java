package io.sluice.graph.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceFilter;
import io.sluice.graph.api.TraceNodeFilter;
import io.sluice.packet.api.BufferPool;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which traced packets {@code trace:show} shows: a keep-last trace (the ring wraps, the newest packets are shown)
 * and VPP's {@code trace filter include|exclude <node> <count>} on the path each packet took.
 */
class TraceSelectionTest {
    private final GraphHarness harness = new GraphHarness(GraphOptions.from(Map.of("trace-records", "64",
            "buffers-per-worker", "4096")));
    private final GraphEngine engine = harness.engine();

    @AfterEach
    void tearDown() {
        harness.close();
    }

    /** Sends even-length packets to {@code even}, odd ones to {@code odd}. */
    static final class Split implements Node {
        private final NodeRegistration registration;

        Split(String name, String even, String odd) {
            registration = NodeRegistration.internal(name, List.of(even, odd), List.of(),
                    (record, offset, context, out) -> out.append("split"));
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int n = frame.count();
            for (int i = 0; i < n; i++) {
                int bi = frame.buffers()[i];
                if (frame.traced()) {
                    context.trace(bi);
                }
                frame.nexts()[i] = pool.length(bi) % 2;
            }
            return n;
        }
    }

    private static List<Integer> packetNumbers(String trace) {
        Matcher m = Pattern.compile("(?m)^Packet (\\d+)$").matcher(trace);
        List<Integer> numbers = new java.util.ArrayList<>();
        while (m.find()) {
            numbers.add(Integer.parseInt(m.group(1)));
        }
        return numbers;
    }

    private void buildSplit() {
        harness.add(new TestNodes.Pass("in", "split"));
        harness.add(new Split("split", "even-path", "odd-path"));
        harness.add(new TestNodes.Pass("even-path", "out"));
        harness.add(new TestNodes.Pass("odd-path", "out"));
        harness.capture("out");
    }

    private void sendThroughSplit(int packets) {
        for (int i = 0; i < packets; i++) {
            harness.inject("in", new byte[60 + i % 2], 1, true);
        }
        harness.run();
    }

    @Test
    void aKeepLastTraceWrapsAndShowsTheNewestCompletePackets() {
        TestNodes.Source source = new TestNodes.Source("pg-input", "a", 16);
        harness.add(source).add(new TestNodes.Pass("a", "b")).add(new TestNodes.Pass("b", "sink"))
                .add(new TestNodes.Sink("sink"));
        engine.traceAdd("pg-input", 5, TraceFilter.ANY, true);
        source.remaining.set(400);
        for (int i = 0; i < 40; i++) {
            harness.run();
        }
        String trace = harness.trace();
        List<Integer> shown = packetNumbers(trace);
        assertEquals(List.of(396, 397, 398, 399, 400), shown, trace);
        assertTrue(trace.contains("(trace buffer wrapped: "), trace);
        assertTrue(trace.contains("pg-input"), "a shown packet starts at its input:\n" + trace);
        assertEquals(0, harness.outstanding());

        engine.traceClear();
        source.remaining.set(10);
        harness.run();
        assertTrue(harness.trace().contains("No packets in trace buffer"), "clear ends the keep-last trace");
    }

    @Test
    void aFirstNTraceStillStopsWhenTheBufferIsFull() {
        TestNodes.Source source = new TestNodes.Source("pg-input", "a", 16);
        harness.add(source).add(new TestNodes.Pass("a", "sink")).add(new TestNodes.Sink("sink"));
        engine.traceAdd("pg-input", 1000, TraceFilter.ANY);
        source.remaining.set(400);
        for (int i = 0; i < 40; i++) {
            harness.run();
        }
        String trace = harness.trace();
        assertEquals(1, packetNumbers(trace).get(0), "the first packets are kept");
        assertTrue(trace.contains("(trace buffer full: "), trace);
    }

    @Test
    void includeShowsOnlyPacketsThatWentThroughTheNode() {
        buildSplit();
        engine.traceNodeFilter(new TraceNodeFilter("odd-path", true, 3));
        sendThroughSplit(10);
        String trace = harness.trace();
        assertEquals(List.of(2, 4, 6), packetNumbers(trace), trace);
        assertTrue(!trace.contains("even-path"), trace);
    }

    @Test
    void excludeShowsOnlyPacketsThatDidNotGoThroughTheNode() {
        buildSplit();
        engine.traceNodeFilter(new TraceNodeFilter("odd-path", false, 50));
        sendThroughSplit(10);
        String trace = harness.trace();
        assertEquals(List.of(1, 3, 5, 7, 9), packetNumbers(trace), trace);
        engine.traceNodeFilter(null);
        assertEquals(10, packetNumbers(harness.trace()).size(), "no filter: every packet");
    }

    @Test
    void aFilterOnAnUnknownNodeIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> engine.traceNodeFilter(new TraceNodeFilter("no-such-node", true, 1)));
        assertEquals("trace filter: no node named 'no-such-node'", refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TraceNodeFilter("x", true, 0));
    }
}
