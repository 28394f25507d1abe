package io.sluice.bench.seed;

import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime.BufferStats;
import io.sluice.graph.testkit.HandoffNodes;
import io.sluice.graph.testkit.TestGraph;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Tcp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The seed's steady state (established flows, both ways: {@link SeedPathBenchmark#requestAndReply}) on one worker
 * and on two, in memory: the scaling figure (goal: two workers at least 1.8 times one). Each worker has
 * its own pod-side and internet-side source ({@link WorkerFrameSource}, one frame of 256 of its own flows each per
 * pass) and runs on its own JMH thread, as a worker thread on its own core runs its loop; both share the one seed
 * graph, its ACL and NAT44 tables and the two ports (whose single transmit queue each worker takes under vnet's
 * lock, as on the box). The figure is {@code packets}: what the group's sources made, and the box forwarded, per
 * microsecond, summed over its threads (a source makes nothing while its worker's handed-off buffers are not home,
 * so a lagging owner slows its peer instead of dropping: the frame queues never overflow).
 *
 * <ul>
 *   <li>{@code oneWorker}: the baseline, the same 512 packets a pass on a one-worker graph.</li>
 *   <li>{@code twoWorkers}, {@code flows=own}: each worker forwards only flows it owns, no handoff node in the path:
 *       the ceiling (two independent workers, sharing only the tables, the ports and the memory bus).</li>
 *   <li>{@code twoWorkers}, {@code flows=steered}: every source's frames go through {@code seed-worker-handoff}, and
 *       each flow is owned by the worker that polls it, as the box places its queues (a pod port on its address's
 *       owner, the GbE's queues steered by NAT port block: docs/operations.md, "Several workers", Steering): the
 *       handoff node decides every packet and hands none off.</li>
 *   <li>{@code twoWorkers}, {@code flows=half}: every source's frames go through {@code seed-worker-handoff} (the graph testkit's handoff node, handing to ethernet-input), and half
 *       of each worker's flows are owned by the other, as when RSS spreads flows without regard to the NAT's owner:
 *       half the packets are handed off (queued, processed on the owner where they lie, their buffers sent home and freed).
 *       The unsteered figure.</li>
 * </ul>
 *
 * The tear-down stops the sources, drains both workers, and checks that every packet made came out of the far
 * port (or was a counted congestion drop, printed), and that both pools are back to their baseline.
 *
 * <pre>
 *  mvn -o -q install -pl bench -am -DskipTests
 *  java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar SeedPathWorkersBenchmark
 * </pre>
 * On a two-core machine the two workers need both cores: a figure means something only on an otherwise quiet box
 * (report the load average beside it).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class SeedPathWorkersBenchmark {
    /** The graph testkit's handoff node under this name, handing each buffer to ethernet-input on its owner. */
    static final String SEED_WORKER_HANDOFF = "seed-worker-handoff";
    static final int FRAME = Frame.CAPACITY;
    static final int FIRST_POD_PORT = 1024;
    static final int BUFFERS_PER_WORKER = 16384;
    static final int HANDOFF_QUEUE = 4096;

    /** The seed box on {@code workers} workers, its flows established, a source pair per worker. */
    abstract static class Box {
        final SeedPort gbePort = new SeedPort("GigabitEthernet0/8/0", SeedGraph.GBE_MAC);
        final SeedPort tapPort = new SeedPort("tap2", SeedGraph.TAP2_MAC);
        SeedGraph seed;
        TestGraph graph;
        WorkerFrameSource[] sources;
        int workers;
        /**
         * One pass of worker {@code worker}'s loop on the calling thread: the packets its own sources made in it
         * (those it received from the other worker were counted there).
         */
        int pass(int worker) {
            long before = made(worker);
            graph.runOnce(worker);
            return (int) (made(worker) - before);
        }

        /** Packets worker {@code worker}'s two sources made so far (read on that worker's thread). */
        long made(int worker) {
            return sources[2 * worker].made + sources[2 * worker + 1].made;
        }

        /**
         * {@code flows}: "own", no handoff node; "steered", the handoff node in the path and every flow its poller's;
         * "half", through the handoff node with half of each worker's flows owned by the other.
         */
        void build(int workerCount, String flows) {
            boolean handoffNode = !flows.equals("own");
            boolean handoffHalf = flows.equals("half");
            workers = workerCount;
            Map<String, Integer> placement = new HashMap<>();
            placement.put("seed-setup-tap2-rx", 0);
            placement.put("seed-setup-gbe-rx", 0);
            for (int w = 0; w < workers; w++) {
                placement.put(podSource(w), w);
                placement.put(internetSource(w), w);
            }
            graph = TestGraph.withWorkers(workers, BUFFERS_PER_WORKER, HANDOFF_QUEUE, placement);
            seed = new SeedGraph(gbePort, tapPort, new SeedGraph.Options(BUFFERS_PER_WORKER, 65_536, 8192,
                    System.currentTimeMillis(), 65_536, 16, false), graph);
            FrameSource setupPod = new FrameSource("seed-setup-tap2-rx", seed.tap2);
            FrameSource setupInternet = new FrameSource("seed-setup-gbe-rx", seed.gbe);
            graph.addNode(setupPod);
            graph.addNode(setupInternet);
            String next = handoffNode ? SEED_WORKER_HANDOFF : EthernetGraph.ETHERNET_INPUT;
            if (handoffNode) {
                graph.addNode(new HandoffNodes.WorkerHandoffNode(SEED_WORKER_HANDOFF, EthernetGraph.ETHERNET_INPUT));
            }
            sources = new WorkerFrameSource[2 * workers];
            for (int w = 0; w < workers; w++) {
                MemorySegment requests = Arena.ofAuto().allocate((long) FRAME * SeedFrames.LENGTH);
                MemorySegment syns = Arena.ofAuto().allocate((long) FRAME * SeedFrames.LENGTH);
                MemorySegment replies = Arena.ofAuto().allocate((long) FRAME * SeedFrames.LENGTH);
                int[] owners = new int[FRAME];
                for (int i = 0; i < FRAME; i++) {
                    int podPort = FIRST_POD_PORT + w * FRAME + i;
                    SeedFrames.request(syns, (long) i * SeedFrames.LENGTH, podPort, Tcp.FLAG_SYN);
                    SeedFrames.request(requests, (long) i * SeedFrames.LENGTH, podPort, Tcp.FLAG_ACK);
                    owners[i] = handoffHalf && (i & 1) == 1 ? (w + 1) % workers : w;
                }
                int[] natPorts = open(setupPod, setupInternet, syns, requests);
                for (int i = 0; i < FRAME; i++) {
                    SeedFrames.reply(replies, (long) i * SeedFrames.LENGTH, natPorts[i], Tcp.FLAG_ACK);
                }
                sources[2 * w] = new WorkerFrameSource(podSource(w), seed.tap2, requests, owners, next,
                        HANDOFF_QUEUE);
                sources[2 * w + 1] = new WorkerFrameSource(internetSource(w), seed.gbe, replies, owners,
                        next, HANDOFF_QUEUE);
            }
            long gbeBefore = gbePort.sent;
            long tapBefore = tapPort.sent;
            gbePort.sent = 0;
            tapPort.sent = 0;
            expect(gbeBefore == 2L * FRAME * workers && tapBefore == (long) FRAME * workers, "the handshakes");
            for (WorkerFrameSource source : sources) {
                graph.addNode(source);
            }
        }

        /** The handshake of 256 flows on worker 0 (SYN, SYN-ACK, ACK): the NAT ports they got. */
        private int[] open(FrameSource pod, FrameSource internet, MemorySegment syns, MemorySegment acks) {
            gbePort.recorded = 0;
            gbePort.recordSourcePorts = true;
            pod.arm(syns, 0, FRAME);
            graph.runOnce(0);
            gbePort.recordSourcePorts = false;
            expect(gbePort.recorded == FRAME, "SYNs out of the GbE: " + gbePort.recorded);
            int[] natPorts = gbePort.sourcePorts.clone();
            MemorySegment synAcks = Arena.ofAuto().allocate((long) FRAME * SeedFrames.LENGTH);
            for (int i = 0; i < FRAME; i++) {
                SeedFrames.reply(synAcks, (long) i * SeedFrames.LENGTH, 0, Tcp.FLAG_SYN | Tcp.FLAG_ACK);
                long ip = (long) i * SeedFrames.LENGTH + Ethernet.HEADER_LENGTH;
                Tcp.setDstPort(synAcks, ip + SeedFrames.IP_HEADER, natPorts[i]);
                Checksum.setTcpChecksum(synAcks, ip);
            }
            internet.arm(synAcks, 0, FRAME);
            graph.runOnce(0);
            pod.arm(acks, 0, FRAME);
            graph.runOnce(0);
            return natPorts;
        }

        /** Stops the sources, drains the workers, checks every packet and buffer is accounted for. */
        void close() {
            for (WorkerFrameSource source : sources) {
                source.running = false;
            }
            for (int pass = 0; pass < 1000; pass++) {
                int work = 0;
                for (int w = 0; w < workers; w++) {
                    work += graph.runOnce(w);
                }
                if (work == 0 && pass > 2) {
                    break;
                }
            }
            long made = 0;
            for (WorkerFrameSource source : sources) {
                made += source.made;
            }
            Map<String, Long> errors = seed.errors(true);
            long congested = errors.getOrDefault(SEED_WORKER_HANDOFF + "/congestion-drop", 0L);
            List<BufferStats> pools = seed.runtime.buffers();
            System.out.printf("%n%d workers: packets made %d, out of the GbE %d, out of tap2 %d, congestion drops %d;"
                    + " buffers outstanding %s; counters %s%n", workers, made, gbePort.sent, tapPort.sent, congested,
                    pools.stream().map(BufferStats::outstanding).toList(), errors);
            boolean accounted = gbePort.sent + tapPort.sent + congested == made;
            boolean baseline = pools.stream().allMatch(pool -> pool.outstanding() == 0);
            seed.close();
            expect(accounted, "the run");
            expect(baseline, "buffers back in their pools");
        }

        private static String podSource(int worker) {
            return "seed-tap2-rx-" + worker;
        }

        private static String internetSource(int worker) {
            return "seed-gbe-rx-" + worker;
        }

        private static void expect(boolean condition, String what) {
            if (!condition) {
                throw new IllegalStateException(what + ": packets lost on the seed path");
            }
        }
    }

    @State(Scope.Group)
    public static class OneWorker extends Box {
        @Setup(Level.Trial)
        public void setUp() {
            build(1, "own");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            close();
        }
    }

    @State(Scope.Group)
    public static class TwoWorkers extends Box {
        @Param({"own", "steered", "half"})
        public String flows;

        @Setup(Level.Trial)
        public void setUp() {
            build(2, flows);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            close();
        }
    }

    /** Packets a worker's sources made (and the box forwarded): JMH reports them per microsecond, summed. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Packets {
        public long packets;

        @Setup(Level.Iteration)
        public void reset() {
            packets = 0;
        }
    }

    @Benchmark
    @Group("oneWorker")
    @GroupThreads(1)
    public void oneWorker(OneWorker box, Packets counted) {
        counted.packets += box.pass(0);
    }

    @Benchmark
    @Group("twoWorkers")
    @GroupThreads(1)
    public void worker0(TwoWorkers box, Packets counted) {
        counted.packets += box.pass(0);
    }

    @Benchmark
    @Group("twoWorkers")
    @GroupThreads(1)
    public void worker1(TwoWorkers box, Packets counted) {
        counted.packets += box.pass(1);
    }
}
