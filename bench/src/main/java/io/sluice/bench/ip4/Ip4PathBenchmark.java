package io.sluice.bench.ip4;

import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ethernet.testkit.EthernetTestkit;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.TraceRing;
import io.sluice.ip4.api.Ip4Fib;
import io.sluice.ip4.testkit.Ip4Testkit;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Tcp;
import io.sluice.vnet.testkit.FreeingDevice;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.testkit.VnetTestkit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The IPv4 forwarding path per 64-byte frame, as VPP's ip4base test: a frame of 256 TCP packets received on
 * tap2 through ethernet-input, ip4-input, ip4-lookup, ip4-rewrite, GigabitEthernet0/8/0-output and -tx (a
 * device that frees what it is given). Each invocation also plays the driver: allocates the 256 buffers and
 * copies the 60-byte frames in; {@link #rxOnly} measures that alone. {@code routes} 1 is the seed's default
 * route; 1000000 adds that many random prefixes and sends every packet to a random destination.
 * {@code sourceCheck} {@code strict} adds ip4-source-check-via-rx after ip4-input (the lab's pod ports): one more
 * FIB lookup per packet, of the source, 10.1.1.3, routed back to tap2 by the pod's attached /32.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
@State(Scope.Thread)
public class Ip4PathBenchmark {
    static final int FRAME = Frame.CAPACITY;
    static final int FRAME_BYTES = 60;
    static final long TAP2_MAC = 0x02fe163f5f0fL;
    static final long POD_MAC = 0x000000000002L;

    @Param({"1", "1000000"})
    int routes;

    @Param({"off", "strict"})
    String sourceCheck;

    BufferPool pool;
    Frame frame = new Frame();
    MemorySegment templates;
    int tap2;
    Node ethernetInput;
    Node ip4Input;
    Node check;
    Node lookup;
    Node rewrite;
    Node output;
    Node tx;
    NodeContext ethernetContext;
    NodeContext inputContext;
    NodeContext checkContext;
    NodeContext lookupContext;
    NodeContext rewriteContext;
    NodeContext outputContext;
    NodeContext txContext;

    /** Runs the interface table without an engine: keeps the nodes it adds so the benchmark can call them. */
    static GraphRuntime collecting(Map<String, Node> nodes) {
        return (GraphRuntime) Proxy.newProxyInstance(GraphRuntime.class.getClassLoader(),
                new Class<?>[] {GraphRuntime.class}, (proxy, method, arguments) -> switch (method.getName()) {
                    case "workerCount" -> 1;
                    case "addNode" -> {
                        Node node = (Node) arguments[0];
                        nodes.put(node.registration().name(), node);
                        yield null;
                    }
                    case "setTraceContext", "setFeatureArcEnd" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }


    static NodeContext context(BufferPool pool, TraceRing ring, int slot, int startArc) {
        NodeContext context = new NodeContext(pool, ring, slot, 0, 16);
        context.bindFeatureStart(new int[][] {new int[0]}, new int[] {startArc});
        return context;
    }

    @Setup
    public void setUp() {
        Map<String, Node> nodes = new HashMap<>();
        InterfaceTable interfaces = VnetTestkit.interfaceTable(collecting(nodes));
        int gbe = interfaces.register(new FreeingDevice("GigabitEthernet0/8/0", 0x080027449fd8L));
        tap2 = interfaces.register(new FreeingDevice("tap2", TAP2_MAC));
        interfaces.setAdminUp(gbe, true);
        interfaces.setAdminUp(tap2, true);
        interfaces.addIp4Address(gbe, 0xc0a81001, 24);
        NeighbourTable neighbours = EthernetTestkit.neighbourTable();
        neighbours.addStatic(gbe, 0xc0a81064, 0x08002702a536L);
        Ip4Testkit.Fib testFib = Ip4Testkit.fib(interfaces, neighbours);
        Ip4Fib fib = testFib.api();
        fib.addRoute(0, 0, 0, 0xc0a81064, gbe);
        neighbours.addStatic(tap2, 0x0a010103, POD_MAC);
        fib.addRoute(0, 0x0a010103, 32, 0, tap2);
        SplittableRandom random = new SplittableRandom(11);
        if (routes > 1) {
            Ip4FibBenchmark.Table table = Ip4FibBenchmark.internetLike(routes, random);
            int[] nextHops = new int[routes];
            int[] sws = new int[routes];
            java.util.Arrays.fill(nextHops, 0xc0a81064);
            java.util.Arrays.fill(sws, gbe);
            fib.addRoutes(0, table.addresses(), table.lengths(), nextHops, sws, routes);
        }
        ethernetInput = EthernetTestkit.ethernetInput(interfaces);
        ip4Input = Ip4Testkit.ip4Input();
        check = sourceCheck.equals("strict") ? testFib.sourceCheckNode(true) : null;
        lookup = testFib.lookupNode();
        rewrite = testFib.rewriteNode(interfaces);
        output = nodes.get(InterfaceTable.outputNodeName("GigabitEthernet0/8/0"));
        tx = nodes.get(InterfaceTable.txNodeName("GigabitEthernet0/8/0"));
        pool = new BufferPool(4 * FRAME);
        TraceRing ring = new TraceRing(16);
        ethernetContext = context(pool, ring, 0, 0);
        inputContext = context(pool, ring, 1, 2);
        checkContext = context(pool, ring, 6, 0);
        checkContext.bindFeatureNext(new int[0], 1);
        lookupContext = context(pool, ring, 2, 0);
        rewriteContext = context(pool, ring, 3, 2);
        outputContext = context(pool, ring, 4, 0);
        txContext = context(pool, ring, 5, 0);
        templates = MemorySegment.ofArray(new byte[FRAME * FRAME_BYTES]);
        for (int i = 0; i < FRAME; i++) {
            int dst = routes > 1 ? random.nextInt() : 0x1f866133;
            writeFrame(templates, (long) i * FRAME_BYTES, dst, 1024 + i);
        }
        int forwarded = forwardFrame();
        if (forwarded != FRAME || pool.outstanding() != 0) {
            throw new IllegalStateException("setup: " + forwarded + " forwarded, " + pool.outstanding() + " left");
        }
        if (checkContext.errorCounts()[0] + checkContext.errorCounts()[1] != 0) {
            throw new IllegalStateException("setup: the source check dropped the pod's own packets");
        }
    }

    /** A 60-byte frame: Ethernet, IPv4 (total 46), TCP, 6 bytes of payload; checksums right. */
    static void writeFrame(MemorySegment seg, long off, int dst, int srcPort) {
        Ethernet.setDst(seg, off, TAP2_MAC);
        Ethernet.setSrc(seg, off, POD_MAC);
        Ethernet.setEtherType(seg, off, Ethernet.TYPE_IP4);
        long ip = off + Ethernet.HEADER_LENGTH;
        Ipv4.setVersionAndIhl(seg, ip, Ipv4.VERSION_IHL_NO_OPTIONS);
        Ipv4.setTotalLength(seg, ip, FRAME_BYTES - Ethernet.HEADER_LENGTH);
        Ipv4.setFlagsAndFragmentOffset(seg, ip, Ipv4.FLAG_DONT_FRAGMENT);
        Ipv4.setTtl(seg, ip, 64);
        Ipv4.setProtocol(seg, ip, Ipv4.PROTOCOL_TCP);
        Ipv4.setSrc(seg, ip, 0x0a010103);
        Ipv4.setDst(seg, ip, dst);
        Checksum.setIp4HeaderChecksum(seg, ip);
        Tcp.setSrcPort(seg, ip + 20, srcPort);
        Tcp.setDstPort(seg, ip + 20, 80);
        Tcp.setDataOffset(seg, ip + 20, 5);
        Tcp.setFlags(seg, ip + 20, Tcp.FLAG_ACK);
        Checksum.setTcpChecksum(seg, ip);
    }

    /** The driver's part: fresh buffers with the frames copied in. */
    private void receive() {
        int[] buffers = frame.buffers();
        pool.alloc(buffers, 0, FRAME);
        MemorySegment seg = pool.segment();
        for (int i = 0; i < FRAME; i++) {
            int bi = buffers[i];
            MemorySegment.copy(templates, (long) i * FRAME_BYTES, seg, BufferPool.dataStart(bi), FRAME_BYTES);
            pool.setData(bi, 0, FRAME_BYTES);
            pool.setRxSwIfIndex(bi, tap2);
        }
        frame.setCount(FRAME);
    }

    private int forwardFrame() {
        receive();
        ethernetInput.process(ethernetContext, frame);
        ip4Input.process(inputContext, frame);
        if (check != null) {
            check.process(checkContext, frame);
        }
        lookup.process(lookupContext, frame);
        rewrite.process(rewriteContext, frame);
        int n = output.process(outputContext, frame);
        tx.process(txContext, frame);
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(FRAME)
    public int forward() {
        return forwardFrame();
    }

    @Benchmark
    @OperationsPerInvocation(FRAME)
    public int rxOnly() {
        receive();
        pool.free(frame.buffers(), 0, FRAME);
        return FRAME;
    }
}
