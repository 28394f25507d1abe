package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime.ThreadRuntime;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphOptions;
import io.sluice.nat44.api.SessionInfo;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.NetworkOrder;
import io.sluice.packet.api.Tcp;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.FreeingDevice;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NAT44-ED worker handoffs on two workers, driven one pass at a time on the test's thread: who owns a packet
 * (in2out by inside address; out2in by static mapping, port block, echo identifier, an ICMP error's quote), that a
 * packet on its owner goes on without a handoff, the counters, the trace lines, and that the runtime puts the nodes
 * on the arcs only with several workers.
 */
class Nat44WorkerHandoffTest {
    private static final int POOL = ip("192.168.16.1");
    private static final String IN2OUT = Nat44In2OutOutputWorkerHandoffNode.NAME;
    private static final String OUT2IN = Nat44Out2InWorkerHandoffNode.NAME;

    /** A packet a recorder saw, with the worker it ran on. */
    record Seen(int worker, byte[] bytes) {
    }

    private final List<Seen> lookup = new ArrayList<>();
    private final List<Seen> gbe = new ArrayList<>();

    private TwoWorkerBed bed() {
        return bed(2048);
    }

    private TwoWorkerBed bed(int handoffQueue) {
        return new TwoWorkerBed(4096, new int[] {POOL}, 4096, handoffQueue,
                (worker, pool, bi) -> lookup.add(new Seen(worker, pool.toBytes(bi))),
                (worker, pool, bi) -> gbe.add(new Seen(worker, pool.toBytes(bi)))).withQueueFeeds();
    }

    /** An inside address 10.1.1.x that the in2out hash gives to {@code worker}, the {@code nth} such. */
    static String insideOwnedBy(int worker, int nth) {
        for (int x = 2; x < 255; x++) {
            String address = "10.1.1." + x;
            if (Nat44WorkerOwner.ofInsideAddress(ip(address), 2) == worker && nth-- == 0) {
                return address;
            }
        }
        throw new AssertionError("no address of worker " + worker);
    }

    private static TwoWorkerBed.Packet out(byte[] frame) {
        return new TwoWorkerBed.Packet(frame, TwoWorkerBed.TAP2, true);
    }

    private static TwoWorkerBed.Packet in(byte[] frame) {
        return new TwoWorkerBed.Packet(frame, TwoWorkerBed.GBE, false);
    }

    /** Source port of a captured outbound frame (from Ethernet). */
    private static int sourcePort(byte[] frame) {
        return NetworkOrder.u16(MemorySegment.ofArray(frame), Frames.ETH + 20);
    }

    private static void assertPoolsAtBaseline(TwoWorkerBed bed) {
        assertEquals(0, bed.engine.pool(0).outstanding(), "worker 0's pool back to its baseline");
        assertEquals(0, bed.engine.pool(1).outstanding(), "worker 1's pool back to its baseline");
    }

    /**
     * The owner of an inside host is what it was when the NAT computed it from its session table's hash: a pod's port
     * placed by PortBlocks (driver-tap) must land on the worker the handoff nodes send its flows to.
     */
    @Test
    void theInsideOwnerIsTheSessionTablesHashOfTheAddressScaledOntoTheWorkers() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(17);
        for (int i = 0; i < 10_000; i++) {
            int address = random.nextInt();
            for (int workers = 1; workers <= 8; workers++) {
                long h = SessionTable.mix(address & 0xffffffffL) >>> 32;
                assertEquals((int) ((h * workers) >>> 32), Nat44WorkerOwner.ofInsideAddress(address, workers));
            }
        }
    }

    @Test
    void aFlowRunsOnTheWorkerOfItsInsideAddressBothWaysWhereverItsPacketsArrive() {
        String host = insideOwnedBy(1, 0);
        try (TwoWorkerBed bed = bed()) {
            bed.send(0, out(Frames.udp(host, 5000, "8.8.8.8", 53, 8, true)));
            bed.settle();
            assertEquals(1, gbe.size());
            assertEquals(1, gbe.get(0).worker(), "translated on the owner");
            MemorySegment sent = MemorySegment.ofArray(gbe.get(0).bytes());
            assertEquals(POOL, Ipv4.src(sent, Frames.ETH));
            int port = sourcePort(gbe.get(0).bytes());
            assertEquals(1, bed.dataplane.ports().owner(port), "the port comes from the owner's block");
            assertEquals(1, bed.error(IN2OUT, "do-handoff"));

            bed.send(0, in(Frames.udp("8.8.8.8", 53, "192.168.16.1", port, 8, true)));
            bed.settle();
            assertEquals(1, lookup.size());
            assertEquals(1, lookup.get(0).worker(), "the reply met its session on the owner");
            MemorySegment back = MemorySegment.ofArray(lookup.get(0).bytes());
            assertEquals(ip(host), Ipv4.dst(back, 0));
            assertEquals(5000, NetworkOrder.u16(back, 22));
            assertEquals(1, bed.error(OUT2IN, "do-handoff"));

            bed.send(1, in(Frames.udp("8.8.8.8", 53, "192.168.16.1", port, 8, true)));
            bed.send(1, out(Frames.udp(host, 5000, "9.9.9.9", 53, 8, true)));
            bed.settle();
            assertEquals(1, bed.error(OUT2IN, "same-worker"), "already on its owner: no handoff");
            assertEquals(1, bed.error(IN2OUT, "same-worker"));
            assertEquals(2, gbe.size());
            assertEquals(port, sourcePort(gbe.get(1).bytes()), "a second server, the same outside endpoint (EIM)");
            assertEquals(2, bed.dataplane.table().count(), "two flows, two sessions");
            assertEquals(0, bed.error(IN2OUT, "congestion-drop") + bed.error(OUT2IN, "congestion-drop"));
            List<ThreadRuntime> threads = bed.engine.runtimeByThread();
            assertEquals(2, threads.get(0).handoffSent());
            assertEquals(0, threads.get(1).handoffSent());
            assertPoolsAtBaseline(bed);
        }
    }

    @Test
    void aHostOfTheWorkerItArrivesOnIsNotHandedOff() {
        String host = insideOwnedBy(0, 0);
        try (TwoWorkerBed bed = bed()) {
            bed.send(0, out(Frames.tcp(host, 41084, "31.134.97.51", 80, Tcp.FLAG_SYN)));
            bed.settle();
            assertEquals(1, gbe.size());
            assertEquals(0, gbe.get(0).worker());
            assertEquals(1, bed.error(IN2OUT, "same-worker"));
            assertEquals(0, bed.error(IN2OUT, "do-handoff"));
            assertEquals(0, bed.engine.runtimeByThread().get(0).handoffSent(), "no copy");
            assertPoolsAtBaseline(bed);
        }
    }

    @Test
    void anEchoReplyIsOwnedByTheBlockOfItsIdentifier() {
        String host = insideOwnedBy(1, 1);
        try (TwoWorkerBed bed = bed()) {
            bed.send(0, out(Frames.echo(host, "8.8.8.8", Icmp.TYPE_ECHO_REQUEST, 777, 1)));
            bed.settle();
            assertEquals(1, gbe.get(0).worker());
            int id = Icmp.echoId(MemorySegment.ofArray(gbe.get(0).bytes()), Frames.ETH + 20);
            assertEquals(1, bed.dataplane.ports().owner(id));
            bed.send(0, in(Frames.echo("8.8.8.8", "192.168.16.1", Icmp.TYPE_ECHO_REPLY, id, 1)));
            bed.settle();
            assertEquals(1, lookup.size());
            assertEquals(1, lookup.get(0).worker());
            MemorySegment back = MemorySegment.ofArray(lookup.get(0).bytes());
            assertEquals(ip(host), Ipv4.dst(back, 0));
            assertEquals(777, Icmp.echoId(back, 20));
            assertPoolsAtBaseline(bed);
        }
    }

    @Test
    void anIcmpErrorIsOwnedByTheEndpointItQuotes() {
        String host = insideOwnedBy(1, 2);
        try (TwoWorkerBed bed = bed()) {
            bed.send(1, out(Frames.udp(host, 6000, "8.8.8.8", 53, 8, true)));
            bed.settle();
            byte[] translated = gbe.get(0).bytes();
            bed.send(0, in(Frames.icmpError("203.0.113.1", "192.168.16.1", Icmp.TYPE_TIME_EXCEEDED, 0, translated,
                    28)));
            bed.settle();
            assertEquals(1, lookup.size(), "translated, not dropped");
            assertEquals(1, lookup.get(0).worker(), "on the worker of the quoted endpoint");
            MemorySegment error = MemorySegment.ofArray(lookup.get(0).bytes());
            assertEquals(ip(host), Ipv4.dst(error, 0));
            assertEquals(ip(host), Ipv4.src(error, 28), "the quote's source translated back");
            assertEquals(1, bed.error(OUT2IN, "do-handoff"));

            // A malformed quote has no owner: it stays and nat44-out2in drops and counts it where it arrived.
            byte[] bad = Frames.icmpError("203.0.113.1", "192.168.16.1", Icmp.TYPE_TIME_EXCEEDED, 0, translated, 28);
            bad[bad.length - 1] ^= 0x5a;
            bed.send(0, in(bad));
            bed.settle();
            assertEquals(1, bed.error(OUT2IN, "same-worker"));
            assertEquals(1, bed.error(Nat44Out2InNode.NAME, "bad-icmp"));
            assertPoolsAtBaseline(bed);
        }
    }

    @Test
    void aStaticMappingIsOwnedByTheWorkerOfItsLocalAddressNotByItsPortsBlock() {
        String server = insideOwnedBy(1, 3);
        try (TwoWorkerBed bed = bed()) {
            bed.policy(List.of(new StaticMapping("web", Ipv4.PROTOCOL_TCP, ip(server), 80, POOL, 8080, false, false)));
            assertEquals(0, bed.dataplane.ports().owner(8080), "8080 lies in worker 0's block");
            bed.send(0, in(Frames.tcp("198.51.100.7", 33333, "192.168.16.1", 8080, Tcp.FLAG_SYN)));
            bed.settle();
            assertEquals(1, lookup.size());
            assertEquals(1, lookup.get(0).worker());
            assertEquals(ip(server), Ipv4.dst(MemorySegment.ofArray(lookup.get(0).bytes()), 0));
            bed.send(0, out(Frames.tcp(server, 80, "198.51.100.7", 33333, Tcp.FLAG_SYN | Tcp.FLAG_ACK)));
            bed.settle();
            assertEquals(1, gbe.get(0).worker());
            assertEquals(8080, sourcePort(gbe.get(0).bytes()));
            assertEquals(1, bed.dataplane.table().count(), "one session, both ways");
            assertPoolsAtBaseline(bed);
        }
    }

    @Test
    void aPacketNoSessionCanOwnStaysOnTheWorkerItArrivedOn() {
        try (TwoWorkerBed bed = bed()) {
            bed.send(1, in(Frames.udp("198.51.100.7", 4444, "192.168.16.1", 80, 8, true)));
            bed.send(1, in(Frames.udp("198.51.100.7", 4444, "203.0.113.9", 40000, 8, true)));
            bed.send(1, in(Frames.ipv4(47, "198.51.100.7", "192.168.16.1", 8)));
            bed.settle();
            assertEquals(3, bed.error(OUT2IN, "same-worker"));
            assertEquals(0, bed.error(OUT2IN, "do-handoff"));
            assertEquals(0, bed.engine.runtimeByThread().get(1).handoffSent());
            assertTrue(lookup.stream().allMatch(s -> s.worker() == 1));
            assertPoolsAtBaseline(bed);
        }
    }

    /**
     * Hairpinning stays on the worker the packet arrived on (the inside interface has no handoff), but the sender's
     * new mapping takes its port from the block of the sender's own worker, so its later flows and their replies
     * agree on one owner.
     */
    @Test
    void aHairpinnedSendersNewPortComesFromItsOwnersBlock() {
        String server = insideOwnedBy(0, 0);
        String client = insideOwnedBy(1, 0);
        try (TwoWorkerBed bed = bed()) {
            bed.send(0, out(Frames.udp(server, 5353, "8.8.8.8", 53, 8, true)));
            bed.settle();
            int serverPort = sourcePort(gbe.get(0).bytes());
            bed.send(0, new TwoWorkerBed.Packet(Frames.udp(client, 6000, "192.168.16.1", serverPort, 8, true),
                    TwoWorkerBed.TAP2, false));
            bed.settle();
            assertEquals(1, lookup.size(), "hairpinned");
            MemorySegment hairpinned = MemorySegment.ofArray(lookup.get(0).bytes());
            assertEquals(ip(server), Ipv4.dst(hairpinned, 0));
            assertEquals(POOL, Ipv4.src(hairpinned, 0));
            int clientPort = NetworkOrder.u16(hairpinned, 20);
            assertEquals(1, bed.dataplane.ports().owner(clientPort), "the client's port is in its worker's block");
            assertPoolsAtBaseline(bed);
        }
    }

    @Test
    void aFullFrameQueueIsACountedCongestionDrop() {
        String host = insideOwnedBy(1, 0);
        try (TwoWorkerBed bed = bed(64)) {
            for (int i = 0; i < 100; i++) {
                bed.send(0, out(Frames.udp(host, 7000, "8.8.8.8", 53, 8, true)));
            }
            bed.engine.runOnce(0);
            assertEquals(36, bed.error(IN2OUT, "congestion-drop"), "64 fit in the queue");
            assertEquals(64, bed.error(IN2OUT, "do-handoff"));
            bed.settle();
            assertEquals(64, gbe.size());
            assertTrue(gbe.stream().allMatch(s -> s.worker() == 1));
            assertPoolsAtBaseline(bed);
        }
        assertEquals(IN2OUT + "/congestion-drop", Nat44DropRecorder.reasonName(
                Nat44DropRecorder.NODE_IN2OUT_OUTPUT_HANDOFF << 8
                        | Nat44WorkerHandoff.Error.CONGESTION_DROP.ordinal()), "as the drop log names it");
        assertEquals(OUT2IN + "/congestion-drop", Nat44DropRecorder.reasonName(Nat44DropRecorder.NODE_OUT2IN_HANDOFF << 8
                | Nat44WorkerHandoff.Error.CONGESTION_DROP.ordinal()));
    }

    @Test
    void aTracedPacketShowsVppsHandoffLinesAndContinuesOnItsOwner() {
        String host = insideOwnedBy(1, 0);
        try (TwoWorkerBed bed = bed()) {
            bed.engine.traceAdd(TwoWorkerBed.feedName(0), 10);
            bed.send(0, out(Frames.udp(host, 5000, "8.8.8.8", 53, 8, true)));
            bed.settle();
            int port = sourcePort(gbe.get(0).bytes());
            bed.send(0, in(Frames.udp("8.8.8.8", 53, "192.168.16.1", port, 8, true)));
            bed.settle();
            String trace = bed.engine.traceShow(10);
            int thread1 = trace.indexOf("Start of thread 1");
            assertTrue(thread1 > 0, trace);
            String first = trace.substring(0, thread1);
            String second = trace.substring(thread1);
            assertTrue(first.contains(": " + IN2OUT + "\n  NAT44_IN2OUT_WORKER_HANDOFF OUTPUT-FEATURE: next-worker 1"
                    + " trace index 0\n"), trace);
            assertTrue(Pattern.compile(": " + OUT2IN + "\n  NAT44_OUT2IN_WORKER_HANDOFF : next-worker 1 trace index"
                    + " \\d+\n").matcher(first).find(), trace);
            assertFalse(first.contains(": " + Nat44In2OutOutputNode.NAME + "\n"), "not translated on worker 0: " + trace);
            assertTrue(second.contains(": handoff_trace\n  HANDED-OFF: from thread 0 trace index 0\n"), trace);
            assertTrue(second.indexOf(": " + Nat44In2OutOutputNode.NAME + "\n") > second.indexOf(": handoff_trace"),
                    trace);
            assertTrue(second.contains(": " + Nat44Out2InNode.NAME + "\n"), trace);
            assertPoolsAtBaseline(bed);
        }
    }

    @Test
    void theRuntimePutsTheHandoffsFirstOnTheOutsideArcsOnlyWithSeveralWorkers() throws Exception {
        for (int workers = 1; workers <= 2; workers++) {
            GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(1024).withWorkers(workers));
            try {
                InterfaceTableImpl interfaces = new InterfaceTableImpl(engine);
                int gbeSw = interfaces.register(new FreeingDevice("GigabitEthernet0/8/0"));
                int tapSw = interfaces.register(new FreeingDevice("tap2"));
                Nat44Runtime runtime = new Nat44Runtime(engine, interfaces, Map.of("addresses", "192.168.16.1",
                        "inside", "tap2", "output-feature", "GigabitEthernet0/8/0"), () -> 1_000L, false);
                try {
                    engine.addNode(new TestBed.ArcStart("test-ip4-input", FeatureArc.IP4_UNICAST, "ip4-lookup", -1));
                    engine.addNode(new TestBed.ArcStart("test-ip4-rewrite", FeatureArc.IP4_OUTPUT,
                            io.sluice.graph.api.GraphRuntime.ERROR_DROP, gbeSw));
                    for (var node : List.of(new Nat44Out2InWorkerHandoffNode(runtime), new Nat44Out2InNode(runtime),
                            new Nat44In2OutOutputWorkerHandoffNode(runtime), new Nat44In2OutOutputNode(runtime))) {
                        engine.addNode(node);
                    }
                    runtime.applyInterfaces(); // what housekeeping retries once the nodes are there
                    List<String> output = engine.enabledFeatures(FeatureArc.IP4_OUTPUT, gbeSw);
                    List<String> unicast = engine.enabledFeatures(FeatureArc.IP4_UNICAST, gbeSw);
                    assertEquals(workers, runtime.dataplane().ports().workers(), "one port block per worker");
                    if (workers == 1) {
                        assertEquals(List.of(Nat44In2OutOutputNode.NAME), output, "the seed's arcs as they were");
                        assertEquals(List.of(Nat44Out2InNode.NAME), unicast);
                    } else {
                        assertEquals(List.of(IN2OUT, Nat44In2OutOutputNode.NAME), output);
                        assertEquals(List.of(OUT2IN, Nat44Out2InNode.NAME), unicast);
                    }
                    assertEquals(List.of(Nat44Out2InNode.NAME), engine.enabledFeatures(FeatureArc.IP4_UNICAST, tapSw),
                            "no handoff on the inside");
                } finally {
                    runtime.deactivate();
                }
            } finally {
                engine.stop();
            }
        }
    }

    @Test
    void aSessionMadeUnderAnotherWorkerCountWhoseBlockDisagreesIsDeletedAtStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        int kept = ip(insideOwnedBy(0, 0));
        int moved = ip(insideOwnedBy(1, 0));
        try (SessionTable table = SessionTable.open(file, 4096)) {
            // both ports in worker 0's block of two: right for the first host, wrong for the second
            table.insert(SessionTable.key(kept, 41084, 6), SessionTable.key(POOL, 1025, 6), ip("8.8.8.8"), 80, 6,
                    false, 0, Long.MAX_VALUE);
            table.insert(SessionTable.key(moved, 41085, 6), SessionTable.key(POOL, 1026, 6), ip("8.8.8.8"), 80, 6,
                    false, 0, Long.MAX_VALUE);
        }
        Map<String, Object> config = Map.of("addresses", "192.168.16.1", "inside", "tap2", "output-feature",
                "GigabitEthernet0/8/0", "session-file", file.toString(), "max-sessions", "4096");
        for (int workers : new int[] {1, 2}) {
            GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(1024).withWorkers(workers));
            try {
                Nat44Runtime runtime = new Nat44Runtime(engine, new InterfaceTableImpl(engine), config, () -> 1_000L,
                        false);
                try {
                    assertEquals(workers == 1 ? 2 : 1, runtime.sessionCount(), workers + " workers");
                    for (SessionInfo session : runtime.sessions(0, 10)) {
                        assertEquals(workers == 1 ? 0 : Nat44WorkerOwner.ofInsideAddress(session.insideAddress(), 2),
                                runtime.owner(session), "the listing's owner is the handoffs' owner");
                    }
                    if (workers == 2) {
                        assertEquals(0, runtime.owner(runtime.sessions(0, 10).get(0)), "the kept host is worker 0's");
                        assertEquals(kept, runtime.sessions(0, 10).get(0).insideAddress());
                        assertTrue(runtime.dataplane().ports().isUsed(0, PortAllocator.TCP, 1025));
                        assertFalse(runtime.dataplane().ports().isUsed(0, PortAllocator.TCP, 1026));
                    }
                } finally {
                    runtime.deactivate();
                }
            } finally {
                engine.stop();
            }
        }
    }
}
