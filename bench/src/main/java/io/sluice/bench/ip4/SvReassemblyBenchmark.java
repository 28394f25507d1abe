package io.sluice.bench.ip4;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.ip4.testkit.Ip4Testkit;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
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

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * ip4-sv-reassembly-feature on a frame of 256 UDP packets, called directly, so one operation is one packet through
 * the node. {@code none}: no fragments (what every packet on every interface pays for the node). {@code inOrder}: 85
 * datagrams of 3 fragments in order (the first learns, the later two are stamped, the context goes). {@code reversed}:
 * the same trains last first (two held per datagram, released after the first, emitted after the frame).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SvReassemblyBenchmark {
    private static final int TRAINS = Frame.CAPACITY / 3;

    @Param({"none", "inOrder", "reversed"})
    public String fragments;

    private Node node;
    private BufferPool pool;
    private TraceRing traceRing;
    private NodeContext context;
    private final Frame frame = new Frame();
    private final int[] order = new int[Frame.CAPACITY];
    private int count;

    @Setup(Level.Trial)
    public void setUp() {
        node = Ip4Testkit.svReassemblyFeature(System::nanoTime);
        pool = new BufferPool(Frame.CAPACITY);
        traceRing = new TraceRing(1);
        context = new NodeContext(pool, traceRing, 0, 0, 16);
        context.bindFeatureNext(new int[0], 1);
        MemorySegment seg = pool.segment();
        count = fragments.equals("none") ? Frame.CAPACITY : TRAINS * 3;
        for (int i = 0; i < count; i++) {
            int bi = pool.alloc();
            int train = i / 3;
            int piece = fragments.equals("none") ? 0 : fragments.equals("inOrder") ? i % 3 : 2 - i % 3;
            long ip = BufferPool.dataStart(bi);
            NetworkOrder.setU8(seg, ip, Ipv4.VERSION_IHL_NO_OPTIONS);
            Ipv4.setTotalLength(seg, ip, 20 + 1480);
            Ipv4.setId(seg, ip, fragments.equals("none") ? i : train);
            Ipv4.setFlagsAndFragmentOffset(seg, ip, fragments.equals("none") ? Ipv4.FLAG_DONT_FRAGMENT
                    : (piece < 2 ? Ipv4.FLAG_MORE_FRAGMENTS : 0) | piece * 1480 / 8);
            Ipv4.setTtl(seg, ip, 64);
            Ipv4.setProtocol(seg, ip, Ipv4.PROTOCOL_UDP);
            Ipv4.setSrc(seg, ip, 0x0a010103);
            Ipv4.setDst(seg, ip, 0x1f866133);
            NetworkOrder.setU16(seg, ip + 20, 40000 + train);
            NetworkOrder.setU16(seg, ip + 22, 53);
            pool.setLength(bi, 20 + 1480);
            Ipv4.recordHeader(pool, bi, 0);
            pool.setRxSwIfIndex(bi, 1);
            order[i] = bi;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        traceRing.close();
        pool.close();
    }

    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public int perPacket() {
        System.arraycopy(order, 0, frame.buffers(), 0, count);
        frame.setCount(count);
        int n = node.process(context, frame);
        int emitted = context.emittedCount();
        context.clearEmitted();
        return n + emitted + frame.nexts()[0];
    }
}
