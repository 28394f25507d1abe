package io.sluice.bench.robustness;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclRule;
import io.sluice.acl.api.AclService;
import io.sluice.acl.testkit.AclTestkit;
import io.sluice.ethernet.api.ArpProxy;
import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ethernet.testkit.EthernetTestkit;
import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.graph.testkit.TestGraph;
import io.sluice.ip4.testkit.Ip4Testkit;
import io.sluice.nat44.testkit.Nat44Testkit;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.testkit.CapturingDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static io.sluice.bench.robustness.Frames.u16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 ("Robustness"): the whole seed graph in memory (ethernet-input, arp-input, ip4-input with both
 * checksum variants, ip4-lookup, ip4-local, ip4-icmp-error, ip4-rewrite, ip4-arp, the ACL on both arcs with the
 * seed's policy, NAT44 to the node address, the interfaces' output and tx nodes) fed the seed's frames, each
 * truncated at every length, then {@value #DEFAULT_FRAMES} seeded mutations of them. After every frame: no
 * exception, the pool's free count back at its baseline, exactly one outcome (sent by a port, or freed by
 * error-drop) and a drop counted by the node that chose it. {@code -Dsluice.fuzz.frames=N} runs more, {@code
 * -Dsluice.fuzz.seed=S} another sequence (docs/testing.md).
 */
class SeedGraphFuzzTest {
    static final int DEFAULT_FRAMES = 200_000;
    static final long GBE_MAC = 0x080027449fd8L;
    static final long GATEWAY_MAC = 0x08002702a536L;
    static final long TAP2_MAC = 0x02fe163f5f0fL;
    static final long POD_MAC = 0x000000000002L;
    static final int NODE_IP = 0xc0a81001;      // 192.168.16.1
    static final int GATEWAY_IP = 0xc0a81064;   // 192.168.16.100
    static final int POD_IP = 0x0a010103;       // 10.1.1.3
    static final int POD_GATEWAY_IP = 0xa9fe0101; // 169.254.1.1, answered by proxy ARP
    static final int SERVER_IP = 0x1f866133;    // 31.134.97.51
    static final int DNS_IP = 0x08080808;
    /** ip4-arp drops the packet it cannot send yet and makes a request in a new buffer: one frame in, two outcomes. */
    static final String ARP_REQUESTS_NODE = "ip4-arp";
    static final String ARP_REQUESTS_COUNTER = "request-sent";

    /** What a buffer holds outside the frame copied in: a write there shows (headroom and data area). */
    private static final MemorySegment POISON = MemorySegment.ofArray(new byte[BufferPool.HEADROOM + BufferPool.DATA_SIZE])
            .fill((byte) 0xa5);

    private final TestGraph graph = TestGraph.withBuffersPerWorker(1024);
    private final GraphRuntime runtime = graph.runtime();
    private final InterfaceTable interfaces = io.sluice.vnet.testkit.VnetTestkit.interfaceTable(runtime);
    private final NeighbourTable neighbours = EthernetTestkit.neighbourTable();
    private final ArpProxy proxy = EthernetTestkit.arpProxy();
    private final CapturingDevice gbeDevice = new CapturingDevice("GigabitEthernet0/8/0", GBE_MAC);
    private final CapturingDevice tapDevice = new CapturingDevice("tap2", TAP2_MAC);
    private final int gbe = interfaces.register(gbeDevice);
    private final int tap2 = interfaces.register(tapDevice);
    private final AclTestkit acl;
    private final Nat44Testkit nat;
    private final BufferPool pool = graph.pool(0);

    /** A seed: its frame and the interface it arrives on. */
    private record Seed(String name, byte[] frame, int rxSwIfIndex) {
    }

    SeedGraphFuzzTest() {
        interfaces.setAdminUp(gbe, true);
        interfaces.setAdminUp(tap2, true);
        interfaces.addIp4Address(gbe, NODE_IP, 24);
        EthernetTestkit.endInterfaceOutputArcs(runtime, interfaces);
        Ip4Testkit.Fib fib = Ip4Testkit.fib(interfaces, neighbours);
        neighbours.addStatic(gbe, GATEWAY_IP, GATEWAY_MAC);
        neighbours.addStatic(tap2, POD_IP, POD_MAC);
        fib.api().addRoute(0, 0, 0, GATEWAY_IP, gbe);
        fib.api().addRoute(0, POD_IP, 32, 0, tap2);
        proxy.setEnabled(tap2, true);
        graph.addNode(EthernetTestkit.ethernetInput(interfaces));
        graph.addNode(EthernetTestkit.arpInput(interfaces, neighbours, proxy));
        graph.addNode(EthernetTestkit.ip4Arp(interfaces));
        graph.addNode(Ip4Testkit.ip4Input());
        graph.addNode(Ip4Testkit.ip4InputNoChecksum());
        graph.addNode(fib.lookupNode());
        graph.addNode(fib.rewriteNode(interfaces));
        graph.addNode(Ip4Testkit.ip4Local());
        graph.addNode(Ip4Testkit.ip4IcmpError(interfaces));

        acl = AclTestkit.standalone(runtime, interfaces);
        graph.addNode(acl.inputNode());
        graph.addNode(acl.outputNode());
        seedAclPolicy(acl.service());

        nat = Nat44Testkit.inside2Outside(4096, 1_700_000_000_000L, new int[] {NODE_IP}, tap2, gbe, 10_000);
        graph.addNode(nat.out2InNode());
        graph.addNode(nat.fastPathNode());
        graph.addNode(nat.slowPathNode());
        runtime.enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", gbe, true);
        runtime.enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", tap2, true);
        runtime.enableFeature(FeatureArc.IP4_OUTPUT, "nat44-in2out-output", gbe, true);
    }

    /** The seed's ACLs: the pod opens connections anywhere (reflected), the GbE's egress goes through the global list. */
    private static void seedAclPolicy(AclService service) {
        service.define(new Acl("pod-reflect", 3, List.of(AclRule.parse("permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0"))));
        List<AclRule> global = new ArrayList<>();
        for (int r = 0; r < 14; r++) {
            global.add(AclRule.parse("deny dst 10.200." + r + ".0/24"));
        }
        global.add(AclRule.parse("permit"));
        service.define(new Acl("global", 2, global));
        service.define(new Acl("pod-ingress", 1, List.of(AclRule.parse("deny src 0.0.0.0/0 dst 0.0.0.0/0"))));
        service.bind("tap2", List.of("pod-reflect"), List.of("pod-ingress"));
        service.bind("GigabitEthernet0/8/0", List.of("pod-reflect"), List.of("global"));
    }

    @AfterEach
    void tearDown() {
        graph.close();
        nat.close();
        acl.close();
    }

    @Test
    void malformedFramesNeverThrowLeakOrDropUncounted() {
        assertEquals(List.of(), runtime.problems(), "the seed graph is complete");
        List<Seed> seeds = seeds();
        int baseline = pool.freeCount();
        Outcome outcome = new Outcome();
        long started = System.nanoTime();
        long frames = 0;
        for (Seed seed : seeds) {
            for (int length = 0; length <= seed.frame.length; length++) {
                byte[] cut = java.util.Arrays.copyOf(seed.frame, length);
                check(seed, cut, seed.rxSwIfIndex, 0, false, "truncated to " + length, baseline, outcome);
                frames++;
            }
        }
        long count = Long.getLong("sluice.fuzz.frames", DEFAULT_FRAMES);
        long seedValue = Long.getLong("sluice.fuzz.seed", 18L);
        FrameMutator mutator = new FrameMutator(seedValue);
        SplittableRandom random = mutator.random();
        Batch batch = new Batch();
        batch.sent = outcome.sent;
        for (long i = 0; i < count; i++) {
            Seed seed = seeds.get(random.nextInt(seeds.size()));
            byte[] frame = mutator.mutate(seed.frame);
            int rx = random.nextInt(16) == 0 ? (seed.rxSwIfIndex == gbe ? tap2 : gbe) : seed.rxSwIfIndex;
            int flags = random.nextInt(8) == 0 ? BufferPool.FLAG_IP4_CHECKSUM_VERIFIED : 0;
            boolean traced = random.nextInt(64) == 0;
            String what = "frame " + i + " of seed " + seedValue + ": " + mutator.applied();
            outcome.sent += runOne(seed, frame, rx, flags, traced, what, baseline);
            batch.add(seed, frame, rx, flags, what);
            frames++;
            if (batch.count == Batch.SIZE || i == count - 1) {
                checkBatch(batch, baseline, outcome);
            }
            if ((i & 4095) == 4095) {
                // The formatters run on show only: have them format whatever the malformed frames left.
                assertTrue(runtime.traceShow(50) != null);
                runtime.traceClear();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "SeedGraphFuzzTest: %,d frames in %.1f s (%,.0f frames/s): %,d sent, %,d dropped%n",
                frames, seconds, frames / seconds, outcome.sent, outcome.dropped);
        StringBuilder counters = new StringBuilder();
        for (ErrorCount error : runtime.errors()) {
            if (error.count() > 0) {
                counters.append(String.format(Locale.ROOT, "  %,12d  %s/%s%n", error.count(), error.node(), error.error()));
            }
        }
        System.out.print(counters);
        assertTrue(outcome.sent > 0 && outcome.dropped > 0, "both outcomes were reached");
    }

    /** What happened to the frames so far. */
    private static final class Outcome {
        long sent;
        long dropped;
        long dropCounter;
        long otherCounters;
        long arpRequests;
    }

    /** The frames since the counters were last read (reading them per frame would triple the run time). */
    private static final class Batch {
        static final int SIZE = 256;
        final Seed[] seeds = new Seed[SIZE];
        final byte[][] frames = new byte[SIZE][];
        final int[] rx = new int[SIZE];
        final int[] flags = new int[SIZE];
        final String[] what = new String[SIZE];
        int count;
        long sent;

        void add(Seed seed, byte[] frame, int rxSwIfIndex, int bufferFlags, String description) {
            seeds[count] = seed;
            frames[count] = frame;
            rx[count] = rxSwIfIndex;
            flags[count] = bufferFlags;
            what[count] = description;
            count++;
        }
    }

    /**
     * The batch's accounting: every frame sent or dropped (ARP requests made on the way are extra frames), every
     * drop counted. When it does not add up, the batch's frames are sent again one by one to name the culprit.
     */
    private void checkBatch(Batch batch, int baseline, Outcome outcome) {
        long droppedBefore = outcome.dropCounter;
        long countedBefore = outcome.otherCounters;
        long requestsBefore = outcome.arpRequests;
        readCounters(outcome);
        long dropped = outcome.dropCounter - droppedBefore;
        long counted = outcome.otherCounters - countedBefore;
        long created = outcome.arpRequests - requestsBefore;
        outcome.dropped += dropped;
        long sent = outcome.sent - batch.sent;
        if (sent + dropped != batch.count + created || dropped > counted) {
            for (int f = 0; f < batch.count; f++) {
                check(batch.seeds[f], batch.frames[f], batch.rx[f], batch.flags[f], false, batch.what[f] + " (replayed)",
                        baseline, outcome);
            }
            throw new AssertionError("a batch of " + batch.count + " frames had " + sent + " sent, " + dropped
                    + " dropped, " + created + " ARP requests made and " + counted + " counted; one by one they add up");
        }
        batch.count = 0;
        batch.sent = outcome.sent;
    }

    /** Runs one frame through the graph: fails on an exception or a leak; returns the frames the ports sent. */
    private int runOne(Seed seed, byte[] frame, int rx, int flags, boolean traced, String what, int baseline) {
        int bi = pool.alloc();
        try {
            MemorySegment.copy(POISON, 0, pool.segment(), BufferPool.dataStart(bi) - BufferPool.HEADROOM,
                    POISON.byteSize());
            pool.write(bi, frame, frame.length);
            pool.setRxSwIfIndex(bi, rx);
            pool.orFlags(bi, flags);
            graph.inject(EthernetGraph.ETHERNET_INPUT, bi, traced);
            graph.runUntilIdle();
        } catch (RuntimeException | Error e) {
            throw new AssertionError(describe(seed, frame, rx, flags, what) + " threw " + e, e);
        }
        int sent = gbeDevice.sent.size() + tapDevice.sent.size();
        String wrong = SentFrames.problem(frame, rx == tap2, gbeDevice.sent, NODE_IP);
        if (wrong == null) {
            wrong = SentFrames.problem(frame, false, tapDevice.sent, NODE_IP);
        }
        gbeDevice.sent.clear();
        tapDevice.sent.clear();
        if (wrong != null) {
            throw new AssertionError(describe(seed, frame, rx, flags, what) + " was sent wrong: " + wrong);
        }
        String outside = writtenOutside(bi, frame.length);
        if (outside != null) {
            throw new AssertionError(describe(seed, frame, rx, flags, what) + " was written outside the packet: "
                    + outside);
        }
        if (pool.freeCount() != baseline) {
            throw new AssertionError(describe(seed, frame, rx, flags, what) + " leaked " + (baseline - pool.freeCount())
                    + " buffers");
        }
        return sent;
    }

    /**
     * Where a node wrote outside what the packet ever held: before its first byte (its current data when it left
     * the graph, or data start) in the headroom, or after its last (the frame as received, or as it left). The
     * buffer was filled with {@link #POISON} before the frame was copied in; a freed buffer keeps its bytes and
     * metadata until it is handed out again.
     */
    private String writtenOutside(int bi, int receivedLength) {
        MemorySegment seg = pool.segment();
        long dataStart = BufferPool.dataStart(bi);
        int first = Math.min(0, pool.currentData(bi));
        int end = Math.max(receivedLength, pool.currentData(bi) + pool.length(bi));
        long headroomStart = dataStart - BufferPool.HEADROOM;
        long before = MemorySegment.mismatch(seg, headroomStart, dataStart + first, POISON, 0,
                BufferPool.HEADROOM + first);
        if (before >= 0) {
            return "headroom byte " + (before - BufferPool.HEADROOM) + " of the data start";
        }
        if (end < BufferPool.DATA_SIZE) {
            long after = MemorySegment.mismatch(seg, dataStart + end, dataStart + BufferPool.DATA_SIZE, POISON,
                    BufferPool.HEADROOM + end, POISON.byteSize());
            if (after >= 0) {
                return "byte " + (end + after) + " after the data start, the packet ending at " + end;
            }
        }
        return null;
    }

    /** One frame with its own accounting. */
    private void check(Seed seed, byte[] frame, int rx, int flags, boolean traced, String what, int baseline,
                       Outcome outcome) {
        long droppedBefore = outcome.dropCounter;
        long countedBefore = outcome.otherCounters;
        long requestsBefore = outcome.arpRequests;
        int sent = runOne(seed, frame, rx, flags, traced, what, baseline);
        readCounters(outcome);
        long dropped = outcome.dropCounter - droppedBefore;
        long counted = outcome.otherCounters - countedBefore;
        long created = outcome.arpRequests - requestsBefore;
        outcome.sent += sent;
        outcome.dropped += dropped;
        if (sent + dropped != 1 + created) {
            throw new AssertionError(describe(seed, frame, rx, flags, what) + " had " + sent + " sent and " + dropped
                    + " dropped, not one outcome (" + created + " ARP requests made)");
        }
        if (dropped > counted) {
            throw new AssertionError(describe(seed, frame, rx, flags, what) + " was dropped without a node's error counter");
        }
    }

    private void readCounters(Outcome outcome) {
        long drops = 0;
        long others = 0;
        long requests = 0;
        for (ErrorCount error : runtime.errors()) {
            if (error.node().equals(GraphRuntime.ERROR_DROP)) {
                drops += error.count();
            } else {
                others += error.count();
            }
            if (error.node().equals(ARP_REQUESTS_NODE) && error.error().equals(ARP_REQUESTS_COUNTER)) {
                requests += error.count();
            }
        }
        outcome.dropCounter = drops;
        outcome.otherCounters = others;
        outcome.arpRequests = requests;
    }

    /** The frame, what made it, and its trace when sent once more (state may have moved on since). */
    private String describe(Seed seed, byte[] frame, int rx, int flags, String what) {
        String trace;
        try {
            runtime.traceClear();
            int bi = pool.alloc();
            pool.write(bi, frame, frame.length);
            pool.setRxSwIfIndex(bi, rx);
            pool.orFlags(bi, flags);
            graph.inject(EthernetGraph.ETHERNET_INPUT, bi, true);
            graph.runUntilIdle();
            trace = runtime.traceShow(5);
        } catch (RuntimeException | Error e) {
            trace = "(the replay threw " + e + ")";
        }
        return "seed " + seed.name + " (" + what.trim() + ") on sw_if_index " + rx + ", flags " + flags + ", "
                + frame.length + " bytes "
                + Frames.hex(frame) + "\nreplayed with trace:\n" + trace;
    }

    /**
     * The seed's traffic (seed/POD_TO_INTERNET.md): the pod's TCP SYN, UDP and ping out through NAT, the replies
     * to the sessions they made, ICMP errors quoting them, ARP both ways, fragments, options, TTL 1.
     */
    private List<Seed> seeds() {
        List<Seed> seeds = new ArrayList<>();
        byte[] syn = Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, SERVER_IP, 6, 64, 0x4000, Frames.tcp(40000, 80, 0x02, 0));
        byte[] udp = Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, DNS_IP, 17, 64, 0, Frames.udp(40001, 53, 29));
        byte[] ping = Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, SERVER_IP, 1, 64, 0, Frames.icmpEcho(8, 7, 1, 56));
        int tcpPort = natPort(syn);
        int udpPort = natPort(udp);
        int pingId = natPort(ping);
        // Identifier 0, sequence 0, no data: the reply's words sum to zero (RFC 1624's corner, 0xffff not 0x0000).
        byte[] zeroPing = Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, DNS_IP, 1, 64, 0, Frames.icmpEcho(8, 0, 0, 0));
        int zeroPingId = natPort(zeroPing);
        seeds.add(new Seed("pod ping of zeros", zeroPing, tap2));
        seeds.add(new Seed("echo reply of zeros", Frames.ip4(GBE_MAC, GATEWAY_MAC, DNS_IP, NODE_IP, 1, 55, 0,
                Frames.icmpEcho(0, zeroPingId, 0, 0)), gbe));
        seeds.add(new Seed("pod TCP SYN", syn, tap2));
        seeds.add(new Seed("pod UDP", udp, tap2));
        seeds.add(new Seed("pod ping", ping, tap2));
        byte[] synAck = Frames.ip4(GBE_MAC, GATEWAY_MAC, SERVER_IP, NODE_IP, 6, 55, 0x4000,
                Frames.tcp(80, tcpPort, 0x12, 0));
        seeds.add(new Seed("server SYN-ACK", synAck, gbe));
        seeds.add(new Seed("DNS reply", Frames.ip4(GBE_MAC, GATEWAY_MAC, DNS_IP, NODE_IP, 17, 120, 0,
                Frames.udp(53, udpPort, 45)), gbe));
        seeds.add(new Seed("echo reply", Frames.ip4(GBE_MAC, GATEWAY_MAC, SERVER_IP, NODE_IP, 1, 55, 0,
                Frames.icmpEcho(0, pingId, 1, 56)), gbe));
        seeds.add(new Seed("ping of the node", Frames.ip4(GBE_MAC, GATEWAY_MAC, GATEWAY_IP, NODE_IP, 1, 64, 0,
                Frames.icmpEcho(8, 99, 3, 32)), gbe));
        byte[] translatedSyn = Frames.ip4(GATEWAY_MAC, GBE_MAC, NODE_IP, SERVER_IP, 6, 63, 0x4000,
                Frames.tcp(tcpPort, 80, 0x02, 0));
        byte[] translatedUdp = Frames.ip4(GATEWAY_MAC, GBE_MAC, NODE_IP, DNS_IP, 17, 63, 0,
                Frames.udp(udpPort, 53, 29));
        seeds.add(new Seed("port unreachable quoting TCP", Frames.ip4(GBE_MAC, GATEWAY_MAC, GATEWAY_IP, NODE_IP, 1,
                64, 0, Frames.icmpError(3, 3, Frames.ipPart(translatedSyn))), gbe));
        seeds.add(new Seed("time exceeded quoting UDP", Frames.ip4(GBE_MAC, GATEWAY_MAC, GATEWAY_IP, NODE_IP, 1,
                64, 0, Frames.icmpError(11, 0, java.util.Arrays.copyOf(Frames.ipPart(translatedUdp), 28))), gbe));
        seeds.add(new Seed("frag needed quoting a quoted error", Frames.ip4(GBE_MAC, GATEWAY_MAC, GATEWAY_IP,
                NODE_IP, 1, 64, 0, Frames.icmpError(3, 4, Frames.ipPart(Frames.ip4(GATEWAY_MAC, GBE_MAC, NODE_IP,
                        SERVER_IP, 1, 63, 0, Frames.icmpError(3, 3, Frames.ipPart(translatedSyn)))))), gbe));
        seeds.add(new Seed("pod unreachable to the server", Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, SERVER_IP, 1, 64,
                0, Frames.icmpError(3, 3, java.util.Arrays.copyOf(Frames.ipPart(synAck), 28))), tap2));
        seeds.add(new Seed("gateway ARP request", Frames.arp(0xffffffffffffL, GATEWAY_MAC, 1, GATEWAY_MAC, GATEWAY_IP,
                0, NODE_IP), gbe));
        seeds.add(new Seed("gateway ARP reply", Frames.arp(GBE_MAC, GATEWAY_MAC, 2, GATEWAY_MAC, GATEWAY_IP,
                GBE_MAC, NODE_IP), gbe));
        seeds.add(new Seed("pod ARP for its gateway", Frames.arp(0xffffffffffffL, POD_MAC, 1, POD_MAC, POD_IP, 0,
                POD_GATEWAY_IP), tap2));
        byte[] firstFragment = Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, DNS_IP, 17, 64, 0x2000, Frames.udp(40002, 53, 64));
        seeds.add(new Seed("pod first fragment", firstFragment, tap2));
        seeds.add(new Seed("pod last fragment", Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, DNS_IP, 17, 64, 9,
                new byte[40]), tap2));
        seeds.add(new Seed("internet later fragment", Frames.ip4(GBE_MAC, GATEWAY_MAC, DNS_IP, NODE_IP, 17, 64,
                0x2000 | 9, new byte[48]), gbe));
        byte[] withOptions = Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, SERVER_IP, 6, 64, 0x4000,
                Frames.tcp(40003, 443, 0x02, 0));
        seeds.add(new Seed("pod SYN with options", optioned(withOptions), tap2));
        seeds.add(new Seed("pod TTL 1", Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, SERVER_IP, 17, 1, 0,
                Frames.udp(40004, 33434, 12)), tap2));
        seeds.add(new Seed("internet to the pod", Frames.ip4(GBE_MAC, GATEWAY_MAC, SERVER_IP, POD_IP, 6, 50, 0,
                Frames.tcp(80, 40000, 0x12, 0)), gbe));
        return seeds;
    }

    /** One word of NOP options (RFC 791 section 3.1) after the header, IHL, total length and checksums set. */
    private static byte[] optioned(byte[] frame) {
        byte[] out = new byte[frame.length + 4];
        System.arraycopy(frame, 0, out, 0, 34);
        java.util.Arrays.fill(out, 34, 38, (byte) 1);
        System.arraycopy(frame, 34, out, 38, frame.length - 34);
        out[14] = 0x46;
        Frames.put16(out, 16, u16(frame, 16) + 4);
        Frames.fixIpChecksum(out);
        Frames.fixL4Checksum(out);
        return out;
    }

    /** Sends {@code frame} from the pod and returns the source port (or ICMP id) NAT gave it on the GbE. */
    private int natPort(byte[] frame) {
        int bi = pool.alloc();
        pool.write(bi, frame, frame.length);
        pool.setRxSwIfIndex(bi, tap2);
        graph.inject(EthernetGraph.ETHERNET_INPUT, bi, false);
        graph.runUntilIdle();
        assertEquals(1, gbeDevice.sent.size(), () -> "the seed frame went out on the GbE: " + runtime.errors());
        byte[] out = gbeDevice.sent.remove(0);
        return out[23] == 1 ? u16(out, 38) : u16(out, 34);
    }
}
