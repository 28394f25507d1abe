package io.sluice.nat44.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.graph.testkit.FuzzCorpus;
import io.sluice.graph.testkit.FuzzInvariants;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Udp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing (issue 18) of NAT44: nat44-in2out-output, its slow path, and nat44-out2in with the
 * ICMP errors quoting a session's packet, in the seed's box ({@link TestBed}) with sessions of the pod's UDP, TCP
 * and ping made first (the ports drawn from a seeded generator, so the corpus's replies find them). The NAT nodes
 * sit behind ip4-input, which passes only IPv4 whose header and total length hold; the target passes them the
 * same: an input that is not such a packet is not sent. Byte 0 chooses the path (0: from the pod out of the GbE,
 * 1: in on the GbE, 2: in on tap2, 3: from the GbE out of it again); the rest is the IPv4 packet (its header
 * checksum made right). The clock moves one second per input, so sessions also expire.
 *
 * <p>Per input: no node threw, no buffer outstanding, the packet went exactly one way (to ip4-lookup, out of the
 * GbE, or dropped) and a drop was counted by its node.
 */
class Nat44FuzzTest {
    /** Counters of packets translated or passed, and of sessions, not of drops. */
    static final Set<String> PASSING = Set.of("in2out-packets", "out2in-packets", "sessions-created",
            "sessions-expired");
    static final long PORT_SEED = 18;

    private final TestBed bed = TestBed.inMemory();
    private final int udpPort;
    private final int tcpPort;
    private final int pingId;
    private final byte[] translatedUdp;

    Nat44FuzzTest() {
        bed.dataplane.setAddresses(new int[] {TestBed.NODE_IP}, new SplittableRandom(PORT_SEED));
        bed.sendOut(Frames.udp("10.1.1.3", 40001, "8.8.8.8", 53, 12, true), TestBed.TAP2);
        translatedUdp = bed.gbeOutput.getLast().bytes();
        udpPort = Udp.srcPort(MemorySegment.ofArray(translatedUdp), 34);
        bed.sendOut(Frames.tcp("10.1.1.3", 40000, "31.134.97.51", 80, 0x02), TestBed.TAP2);
        tcpPort = Udp.srcPort(MemorySegment.ofArray(bed.gbeOutput.getLast().bytes()), 34);
        bed.sendOut(Frames.echo("10.1.1.3", "31.134.97.51", Icmp.TYPE_ECHO_REQUEST, 7, 1), TestBed.TAP2);
        pingId = Icmp.echoId(MemorySegment.ofArray(bed.gbeOutput.getLast().bytes()), 34);
        clear();
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    @FuzzTest(maxDuration = "30s")
    void anyPacketIsTranslatedPassedOrDroppedCounted(byte[] input) {
        int ip = 1;
        if (input.length < ip + 20 || (input[ip] & 0xf0) != 0x40) {
            return;
        }
        int headerLength = (input[ip] & 0x0f) * 4;
        int totalLength = (input[ip + 2] & 0xff) << 8 | (input[ip + 3] & 0xff);
        if (headerLength < 20 || totalLength < headerLength || totalLength > input.length - ip || totalLength > 1500) {
            return;
        }
        byte[] frame = new byte[Frames.ETH + totalLength];
        frame[12] = 0x08;
        System.arraycopy(input, ip, frame, Frames.ETH, totalLength);
        Checksum.setIp4HeaderChecksum(MemorySegment.ofArray(frame), Frames.ETH);
        bed.clock.addAndGet(1000);
        Map<String, Long> before = FuzzInvariants.counters(bed.harness.engine());
        switch (input[0] & 3) {
            case 0 -> bed.sendOut(frame, TestBed.TAP2);
            case 1 -> bed.receive(frame, TestBed.GBE);
            case 2 -> bed.receive(frame, TestBed.TAP2);
            default -> bed.sendOut(frame, TestBed.GBE);
        }
        String what = "path " + (input[0] & 3) + ", frame " + HexFormat.of().formatHex(frame);
        FuzzInvariants.check(bed.harness.engine(), bed.harness.pool(), 0, before, PASSING, bed.dropped.size(), what);
        int ways = bed.lookup.size() + bed.gbeOutput.size() + bed.dropped.size();
        assertEquals(1, ways, what + " went " + ways + " ways");
        clear();
    }

    private void clear() {
        bed.lookup.clear();
        bed.gbeOutput.clear();
        bed.dropped.clear();
    }

    /**
     * The seeds pass (the pod's flows again, their replies, a port unreachable quoting the translated UDP, a reply
     * to no session); -Dsluice.fuzz.writeCorpus=true writes them as the corpus.
     */
    @Test
    void seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(seed(0, Frames.udp("10.1.1.3", 40001, "8.8.8.8", 53, 12, true)));
        seeds.add(seed(0, Frames.tcp("10.1.1.3", 40002, "31.134.97.51", 443, 0x02)));
        seeds.add(seed(1, Frames.udp("8.8.8.8", 53, "192.168.16.1", udpPort, 40, true)));
        seeds.add(seed(1, Frames.tcp("31.134.97.51", 80, "192.168.16.1", tcpPort, 0x12)));
        seeds.add(seed(1, Frames.echo("31.134.97.51", "192.168.16.1", Icmp.TYPE_ECHO_REPLY, pingId, 1)));
        seeds.add(seed(1, Frames.icmpError("8.8.8.8", "192.168.16.1", Icmp.TYPE_DESTINATION_UNREACHABLE,
                Icmp.CODE_PORT_UNREACHABLE, translatedUdp, 28 + 8)));
        seeds.add(seed(1, Frames.udp("9.9.9.9", 53, "192.168.16.1", 1, 4, true)));
        seeds.add(seed(2, Frames.udp("10.1.1.3", 40001, "10.1.1.4", 53, 4, true)));
        for (byte[] seed : FuzzCorpus.maybeWrite(Nat44FuzzTest.class, "anyPacketIsTranslatedPassedOrDroppedCounted",
                seeds)) {
            anyPacketIsTranslatedPassedOrDroppedCounted(seed);
        }
    }

    private static byte[] seed(int path, byte[] frame) {
        byte[] input = new byte[frame.length - Frames.ETH + 1];
        input[0] = (byte) path;
        System.arraycopy(frame, Frames.ETH, input, 1, frame.length - Frames.ETH);
        return input;
    }
}
