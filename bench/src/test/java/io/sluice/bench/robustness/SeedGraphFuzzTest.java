package io.sluice.bench.robustness;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.testkit.FuzzCorpus;
import io.sluice.packet.api.BufferPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.sluice.bench.seed.SeedGraph.GATEWAY_IP;
import static io.sluice.bench.seed.SeedGraph.GATEWAY_MAC;
import static io.sluice.bench.seed.SeedGraph.GBE_MAC;
import static io.sluice.bench.seed.SeedGraph.NODE_IP;
import static io.sluice.bench.seed.SeedGraph.POD_IP;
import static io.sluice.bench.seed.SeedGraph.POD_MAC;
import static io.sluice.bench.seed.SeedGraph.TAP2_MAC;
import static io.sluice.bench.robustness.Frames.u16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 ("Robustness"): the whole seed graph in memory ({@link FuzzBox}: ethernet-input, arp-input, ip4-input
 * with both checksum variants, ip4-lookup, ip4-local, ip4-icmp-error, ip4-rewrite, ip4-arp, the ACL on both arcs
 * with the seed's policy, NAT44 to the node address, the interfaces' output and tx nodes) fed the seed's frames,
 * each truncated at every length, then {@value #DEFAULT_FRAMES} seeded mutations of them ({@link FrameMutator}).
 *
 * <p>After every frame: no exception; the pool's free count back at its baseline; nothing written around the
 * packet in its buffer; what the ports were handed well formed ({@link SentFrames}). Every frame goes through
 * two boxes whose buffers hold different poison around the packet: a node that reads outside the packet makes
 * them answer differently. Every {@value Batch#SIZE} frames, the counters: each frame sent or dropped exactly once
 * (plus the ARP requests ip4-arp made), each drop counted by the node that chose it, both boxes' counters equal.
 * {@code -Dsluice.fuzz.frames=N} runs more, {@code -Dsluice.fuzz.seed=S} another sequence (docs/testing.md).
 *
 * <p>{@link #anyFrameThroughTheSeedGraph} is the same graph and the same checks under Jazzer, coverage-guided: the
 * committed corpus (the seeds) on every build, a bounded fuzzing run in CI ({@code JAZZER_FUZZ=1}, ./sluice test).
 */
class SeedGraphFuzzTest {
    static final int DEFAULT_FRAMES = 200_000;
    static final long PORT_SEED = 5;
    static final int POD_GATEWAY_IP = 0xa9fe0101; // 169.254.1.1, answered by proxy ARP
    static final int SERVER_IP = 0x1f866133;    // 31.134.97.51
    static final int DNS_IP = 0x08080808;

    private final FuzzBox a = new FuzzBox((byte) 0xa5, PORT_SEED);
    private final FuzzBox b = new FuzzBox((byte) 0x5a, PORT_SEED);

    /** A seed: its frame and the interface it arrives on. */
    private record Seed(String name, byte[] frame, int rxSwIfIndex) {
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    @Test
    void malformedFramesNeverThrowLeakOrDropUncounted() {
        assertEquals(List.of(), a.runtime.problems(), "the seed graph is complete");
        List<Seed> seeds = seeds();
        Outcome outcome = new Outcome();
        long started = System.nanoTime();
        long frames = 0;
        for (Seed seed : seeds) {
            for (int length = 0; length <= seed.frame.length; length++) {
                check(seed, Arrays.copyOf(seed.frame, length), seed.rxSwIfIndex, 0, "truncated to " + length, outcome);
                frames++;
            }
        }
        long count = Long.getLong("sluice.fuzz.frames", DEFAULT_FRAMES);
        long seedValue = Long.getLong("sluice.fuzz.seed", 18L);
        FrameMutator mutator = new FrameMutator(seedValue);
        SplittableRandom random = mutator.random();
        Batch batch = new Batch(outcome, a.counters(), b.counters());
        // Counters compared after every frame: slower, but a mismatch names its frame instead of its batch.
        int batchSize = Boolean.getBoolean("sluice.fuzz.perFrame") ? 1 : Batch.SIZE;
        for (long i = 0; i < count; i++) {
            Seed seed = seeds.get(random.nextInt(seeds.size()));
            byte[] frame = mutator.mutate(seed.frame);
            int rx = random.nextInt(16) == 0 ? (seed.rxSwIfIndex == a.gbe ? a.tap2 : a.gbe) : seed.rxSwIfIndex;
            int flags = random.nextInt(8) == 0 ? BufferPool.FLAG_IP4_CHECKSUM_VERIFIED : 0;
            boolean traced = random.nextInt(64) == 0;
            String what = "frame " + i + " of seed " + seedValue + ": " + mutator.applied();
            outcome.sent += runOne(seed, frame, rx, flags, traced, what);
            batch.add(seed, frame, rx, flags, what);
            frames++;
            if (batch.count == batchSize || i == count - 1) {
                checkBatch(batch, outcome);
            }
            if ((i & 4095) == 4095) {
                // The formatters run on show only: have them format whatever the malformed frames left.
                for (FuzzBox box : new FuzzBox[] {a, b}) {
                    assertTrue(box.runtime.traceShow(50) != null);
                    box.runtime.traceClear();
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "SeedGraphFuzzTest: %,d frames in %.1f s (%,.0f frames/s, two boxes): %,d sent, "
                + "%,d dropped%n", frames, seconds, frames / seconds, outcome.sent, outcome.dropped);
        StringBuilder counters = new StringBuilder();
        a.counters().forEach((name, value) -> {
            if (value > 0) {
                counters.append(String.format(Locale.ROOT, "  %,12d  %s%n", value, name));
            }
        });
        System.out.print(counters);
        assertTrue(outcome.sent > 0 && outcome.dropped > 0, "both outcomes were reached");
    }

    private boolean primed;

    /** Frames longer than an untagged Ethernet frame without its FCS are not what a port hands the graph. */
    static final int MAX_FRAME = 1514;

    /**
     * Coverage-guided (Jazzer): byte 0 chooses the port (bit 0: the GbE, else tap2), a driver-verified IPv4
     * checksum (bit 1) and tracing (bit 2); the rest is the frame. Per input, in both boxes: no node threw (the
     * worker's {@code exception} counters), no buffer leaked, nothing written around the packet, what was sent
     * well formed, both boxes alike (no read outside the packet), and the frame sent or dropped once, the drop
     * counted by a node.
     */
    @FuzzTest(maxDuration = "60s")
    void anyFrameThroughTheSeedGraph(byte[] input) {
        if (input.length < 1) {
            return;
        }
        if (!primed) {
            // The pod's SYN, UDP and ping make their sessions, so the corpus's replies and errors find them.
            seeds();
            primed = true;
        }
        int rx = (input[0] & 1) != 0 ? a.gbe : a.tap2;
        int flags = (input[0] & 2) != 0 ? BufferPool.FLAG_IP4_CHECKSUM_VERIFIED : 0;
        byte[] frame = Arrays.copyOfRange(input, 1, Math.min(input.length, 1 + MAX_FRAME));
        Seed seed = new Seed("jazzer input", frame, rx);
        if ((input[0] & 4) != 0) {
            runOne(seed, frame, rx, flags, true, "traced jazzer input");
            a.runtime.traceShow(5);
            b.runtime.traceShow(5);
            a.runtime.traceClear();
            b.runtime.traceClear();
        } else {
            check(seed, frame, rx, flags, "jazzer input", new Outcome());
        }
        a.counters().forEach((name, count) -> {
            if (name.endsWith("/" + io.sluice.graph.testkit.FuzzInvariants.EXCEPTION) && count > 0) {
                throw new AssertionError(describe(a, seed, frame, rx, flags, "jazzer input") + ": " + name);
            }
        });
    }

    /** The seeds as the corpus's files (byte 0 the port), written with -Dsluice.fuzz.writeCorpus=true. */
    @Test
    void seedCorpus() {
        List<byte[]> corpus = new ArrayList<>();
        for (Seed seed : seeds()) {
            byte[] input = new byte[1 + seed.frame.length];
            input[0] = (byte) (seed.rxSwIfIndex == a.gbe ? 1 : 0);
            System.arraycopy(seed.frame, 0, input, 1, seed.frame.length);
            corpus.add(input);
        }
        FuzzCorpus.maybeWrite(SeedGraphFuzzTest.class, "anyFrameThroughTheSeedGraph", corpus);
        assertEquals(seeds().size(), corpus.size());
    }

    /** What happened to the frames so far (box a's view; box b must agree). */
    private static final class Outcome {
        long sent;
        long dropped;
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
        long sentBefore;
        Map<String, Long> countersA;
        Map<String, Long> countersB;

        Batch(Outcome outcome, Map<String, Long> countersA, Map<String, Long> countersB) {
            this.sentBefore = outcome.sent;
            this.countersA = countersA;
            this.countersB = countersB;
        }

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
     * Counters that count packets passing or sent, not a reason to drop one: a dropped frame must move some
     * other counter (its node's reason).
     */
    private static final java.util.Set<String> PASSING = java.util.Set.of("acl-permit", "acl-check",
            "acl-exist-session", "acl-new-session", "acl-related", "in2out-packets", "out2in-packets",
            "sessions-created", "sessions-expired", "ttl-expire-resp-sent", "dest-unreach-sent",
            "fragmentation-needed-sent", "echo-replies-sent", "replies-sent", "proxy-replies-sent");

    /** Drops since {@code before}: error-drop's count, the drop reasons counted (ip4-arp's requests apart). */
    private record Drops(long dropped, long counted, long arpRequests) {
        static Drops between(Map<String, Long> before, Map<String, Long> after, long requestsBefore,
                             long requestsAfter) {
            long dropped = after.getOrDefault(DROPPED, 0L) - before.getOrDefault(DROPPED, 0L);
            long counted = 0;
            for (Map.Entry<String, Long> e : after.entrySet()) {
                String counter = e.getKey().substring(e.getKey().indexOf('/') + 1);
                if (!e.getKey().equals(DROPPED) && !PASSING.contains(counter)) {
                    counted += e.getValue() - before.getOrDefault(e.getKey(), 0L);
                }
            }
            return new Drops(dropped, counted, requestsAfter - requestsBefore);
        }
    }

    private static final String DROPPED = GraphRuntime.ERROR_DROP + "/dropped";

    /**
     * The batch's accounting: every frame sent or dropped (ARP requests made on the way are extra frames), every
     * drop counted, box b's counters moved as box a's. When it does not add up, the batch's frames are sent again
     * one by one to name the culprit.
     */
    private void checkBatch(Batch batch, Outcome outcome) {
        Map<String, Long> nowA = a.counters();
        Map<String, Long> nowB = b.counters();
        Drops drops = Drops.between(batch.countersA, nowA, requests(batch.countersA), requests(nowA));
        long sent = outcome.sent - batch.sentBefore;
        outcome.dropped += drops.dropped;
        boolean agree = delta(batch.countersA, nowA).equals(delta(batch.countersB, nowB));
        if (sent + drops.dropped != batch.count + drops.arpRequests || drops.dropped > drops.counted || !agree) {
            for (int f = 0; f < batch.count; f++) {
                check(batch.seeds[f], batch.frames[f], batch.rx[f], batch.flags[f], batch.what[f] + " (replayed)",
                        outcome);
            }
            String last = batch.count == 1 ? describe(a, batch.seeds[0], batch.frames[0], batch.rx[0], batch.flags[0],
                    batch.what[0]) + "\n" : "";
            throw new AssertionError(last + "a batch of " + batch.count + " frames had " + sent + " sent and " + drops
                    + (agree ? "" : "; the boxes' counters moved apart: " + delta(batch.countersA, nowA) + " and "
                    + delta(batch.countersB, nowB)) + "; one by one they add up");
        }
        batch.count = 0;
        batch.sentBefore = outcome.sent;
        batch.countersA = nowA;
        batch.countersB = nowB;
    }

    private static long requests(Map<String, Long> counters) {
        return counters.getOrDefault(FuzzBox.ARP_REQUESTS_NODE + "/" + FuzzBox.ARP_REQUESTS_COUNTER, 0L);
    }

    /** How the counters moved, ip4-arp's summed into one (its one-second throttle reads the clock). */
    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((name, value) -> {
            long moved = value - before.getOrDefault(name, 0L);
            if (moved != 0) {
                String key = name.startsWith(FuzzBox.ARP_REQUESTS_NODE + "/") ? FuzzBox.ARP_REQUESTS_NODE : name;
                delta.merge(key, moved, Long::sum);
            }
        });
        return delta;
    }

    /**
     * Runs one frame through both boxes: fails on an exception, a leak, a write around the packet, a wrong frame
     * sent, or the boxes answering differently (one read outside the packet); returns what box a sent.
     */
    private int runOne(Seed seed, byte[] frame, int rx, int flags, boolean traced, String what) {
        for (FuzzBox box : new FuzzBox[] {a, b}) {
            try {
                box.receive(frame, rx, flags, traced);
            } catch (RuntimeException | Error e) {
                throw new AssertionError(describe(box, seed, frame, rx, flags, what) + " threw " + e, e);
            }
            String outside = box.writtenOutside(frame.length);
            if (outside != null) {
                throw new AssertionError(describe(box, seed, frame, rx, flags, what)
                        + " was written outside the packet: " + outside);
            }
            if (box.leaked() != 0) {
                throw new AssertionError(describe(box, seed, frame, rx, flags, what) + " leaked " + box.leaked()
                        + " buffers");
            }
        }
        String apart = differ(a.sentGbe, b.sentGbe);
        if (apart == null) {
            apart = differ(a.sentTap, b.sentTap);
        }
        // A run of poison bytes in a sent frame came from outside the packet only if the other box, whose buffers
        // hold another poison, sent something else: where both sent the same bytes, the run is the packet's own
        // (a rewritten checksum can happen to extend the packet's a5 a5 a5 to four).
        boolean poisonMatters = apart != null;
        for (FuzzBox box : new FuzzBox[] {a, b}) {
            String wrong = SentFrames.problem(frame, rx == box.tap2, box.sentGbe, NODE_IP, box.poison, poisonMatters);
            if (wrong == null) {
                wrong = SentFrames.problem(frame, false, box.sentTap, NODE_IP, box.poison, poisonMatters);
            }
            if (wrong != null) {
                throw new AssertionError(describe(box, seed, frame, rx, flags, what) + " was sent wrong: " + wrong);
            }
        }
        if (apart != null) {
            throw new AssertionError(describe(a, seed, frame, rx, flags, what) + " was answered differently when "
                    + "the bytes around it differed (a read outside the packet): " + apart);
        }
        return a.sentCount();
    }

    /** Where two ports' frames differ, ip4-arp's requests left out (its throttle reads the clock); null if nowhere. */
    private static String differ(List<byte[]> sentA, List<byte[]> sentB) {
        List<byte[]> left = withoutArpRequests(sentA);
        List<byte[]> right = withoutArpRequests(sentB);
        if (left.size() != right.size()) {
            return left.size() + " frames and " + right.size();
        }
        for (int f = 0; f < left.size(); f++) {
            if (!Arrays.equals(left.get(f), right.get(f))) {
                return Frames.hex(left.get(f)) + " and " + Frames.hex(right.get(f));
            }
        }
        return null;
    }

    private static List<byte[]> withoutArpRequests(List<byte[]> sent) {
        List<byte[]> kept = new ArrayList<>(sent.size());
        for (byte[] frame : sent) {
            boolean arpRequest = frame.length >= 22 && u16(frame, 12) == Frames.ETHERTYPE_ARP && u16(frame, 20) == 1;
            if (!arpRequest) {
                kept.add(frame);
            }
        }
        return kept;
    }

    /** One frame with its own accounting (box a's counters). */
    private void check(Seed seed, byte[] frame, int rx, int flags, String what, Outcome outcome) {
        Map<String, Long> before = a.counters();
        int sent = runOne(seed, frame, rx, flags, false, what);
        Map<String, Long> after = a.counters();
        Drops drops = Drops.between(before, after, requests(before), requests(after));
        outcome.sent += sent;
        outcome.dropped += drops.dropped;
        if (sent + drops.dropped != 1 + drops.arpRequests) {
            throw new AssertionError(describe(a, seed, frame, rx, flags, what) + " had " + sent + " sent and " + drops
                    + ", not one outcome");
        }
        if (drops.dropped > drops.counted) {
            throw new AssertionError(describe(a, seed, frame, rx, flags, what)
                    + " was dropped without a node's error counter");
        }
    }

    /** The frame, what made it, and its trace when sent once more through {@code box}. */
    private static String describe(FuzzBox box, Seed seed, byte[] frame, int rx, int flags, String what) {
        return "seed " + seed.name + " (" + what.trim() + ") on sw_if_index " + rx + ", flags " + flags + ", "
                + frame.length + " bytes " + Frames.hex(frame) + "\nreplayed with trace:\n"
                + box.replayTraced(frame, rx, flags);
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
        seeds.add(new Seed("pod ping of zeros", zeroPing, a.tap2));
        seeds.add(new Seed("echo reply of zeros", Frames.ip4(GBE_MAC, GATEWAY_MAC, DNS_IP, NODE_IP, 1, 55, 0,
                Frames.icmpEcho(0, zeroPingId, 0, 0)), a.gbe));
        seeds.add(new Seed("pod TCP SYN", syn, a.tap2));
        seeds.add(new Seed("pod UDP", udp, a.tap2));
        seeds.add(new Seed("pod ping", ping, a.tap2));
        byte[] synAck = Frames.ip4(GBE_MAC, GATEWAY_MAC, SERVER_IP, NODE_IP, 6, 55, 0x4000,
                Frames.tcp(80, tcpPort, 0x12, 0));
        seeds.add(new Seed("server SYN-ACK", synAck, a.gbe));
        seeds.add(new Seed("DNS reply", Frames.ip4(GBE_MAC, GATEWAY_MAC, DNS_IP, NODE_IP, 17, 120, 0,
                Frames.udp(53, udpPort, 45)), a.gbe));
        seeds.add(new Seed("echo reply", Frames.ip4(GBE_MAC, GATEWAY_MAC, SERVER_IP, NODE_IP, 1, 55, 0,
                Frames.icmpEcho(0, pingId, 1, 56)), a.gbe));
        seeds.add(new Seed("ping of the node", Frames.ip4(GBE_MAC, GATEWAY_MAC, GATEWAY_IP, NODE_IP, 1, 64, 0,
                Frames.icmpEcho(8, 99, 3, 32)), a.gbe));
        byte[] translatedSyn = Frames.ip4(GATEWAY_MAC, GBE_MAC, NODE_IP, SERVER_IP, 6, 63, 0x4000,
                Frames.tcp(tcpPort, 80, 0x02, 0));
        byte[] translatedUdp = Frames.ip4(GATEWAY_MAC, GBE_MAC, NODE_IP, DNS_IP, 17, 63, 0,
                Frames.udp(udpPort, 53, 29));
        seeds.add(new Seed("port unreachable quoting TCP", Frames.ip4(GBE_MAC, GATEWAY_MAC, GATEWAY_IP, NODE_IP, 1,
                64, 0, Frames.icmpError(3, 3, Frames.ipPart(translatedSyn))), a.gbe));
        seeds.add(new Seed("time exceeded quoting UDP", Frames.ip4(GBE_MAC, GATEWAY_MAC, GATEWAY_IP, NODE_IP, 1,
                64, 0, Frames.icmpError(11, 0, java.util.Arrays.copyOf(Frames.ipPart(translatedUdp), 28))), a.gbe));
        seeds.add(new Seed("frag needed quoting a quoted error", Frames.ip4(GBE_MAC, GATEWAY_MAC, GATEWAY_IP,
                NODE_IP, 1, 64, 0, Frames.icmpError(3, 4, Frames.ipPart(Frames.ip4(GATEWAY_MAC, GBE_MAC, NODE_IP,
                        SERVER_IP, 1, 63, 0, Frames.icmpError(3, 3, Frames.ipPart(translatedSyn)))))), a.gbe));
        seeds.add(new Seed("pod unreachable to the server", Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, SERVER_IP, 1, 64,
                0, Frames.icmpError(3, 3, java.util.Arrays.copyOf(Frames.ipPart(synAck), 28))), a.tap2));
        seeds.add(new Seed("gateway ARP request", Frames.arp(0xffffffffffffL, GATEWAY_MAC, 1, GATEWAY_MAC, GATEWAY_IP,
                0, NODE_IP), a.gbe));
        seeds.add(new Seed("gateway ARP reply", Frames.arp(GBE_MAC, GATEWAY_MAC, 2, GATEWAY_MAC, GATEWAY_IP,
                GBE_MAC, NODE_IP), a.gbe));
        seeds.add(new Seed("pod ARP for its gateway", Frames.arp(0xffffffffffffL, POD_MAC, 1, POD_MAC, POD_IP, 0,
                POD_GATEWAY_IP), a.tap2));
        byte[] firstFragment = Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, DNS_IP, 17, 64, 0x2000, Frames.udp(40002, 53, 64));
        seeds.add(new Seed("pod first fragment", firstFragment, a.tap2));
        seeds.add(new Seed("pod last fragment", Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, DNS_IP, 17, 64, 9,
                new byte[40]), a.tap2));
        seeds.add(new Seed("internet later fragment", Frames.ip4(GBE_MAC, GATEWAY_MAC, DNS_IP, NODE_IP, 17, 64,
                0x2000 | 9, new byte[48]), a.gbe));
        byte[] withOptions = Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, SERVER_IP, 6, 64, 0x4000,
                Frames.tcp(40003, 443, 0x02, 0));
        seeds.add(new Seed("pod SYN with options", optioned(withOptions), a.tap2));
        seeds.add(new Seed("pod TTL 1", Frames.ip4(TAP2_MAC, POD_MAC, POD_IP, SERVER_IP, 17, 1, 0,
                Frames.udp(40004, 33434, 12)), a.tap2));
        seeds.add(new Seed("internet to the pod", Frames.ip4(GBE_MAC, GATEWAY_MAC, SERVER_IP, POD_IP, 6, 50, 0,
                Frames.tcp(80, 40000, 0x12, 0)), a.gbe));
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

    /** Sends {@code frame} from the pod through both boxes; the source port (or ICMP id) NAT gave it on the GbE. */
    private int natPort(byte[] frame) {
        int port = -1;
        for (FuzzBox box : new FuzzBox[] {a, b}) {
            box.receive(frame, box.tap2, 0, false);
            assertEquals(1, box.sentGbe.size(), () -> "the seed frame went out on the GbE: " + box.runtime.errors());
            byte[] out = box.sentGbe.get(0);
            int translated = out[23] == 1 ? u16(out, 38) : u16(out, 34);
            assertTrue(port < 0 || port == translated, "both boxes chose the same port");
            port = translated;
        }
        return port;
    }
}
