package io.sluice.graph.runtime;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.packet.api.BufferPool;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs nodes or a sub-graph in memory on the calling thread: packets in at any node, what reaches a
 * capture node out, counters and trace text readable. For node tests in every bundle (published in the
 * graph bundle's test jar).
 *
 * <pre>
 *  GraphHarness h = new GraphHarness();
 *  h.add(new Ip4InputNode(...));
 *  List&lt;Captured&gt; out = h.capture("ip4-lookup");
 *  h.inject("ip4-input", bytes, 1, true);
 *  h.run();
 *  assertEquals(1, out.size()); assertEquals(1, h.error("ip4-input", "ttl-expired"));
 * </pre>
 */
public final class GraphHarness implements AutoCloseable {
    private final GraphEngine engine;
    private final Map<String, List<Captured>> captures = new TreeMap<>();

    public GraphHarness() {
        this(GraphOptions.DEFAULTS.withBuffersPerWorker(4096));
    }

    public GraphHarness(GraphOptions options) {
        this.engine = new GraphEngine(options.withWorkers(1));
    }

    /** A harness whose packet captures ({@link GraphEngine#startCapture}) write into {@code captureDirectory}. */
    public GraphHarness(java.nio.file.Path captureDirectory) {
        this.engine = new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(4096).withWorkers(1), captureDirectory);
    }

    public GraphEngine engine() {
        return engine;
    }

    public BufferPool pool() {
        return engine.pool(0);
    }

    public GraphHarness add(Node node) {
        engine.addNode(node);
        return this;
    }

    /**
     * A packet as it reached a capture node: its bytes from current data, and its metadata; {@code error} is the
     * global error index the node that dropped it stamped ({@link BufferPool#error}), -1 when none: see
     * {@link #errorName}.
     */
    public record Captured(byte[] bytes, int rxSwIfIndex, int txSwIfIndex, int flags, int[] opaque, int error) {
    }

    /**
     * The counter a node stamped on {@code packet} when it dropped it, as errors:show names it ("ip4-input:
     * bad-checksum"), or null when it stamped none: for a test that captures {@code error-drop}.
     */
    public String errorName(Captured packet) {
        return packet.error() < 0 ? null : engine.errorName(packet.error());
    }

    /** Registers a node named {@code name} that keeps a copy of every buffer it receives, then frees it. */
    public List<Captured> capture(String name) {
        List<Captured> list = captures.computeIfAbsent(name, n -> new ArrayList<>());
        engine.addNode(new CaptureNode(name, list));
        return list;
    }

    /** Copies {@code packet} into a fresh buffer with rx sw_if_index {@code rxSwIfIndex}, queued for {@code node}. */
    public int inject(String node, byte[] packet, int rxSwIfIndex, boolean traced) {
        BufferPool pool = pool();
        int bi = pool.alloc();
        if (bi < 0) {
            throw new IllegalStateException("harness buffer pool is empty");
        }
        pool.write(bi, packet, packet.length);
        pool.setRxSwIfIndex(bi, rxSwIfIndex);
        engine.inject(node, bi, traced);
        return bi;
    }

    /** Runs worker 0 until nothing is left to do; returns the buffers handled. */
    public int run() {
        return engine.runUntilIdle();
    }

    public long error(String node, String counterName) {
        return engine.errors().stream()
                .filter(e -> e.node().equals(node) && e.error().equals(counterName))
                .mapToLong(e -> e.count())
                .sum();
    }

    public String trace() {
        return engine.traceShow(50);
    }

    /** Buffers handed out and not freed: 0 after every test that sends all its packets somewhere. */
    public int outstanding() {
        return pool().outstanding();
    }

    @Override
    public void close() {
        engine.stop();
    }

    private static final class CaptureNode implements Node {
        private final NodeRegistration registration;
        private final List<Captured> captured;

        CaptureNode(String name, List<Captured> captured) {
            this.captured = captured;
            this.registration = NodeRegistration.internal(name, List.of(), List.of(), (record, offset, context, out) -> {
                int length = record.get(ValueLayout.JAVA_INT, offset);
                out.append("captured ").append(length).append(" bytes");
            });
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
                    long record = context.trace(bi);
                    if (record >= 0) {
                        MemorySegment trace = context.traceSegment();
                        trace.set(ValueLayout.JAVA_INT, record, pool.length(bi));
                    }
                }
                int[] opaque = new int[BufferPool.OPAQUE_SIZE / 4];
                for (int slot = 0; slot < opaque.length; slot++) {
                    opaque[slot] = pool.opaque(bi, slot);
                }
                captured.add(new Captured(pool.toBytes(bi), pool.rxSwIfIndex(bi), pool.txSwIfIndex(bi),
                        pool.flags(bi), opaque, pool.error(bi)));
            }
            pool.free(frame.buffers(), 0, n);
            frame.setCount(0);
            return n;
        }
    }
}
