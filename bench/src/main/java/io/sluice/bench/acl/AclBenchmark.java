package io.sluice.bench.acl;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclRule;
import io.sluice.acl.api.AclService;
import io.sluice.acl.testkit.AclTestkit;
import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.TraceRing;
import io.sluice.graph.testkit.TestGraph;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.vnet.testkit.FreeingDevice;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.testkit.VnetTestkit;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * acl-plugin-in-ip4-fa on a frame of 256 TCP packets of 256 flows, called directly (no dispatch), so one
 * operation is one packet through the node. The interface's ACL has {@code rules} rules of which only the
 * last matches (the others deny other destination prefixes), so a miss costs the classifier its widest
 * bit vectors. {@code hit}: the last rule is permit+reflect and every flow already has its session, so the
 * packet passes on a session lookup (VPP's stateful path). {@code miss}: the last rule is permit, so every
 * packet misses the session table and is classified (VPP's stateless path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class AclBenchmark {
    private static final String START = "bench-ip4-input";
    private static final int SW = 1;

    @Param({"1", "100", "1000"})
    public int rules;

    @Param({"hit", "miss"})
    public String session;

    private TestGraph engine;
    private AclTestkit acl;
    private AclService manager;
    private Node node;
    private BufferPool pool;
    private TraceRing traceRing;
    private NodeContext context;
    private final Frame frame = new Frame();

    @Setup(Level.Trial)
    public void setUp() {
        engine = TestGraph.withBuffersPerWorker(1024);
        engine.addNode(new ArcStart());
        InterfaceTable interfaces = VnetTestkit.interfaceTable(engine.runtime());
        interfaces.register(new FreeingDevice("bench0"));
        acl = AclTestkit.standalone(engine.runtime(), interfaces);
        manager = acl.service();
        node = acl.inputNode();
        engine.addNode(node);
        List<AclRule> list = new ArrayList<>();
        for (int r = 0; r < rules - 1; r++) {
            list.add(AclRule.parse("deny dst 172." + (16 + r / 256) + "." + (r % 256) + ".0/24 proto 6 dport 1-1024"));
        }
        list.add(AclRule.parse(session.equals("hit") ? "permit+reflect" : "permit"));
        manager.define(new Acl("bench", 0, list));
        manager.bind("bench0", List.of("bench"), List.of());

        pool = new BufferPool(Frame.CAPACITY);
        traceRing = new TraceRing(1);
        context = new NodeContext(pool, traceRing, 0, 0, 16);
        MemorySegment seg = pool.segment();
        for (int i = 0; i < Frame.CAPACITY; i++) {
            int bi = pool.alloc();
            long ip = BufferPool.dataStart(bi);
            NetworkOrder.setU8(seg, ip, Ipv4.VERSION_IHL_NO_OPTIONS);
            Ipv4.setTotalLength(seg, ip, 40);
            Ipv4.setTtl(seg, ip, 64);
            Ipv4.setProtocol(seg, ip, Ipv4.PROTOCOL_TCP);
            Ipv4.setSrc(seg, ip, 0x0a010100 | i);
            Ipv4.setDst(seg, ip, 0x1f866133);
            NetworkOrder.setU16(seg, ip + 20, 40000 + i);
            NetworkOrder.setU16(seg, ip + 22, 80);
            NetworkOrder.setU8(seg, ip + 32, 0x50);
            NetworkOrder.setU8(seg, ip + 33, 0x10);
            pool.setLength(bi, 40);
            Ipv4.recordHeader(pool, bi, 0);
            pool.setRxSwIfIndex(bi, SW);
            frame.buffers()[i] = bi;
        }
        runFrame();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        acl.close();
        engine.close();
        traceRing.close();
        pool.close();
    }

    private int runFrame() {
        frame.setCount(Frame.CAPACITY);
        return node.process(context, frame);
    }

    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public int perPacket() {
        return runFrame() + frame.nexts()[Frame.CAPACITY - 1];
    }

    /** Declares the ip4-unicast arc, as ip4-input does, so the ACL feature can be enabled. */
    private static final class ArcStart implements Node {
        private static final NodeRegistration REGISTRATION = NodeRegistration.internal(START, List.of(), List.of(),
                (record, offset, context, out) -> out.append(START))
                .startingArcs(new FeatureArc(FeatureArc.IP4_UNICAST, START, "ip4-lookup"));

        @Override
        public NodeRegistration registration() {
            return REGISTRATION;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            return 0;
        }
    }
}
