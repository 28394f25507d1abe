package io.sluice.bench.nat44;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.nat44.api.Nat44Event;
import io.sluice.nat44.testkit.Nat44Testkit;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Tcp;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * nat44-in2out-output and its slow path on a frame of 256 TCP packets with 1M sessions resident.
 * fastPath: every packet hits a session picked at random among the 1M (ns per packet, including restoring
 * the 54 header bytes the previous run translated; restoreOnly measures that alone). slowPath: every packet
 * is a new flow; the node creates its session and the benchmark deletes the 256 again, so the table stays at
 * 1M (sessions created per second = 1e9 / ns per packet, delete included).
 * {@code logging=on}: NAT event logging (RFC 6888 REQ-12) is on, each create and delete is an event in the
 * bounded ring, and a second thread drains it as the telemetry exporter does; the goal is that the figures
 * move by less than 5 %. The tear-down prints how many events were recorded and lost.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@State(Scope.Thread)
public class Nat44PathBenchmark {
    static final int RESIDENT = 1_000_000;
    static final int INSIDE_SW = 6;
    static final int OUTSIDE_SW = 1;
    static final int FRAME = Frame.CAPACITY;
    static final int HEADER_BYTES = 14 + 20 + 20;
    static final int POOL_ADDRESSES = 20;

    @Param({"off", "on"})
    public String logging;

    BufferPool pool;
    TraceRing traceRing;
    private Thread drainer;
    private volatile boolean draining;
    private long drained;
    NodeContext fastContext;
    NodeContext slowContext;
    Nat44Testkit dataplane;
    Node fast;
    Node slow;
    Frame frame = new Frame();
    MemorySegment templates;
    int freshFlow;

    @Setup(Level.Trial)
    public void setUp() {
        long now = System.currentTimeMillis();
        int[] addresses = new int[POOL_ADDRESSES];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = 0xc0a81001 + i;
        }
        dataplane = Nat44Testkit.inside2Outside(RESIDENT + 2 * FRAME, now, addresses, INSIDE_SW, OUTSIDE_SW, RESIDENT);
        for (int i = 0; i < RESIDENT; i++) {
            if (!dataplane.createSession(insideAddress(i), insidePort(i), Ipv4.PROTOCOL_TCP, 0x1f866133, 80,
                    INSIDE_SW)) {
                throw new IllegalStateException("could not create session " + i);
            }
        }
        if (logging.equals("on")) {
            dataplane.enableEventLogging(1 << 16);
            draining = true;
            drainer = new Thread(this::drainEvents, "nat-event-drain");
            drainer.setDaemon(true);
            drainer.start();
        }
        pool = new BufferPool(FRAME);
        traceRing = new TraceRing(16);
        fast = dataplane.fastPathNode();
        slow = dataplane.slowPathNode();
        fastContext = new NodeContext(pool, traceRing, 0, 0, 8);
        fastContext.bindFeatureNext(new int[] {2, 2}, 2);
        slowContext = new NodeContext(pool, traceRing, 1, 0, 16);
        slowContext.bindFeatureNext(new int[] {1, 1}, 1);
        templates = MemorySegment.ofArray(new byte[FRAME * HEADER_BYTES]);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < FRAME; i++) {
            int bi = pool.alloc();
            frame.add(bi, 0);
            writeTcp(pool.segment(), BufferPool.dataStart(bi), random.nextInt(RESIDENT));
            MemorySegment.copy(pool.segment(), BufferPool.dataStart(bi), templates, (long) i * HEADER_BYTES, HEADER_BYTES);
            pool.setLength(bi, HEADER_BYTES);
            Ipv4.recordHeader(pool, bi, 14);
            pool.setRxSwIfIndex(bi, INSIDE_SW);
            pool.setTxSwIfIndex(bi, OUTSIDE_SW);
        }
    }

    /**
     * The exporter's side: takes events in batches of 512 and rests 20 ms after a pass that took less than a batch,
     * as the telemetry exporter's drain thread does. (A 50 us rest woke this thread 20,000 times a second on a loaded 2-core machine:
     * that, not the forwarding path, was the fast path's "logging cost" in the first measurement.)
     */
    private void drainEvents() {
        long[] records = new long[512 * Nat44Event.LONGS];
        while (draining) {
            int n = dataplane.drainEvents(records, 512);
            drained += n;
            if (n < 512) {
                LockSupport.parkNanos(20_000_000L);
            }
        }
    }

    static int insideAddress(int flow) {
        return 0x0a000000 + (flow >>> 8);
    }

    static int insidePort(int flow) {
        return 1024 + (flow & 0xff);
    }

    static void writeTcp(MemorySegment seg, long eth, int flow) {
        long ip = eth + 14;
        seg.asSlice(eth, HEADER_BYTES).fill((byte) 0);
        Ipv4.setVersionAndIhl(seg, ip, Ipv4.VERSION_IHL_NO_OPTIONS);
        Ipv4.setTotalLength(seg, ip, 40);
        Ipv4.setTtl(seg, ip, 63);
        Ipv4.setProtocol(seg, ip, Ipv4.PROTOCOL_TCP);
        Ipv4.setSrc(seg, ip, insideAddress(flow));
        Ipv4.setDst(seg, ip, 0x1f866133);
        Checksum.setIp4HeaderChecksum(seg, ip);
        Tcp.setSrcPort(seg, ip + 20, insidePort(flow));
        Tcp.setDstPort(seg, ip + 20, 80);
        Tcp.setDataOffset(seg, ip + 20, 5);
        Tcp.setFlags(seg, ip + 20, Tcp.FLAG_ACK);
        Checksum.setTcpChecksum(seg, ip);
    }

    private void restoreHeaders() {
        int[] buffers = frame.buffers();
        MemorySegment seg = pool.segment();
        for (int i = 0; i < FRAME; i++) {
            MemorySegment.copy(templates, (long) i * HEADER_BYTES, seg, BufferPool.dataStart(buffers[i]), HEADER_BYTES);
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAME)
    public int restoreOnly() {
        restoreHeaders();
        return frame.count();
    }

    @Benchmark
    @OperationsPerInvocation(FRAME)
    public int fastPath() {
        restoreHeaders();
        return fast.process(fastContext, frame);
    }

    @Benchmark
    @OperationsPerInvocation(FRAME)
    public int slowPath() {
        int[] buffers = frame.buffers();
        MemorySegment seg = pool.segment();
        for (int i = 0; i < FRAME; i++) {
            writeTcp(seg, BufferPool.dataStart(buffers[i]), RESIDENT + (freshFlow++ & 0xfffff));
        }
        int handled = slow.process(slowContext, frame);
        dataplane.deleteSessionsOf(pool, buffers, FRAME);
        return handled;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (drainer != null) {
            draining = false;
            drainer.join();
            long[] counts = dataplane.eventCounts();
            System.out.printf("%nNAT event logging: %d events recorded, %d lost (ring full), %d drained%n",
                    counts[0], counts[1], drained);
        }
        dataplane.close();
        pool.close();
        traceRing.close();
    }
}
