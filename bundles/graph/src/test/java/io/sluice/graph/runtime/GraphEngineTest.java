package io.sluice.graph.runtime;


import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.TraceFilter;
import io.sluice.packet.api.BufferPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphEngineTest {
    private final GraphHarness harness = new GraphHarness();
    private final GraphEngine engine = harness.engine();

    @AfterEach
    void close() {
        harness.close();
    }

    private static byte[] packet(int length) {
        return new byte[length];
    }

    @Test
    void buffersFollowNextArcsThroughAChainAndCountersAddUp() {
        harness.add(new TestNodes.Pass("a", "b")).add(new TestNodes.Pass("b", "c"));
        List<GraphHarness.Captured> out = harness.capture("c");
        for (int i = 0; i < 300; i++) {
            harness.inject("a", packet(60), 1, false);
        }
        harness.run();

        assertEquals(300, out.size());
        assertEquals(300, harness.error("a", "seen"));
        assertEquals(300, harness.error("b", "seen"));
        GraphRuntime.NodeStats a = engine.runtimeStats().stream().filter(s -> s.name().equals("a")).findFirst().orElseThrow();
        assertEquals(300, a.vectors());
        assertEquals(2, a.calls(), "300 buffers are two frames of at most 256");
        assertEquals(0, harness.outstanding());
    }

    @Test
    void featureArcsFollowPerInterfaceOrderAndConstraints() {
        FeatureArc arc = new FeatureArc("test-arc", "start", "end");
        harness.add(new TestNodes.ArcStart("start", arc));
        harness.add(new TestNodes.Feature("second", FeatureRegistration.on("test-arc").after("first"), null, false));
        harness.add(new TestNodes.Feature("first", FeatureRegistration.on("test-arc"), null, false));
        harness.add(new TestNodes.Pass("first-seen", "end"));
        List<GraphHarness.Captured> end = harness.capture("end");
        engine.enableFeature("test-arc", "second", 1, true);
        engine.enableFeature("test-arc", "first", 1, true);
        engine.enableFeature("test-arc", "second", 2, true);

        assertEquals(List.of("first", "second"), engine.enabledFeatures("test-arc", 1));
        assertEquals(List.of("second"), engine.enabledFeatures("test-arc", 2));

        harness.inject("start", packet(60), 1, true);
        harness.inject("start", packet(60), 2, true);
        harness.inject("start", packet(60), 7, true);
        harness.run();

        assertEquals(3, end.size());
        String trace = harness.trace();
        // The runtime traces only nodes that write records; the capture node "end" writes one per packet.
        assertEquals(3, trace.split("captured 60 bytes", -1).length - 1, trace);
        assertEquals(0, harness.outstanding());
    }

    @Test
    void aSlowPathContinuesTheArcWhereItsFastPathStood() {
        FeatureArc arc = new FeatureArc("test-arc", "start", "end");
        harness.add(new TestNodes.ArcStart("start", arc));
        harness.add(new TestNodes.Feature("fast", FeatureRegistration.on("test-arc"), "slow", true));
        harness.add(new TestNodes.Feature("slow", FeatureRegistration.continuing("test-arc", "fast"), null, false));
        harness.add(new TestNodes.Feature("later", FeatureRegistration.on("test-arc").after("fast"), "later-hit", true));
        List<GraphHarness.Captured> laterHit = harness.capture("later-hit");
        List<GraphHarness.Captured> end = harness.capture("end");
        engine.enableFeature("test-arc", "fast", 3, true);
        engine.enableFeature("test-arc", "later", 3, true);
        engine.enableFeature("test-arc", "fast", 4, true);

        harness.inject("start", packet(60), 3, false);
        harness.inject("start", packet(60), 4, false);
        harness.run();

        assertEquals(1, laterHit.size(), "on sw 3 the slow path hands over to 'later'");
        assertEquals(3, laterHit.get(0).rxSwIfIndex());
        assertEquals(1, end.size(), "on sw 4 the slow path ends the arc");
        assertThrows(IllegalArgumentException.class, () -> engine.enableFeature("test-arc", "slow", 3, true),
                "a slow path is not a feature of its own");
    }

    @Test
    void aNextArcNamingNoNodeIsReportedByNameAndItsBuffersParkUntilTheNodeArrives() {
        harness.add(new TestNodes.Pass("a", "not-yet"));
        for (int i = 0; i < 10; i++) {
            harness.inject("a", packet(60), 1, false);
        }
        harness.run();

        assertTrue(engine.problems().stream().anyMatch(p -> p.contains("'a'") && p.contains("'not-yet'")
                && p.contains("no such node is registered")), engine.problems().toString());
        assertEquals(10, engine.pending(0, "not-yet"));
        assertEquals("unresolved (parking)", engine.nodes().stream().filter(n -> n.name().equals("not-yet"))
                .findFirst().orElseThrow().state());

        List<GraphHarness.Captured> out = harness.capture("not-yet");
        harness.run();
        assertEquals(10, out.size());
        assertTrue(engine.problems().isEmpty(), engine.problems().toString());
        assertEquals(0, harness.outstanding());
    }

    @Test
    void parkingIsBoundedAndWhatOverflowsIsFreedAndCounted() {
        try (GraphHarness small = new GraphHarness(GraphOptions.DEFAULTS.withBuffersPerWorker(1024).withParkCapacity(256))) {
            small.add(new TestNodes.Pass("a", "absent"));
            for (int batch = 0; batch < 3; batch++) {
                for (int i = 0; i < 100; i++) {
                    small.inject("a", packet(60), 1, false);
                }
                small.run();
            }
            assertEquals(256, small.engine().pending(0, "absent"));
            assertEquals(44, small.error("absent", "parked-overflow"));
            assertEquals(256, small.outstanding(), "only the parked buffers are held");
        }
    }

    @Test
    void aNodeReturningAnArcItDoesNotHaveIsCountedNotLost() {
        harness.add(new Node() {
            private final io.sluice.graph.api.NodeRegistration registration =
                    io.sluice.graph.api.NodeRegistration.internal("broken", List.of(), List.of(), null);

            @Override
            public io.sluice.graph.api.NodeRegistration registration() {
                return registration;
            }

            @Override
            public int process(io.sluice.graph.api.NodeContext context, io.sluice.graph.api.Frame frame) {
                java.util.Arrays.fill(frame.nexts(), 0, frame.count(), 5);
                return frame.count();
            }
        });
        harness.inject("broken", packet(60), 1, false);
        harness.run();
        assertEquals(1, harness.error("broken", "bad-next-arc"));
        assertEquals(0, harness.outstanding());
    }

    /** Node "faulty": runs {@code fault} (which throws) on its first frame, then passes every frame to "after". */
    private static Node throwingOnItsFirstFrame(Runnable fault) {
        return new Node() {
            private final io.sluice.graph.api.NodeRegistration registration =
                    io.sluice.graph.api.NodeRegistration.internal("faulty", List.of("after"), List.of(), null);
            private int calls;

            @Override
            public io.sluice.graph.api.NodeRegistration registration() {
                return registration;
            }

            @Override
            public int process(io.sluice.graph.api.NodeContext context, io.sluice.graph.api.Frame frame) {
                if (calls++ == 0) {
                    fault.run();
                }
                java.util.Arrays.fill(frame.nexts(), 0, frame.count(), 0);
                return frame.count();
            }
        };
    }

    @Test
    void aNodeThatThrowsLosesItsFrameButNotTheWorker() {
        harness.add(throwingOnItsFirstFrame(() -> {
            throw new IllegalStateException("a bug in a node");
        }));
        List<GraphHarness.Captured> after = harness.capture("after");
        for (int i = 0; i < 3; i++) {
            harness.inject("faulty", packet(60), 1, false);
        }
        harness.run();
        assertEquals(0, after.size(), "the frame the node threw on is dropped");
        assertEquals(1, harness.error("faulty", "exception"));
        harness.inject("faulty", packet(60), 1, false);
        harness.run();
        assertEquals(1, after.size(), "the next frame goes through");
        assertEquals(0, harness.outstanding(), "the dropped buffers were freed");
    }

    /** An Error (as a truncated mapped file throws) costs its frame only, like any exception. */
    @Test
    void aNodeThatThrowsAnErrorLosesItsFrameButNotTheWorker() {
        harness.add(throwingOnItsFirstFrame(() -> {
            throw new InternalError("a fault occurred in an unsafe memory access operation");
        }));
        List<GraphHarness.Captured> after = harness.capture("after");
        harness.inject("faulty", packet(60), 1, false);
        harness.run();
        assertEquals(1, harness.error("faulty", "exception"));
        harness.inject("faulty", packet(60), 1, false);
        harness.run();
        assertEquals(1, after.size(), "the next frame goes through");
        assertEquals(0, harness.outstanding(), "the dropped buffers were freed once");
    }

    @Test
    void traceShowsVppLayoutForMarkedPacketsOnly() {
        harness.add(new TestNodes.Pass("ip4-input", "ip4-lookup"));
        harness.capture("ip4-lookup");
        harness.inject("ip4-input", packet(74), 6, true);
        harness.inject("ip4-input", packet(60), 6, false);
        harness.run();

        String[] lines = harness.trace().split("\n");
        assertEquals("------------------- Start of thread 0 sluice_main -------------------", lines[0]);
        assertEquals("Packet 1", lines[1]);
        assertEquals("", lines[2]);
        assertTrue(lines[3].matches("\\d\\d:\\d\\d:\\d\\d:\\d{6}: ip4-input"), lines[3]);
        assertEquals("  length 74", lines[4]);
        assertEquals("  second line", lines[5]);
        assertTrue(lines[6].matches("\\d\\d:\\d\\d:\\d\\d:\\d{6}: ip4-lookup"), lines[6]);
        assertEquals("  captured 74 bytes", lines[7]);
        assertEquals(8, lines.length, "the untraced packet leaves no record");

        engine.traceClear();
        assertTrue(harness.trace().contains("No packets in trace buffer"));
    }

    @Test
    void traceAddMarksTheNextPacketsOfAnInputNodeOnly() {
        TestNodes.Source source = new TestNodes.Source("pg-input", "sink", 4);
        TestNodes.Sink sink = new TestNodes.Sink("sink");
        harness.add(source).add(sink);

        IllegalArgumentException notInput = assertThrows(IllegalArgumentException.class,
                () -> engine.traceAdd("sink", 3));
        assertEquals("trace add: 'sink' is not an input node", notInput.getMessage());
        assertThrows(IllegalArgumentException.class, () -> engine.traceAdd("nothing", 3));

        engine.traceAdd("pg-input", 3);
        source.remaining.set(10);
        harness.run();

        String trace = harness.trace();
        assertEquals(3, trace.split("Packet ", -1).length - 1, trace);
        assertEquals(10, sink.received.get());
        assertEquals(0, harness.outstanding());
    }

    /**
     * A filtered trace marks only the matching packets, which alone use up its count: every other packet of
     * the source is from another host (or another port), as on a busy box where one flow is of interest.
     */
    @Test
    void aFilteredTraceMarksOnlyTheMatchingPackets() {
        TestNodes.Source source = new TestNodes.Source("pg-input", "sink", 8) {
            private int filled;

            @Override
            void fill(BufferPool pool, int bi) {
                // Ethernet + IPv4 + UDP: every third packet from 10.1.1.4 to port 53, the rest from 10.1.1.3.
                long frame = BufferPool.dataStart(bi);
                MemorySegment seg = pool.segment();
                seg.asSlice(frame, 64).fill((byte) 0);
                seg.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                        frame + 12, (short) 0x0800);
                seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, frame + 14, (byte) 0x45);
                seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, frame + 23, (byte) 17);
                boolean ofInterest = filled++ % 3 == 0;
                seg.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                        frame + 26, ofInterest ? 0x0a010104 : 0x0a010103);
                seg.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                        frame + 36, (short) (ofInterest ? 53 : 80));
            }
        };
        TestNodes.Sink sink = new TestNodes.Sink("sink");
        harness.add(source).add(sink);

        engine.traceAdd("pg-input", 4, TraceFilter.of("10.1.1.4/32", null, "udp", null, 53));
        source.remaining.set(30);
        harness.run();

        String trace = harness.trace();
        assertEquals(4, trace.split("Packet ", -1).length - 1, trace);
        assertEquals(30, sink.received.get(), "untraced packets flow as usual");
        assertEquals(0, harness.outstanding());
        assertThrows(IllegalArgumentException.class, () -> TraceFilter.of("10.1.1.300", null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> TraceFilter.of(null, null, "icmp", 1, null));
        assertEquals("src 10.1.1.0/24 proto udp dport 53", TraceFilter.of("10.1.1.9/24", null, "udp", null, 53).describe());
    }

    @Test
    void pollingWorkerNamesTheWorkerOnlyWhileItPollsTheInput() throws Exception {
        GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(2).withIdle("yield")
                .withPlacement(Map.of("pg-input", 1)));
        try {
            TestNodes.Source source = new TestNodes.Source("pg-input", "sink", 32);
            TestNodes.Sink sink = new TestNodes.Sink("sink");
            engine.addNode(sink);
            assertEquals(-1, engine.pollingWorker("pg-input"), "no such node");
            engine.addNode(source);
            assertEquals(-1, engine.pollingWorker("pg-input"), "registered, but no worker runs yet");
            assertEquals(-1, engine.pollingWorker("sink"), "not an input node");
            engine.start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (engine.pollingWorker("pg-input") < 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(1, engine.pollingWorker("pg-input"), "the worker its placement names");
            assertEquals(1, engine.inputWorker("pg-input"));
            engine.removeNode(source);
            assertEquals(-1, engine.pollingWorker("pg-input"), "removed: its slot has no instance to poll");
            assertEquals(1, engine.inputWorker("pg-input"), "still placed there");
        } finally {
            engine.stop();
        }
        assertEquals(-1, engine.pollingWorker("pg-input"), "stopped: no worker runs");
    }

    @Test
    void barrierPausesRunningWorkersAndMeasuresThePause() throws Exception {
        GraphEngine running = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(1).withIdle("yield"));
        try {
            TestNodes.Source source = new TestNodes.Source("pg-input", "sink", 32);
            TestNodes.Sink sink = new TestNodes.Sink("sink");
            running.addNode(source);
            running.addNode(sink);
            source.remaining.set(Long.MAX_VALUE);
            running.start();
            while (sink.received.get() < 1000) {
                Thread.sleep(1);
            }
            for (int i = 0; i < 20; i++) {
                long before = sink.received.get();
                long during = running.withBarrier(() -> {
                    long seen = sink.received.get();
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    assertEquals(seen, sink.received.get(), "no frame runs while the barrier is held");
                    return seen;
                });
                assertTrue(during >= before);
            }
            GraphRuntime.BarrierStats stats = running.barrierStats();
            assertEquals(20, stats.count());
            assertTrue(stats.maxPauseNanos() >= 2_000_000, "the pause includes the action's 2 ms");
        } finally {
            running.stop();
        }
    }

    @Test
    void optionsRejectBadValuesNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphOptions.from(Map.of("workers", "two")));
        assertEquals("workers: 'two' is not a whole number", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GraphOptions.from(Map.of("idle", "sleepy")));
        assertThrows(IllegalArgumentException.class, () -> GraphOptions.from(Map.of("park-capacity", 1000)));
        assertEquals(2, GraphOptions.from(Map.of("workers", "2")).workers());
        IllegalArgumentException cpus = assertThrows(IllegalArgumentException.class,
                () -> GraphOptions.from(Map.of("workers", "1", "cpus", "0,1")));
        assertEquals("cpus: 2 cores listed for 1 workers; list one per worker or none", cpus.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GraphOptions.from(Map.of("cpus", "4096")));
    }

    @Test
    void aPinnedWorkerRunsOnItsCore() throws Exception {
        GraphEngine pinned = new GraphEngine(GraphOptions.DEFAULTS.withIdle("yield").withCpus(0));
        try {
            java.util.concurrent.atomic.AtomicReference<String> allowed = new java.util.concurrent.atomic.AtomicReference<>();
            pinned.addNode(new TestNodes.Sink("sink"));
            TestNodes.Source source = new TestNodes.Source("pg-input", "sink", 1) {
                @Override
                public int process(io.sluice.graph.api.NodeContext context, io.sluice.graph.api.Frame frame) {
                    if (allowed.get() == null) {
                        allowed.set(cpusAllowed());
                    }
                    return 0;
                }
            };
            pinned.addNode(source);
            pinned.start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (allowed.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals("0", allowed.get());
        } finally {
            pinned.stop();
        }
    }

    private static String cpusAllowed() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring("Cpus_allowed_list:".length()).trim();
                }
            }
        } catch (java.io.IOException e) {
            return e.toString();
        }
        return "unknown";
    }
}
