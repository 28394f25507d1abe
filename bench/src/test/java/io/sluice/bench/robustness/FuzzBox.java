package io.sluice.bench.robustness;

import io.sluice.bench.seed.SeedGraph;
import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.testkit.TestGraph;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.testkit.CapturingDevice;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed's box in memory: the {@link SeedGraph} the seed benchmark measures, with ip4-icmp-echo-reply and
 * ports that keep a copy of what they are handed. Nothing in it depends on the wall clock or a secure random: the
 * NAT's ports come from a seeded generator and ICMP errors are not rate limited, so two boxes fed alike answer
 * alike (only ip4-arp's one-second throttle reads the clock).
 *
 * <p>Each frame goes into a buffer filled with a poison byte around it; a write there, or a poison byte sent,
 * shows a node working outside the packet.
 */
final class FuzzBox implements AutoCloseable {
    /** ip4-arp drops the packet it cannot send yet and makes a request in a new buffer: one frame in, two outcomes. */
    static final String ARP_REQUESTS_NODE = "ip4-arp";
    static final String ARP_REQUESTS_COUNTER = "request-sent";

    final byte poison;
    private final MemorySegment poisonFill;
    private final CapturingDevice gbeDevice = new CapturingDevice("GigabitEthernet0/8/0", SeedGraph.GBE_MAC);
    private final CapturingDevice tapDevice = new CapturingDevice("tap2", SeedGraph.TAP2_MAC);
    private final SeedGraph seed;
    private final TestGraph graph;
    final GraphRuntime runtime;
    final int gbe;
    final int tap2;
    final BufferPool pool;
    private final int baseline;
    /** What the GbE was handed for the last frame. */
    final List<byte[]> sentGbe = new ArrayList<>();
    /** What tap2 was handed for the last frame. */
    final List<byte[]> sentTap = new ArrayList<>();
    /** The buffer the last frame was received into. */
    private int lastBuffer;

    FuzzBox(byte poison, long portSeed) {
        this.poison = poison;
        this.poisonFill = MemorySegment.ofArray(new byte[BufferPool.HEADROOM + BufferPool.DATA_SIZE]).fill(poison);
        seed = new SeedGraph(gbeDevice, tapDevice, new SeedGraph.Options(1024, 0, 4096, 1_700_000_000_000L, 10_000,
                portSeed, true));
        graph = seed.graph;
        runtime = seed.runtime;
        gbe = seed.gbe;
        tap2 = seed.tap2;
        pool = graph.pool(0);
        baseline = pool.freeCount();
    }

    /**
     * Receives {@code frame} on {@code rx} with buffer flags {@code flags} and runs the graph until it is idle;
     * {@link #sentGbe} and {@link #sentTap} then hold what the ports were handed. Exceptions propagate.
     */
    void receive(byte[] frame, int rx, int flags, boolean traced) {
        int bi = pool.alloc();
        lastBuffer = bi;
        MemorySegment.copy(poisonFill, 0, pool.segment(), BufferPool.dataStart(bi) - BufferPool.HEADROOM,
                poisonFill.byteSize());
        pool.write(bi, frame, frame.length);
        pool.setRxSwIfIndex(bi, rx);
        pool.orFlags(bi, flags);
        graph.inject(EthernetGraph.ETHERNET_INPUT, bi, traced);
        graph.runUntilIdle();
        sentGbe.clear();
        sentGbe.addAll(gbeDevice.sent);
        sentTap.clear();
        sentTap.addAll(tapDevice.sent);
        gbeDevice.sent.clear();
        tapDevice.sent.clear();
    }

    int sentCount() {
        return sentGbe.size() + sentTap.size();
    }

    /** Buffers not back in the pool after the last frame. */
    int leaked() {
        return baseline - pool.freeCount();
    }

    /**
     * Where a node wrote outside what the last packet ever held: before its first byte (its current data when it
     * left the graph, or data start) in the headroom, or after its last (the frame as received, or as it left).
     * A freed buffer keeps its bytes and metadata until it is handed out again. Null when nowhere.
     */
    String writtenOutside(int receivedLength) {
        int bi = lastBuffer;
        MemorySegment seg = pool.segment();
        long dataStart = BufferPool.dataStart(bi);
        int first = Math.min(0, pool.currentData(bi));
        int end = Math.max(receivedLength, pool.currentData(bi) + pool.length(bi));
        long headroomStart = dataStart - BufferPool.HEADROOM;
        long before = MemorySegment.mismatch(seg, headroomStart, dataStart + first, poisonFill, 0,
                BufferPool.HEADROOM + first);
        if (before >= 0) {
            return "headroom byte " + (before - BufferPool.HEADROOM) + " of the data start";
        }
        if (end < BufferPool.DATA_SIZE) {
            long after = MemorySegment.mismatch(seg, dataStart + end, dataStart + BufferPool.DATA_SIZE, poisonFill,
                    BufferPool.HEADROOM + end, poisonFill.byteSize());
            if (after >= 0) {
                return "byte " + (end + after) + " after the data start, the packet ending at " + end;
            }
        }
        return null;
    }

    /** Every error counter, by node/counter. */
    Map<String, Long> counters() {
        return seed.errors(false);
    }

    /** The frame received once more, traced, and the trace (state may have moved on since). */
    String replayTraced(byte[] frame, int rx, int flags) {
        try {
            runtime.traceClear();
            receive(frame, rx, flags, true);
            return runtime.traceShow(5);
        } catch (RuntimeException | Error e) {
            return "(the replay threw " + e + ")";
        }
    }

    @Override
    public void close() {
        seed.close();
    }
}
