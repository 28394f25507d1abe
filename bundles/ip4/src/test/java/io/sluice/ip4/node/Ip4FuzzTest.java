package io.sluice.ip4.node;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.graph.testkit.FuzzCorpus;
import io.sluice.graph.testkit.FuzzInvariants;
import io.sluice.packet.api.BufferPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing (issue 18) of ip4-input (both variants), ip4-lookup, ip4-local with its ICMP echo
 * replies, ip4-icmp-error and ip4-rewrite, in the seed's box without ACL or NAT ({@link SeedBox}). The input is
 * byte 0 of choices, then an IPv4 packet, which arrives in an Ethernet frame to the chosen port's MAC. Choices:
 * bit 0 the GbE (else tap2), bit 1 a driver-verified checksum, bit 2 traced, bit 3 the IPv4 header checksum made
 * right (if the header is whole) so the packet gets past ip4-input, bit 4 the ICMP checksum made right too.
 *
 * <p>Per input: no node threw, no buffer outstanding, the packet sent or dropped exactly once (ip4-arp drops the
 * packet it resolves for, counted request-sent, and its request is one more frame; an ICMP error takes the
 * packet's place), each drop counted by its node.
 */
class Ip4FuzzTest {
    /** Counters of packets answered, passed or sent, not dropped. */
    static final Set<String> PASSING = Set.of("ttl-expire-resp-sent", "dest-unreach-sent",
            "fragmentation-needed-sent", "echo-replies-sent", "replies-sent", "proxy-replies-sent");

    private final SeedBox box = new SeedBox();

    @AfterEach
    void tearDown() {
        box.close();
    }

    @FuzzTest(maxDuration = "30s")
    void anyPacketIsForwardedAnsweredOrDroppedCounted(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int choices = input[0];
        boolean onGbe = (choices & 1) != 0;
        byte[] frame = new byte[14 + Math.min(input.length - 1, 1500)];
        Packets.putMac(frame, 0, onGbe ? SeedBox.GBE_MAC : SeedBox.TAP2_MAC);
        Packets.putMac(frame, 6, onGbe ? SeedBox.GATEWAY_MAC : SeedBox.POD_MAC);
        frame[12] = 0x08;
        System.arraycopy(input, 1, frame, 14, frame.length - 14);
        int ihl = frame.length > 14 ? (frame[14] & 0x0f) * 4 : 0;
        if ((choices & 8) != 0 && ihl >= 20 && frame.length >= 14 + ihl) {
            putChecksum(frame, 14, ihl, 24);
            if ((choices & 16) != 0 && frame[23] == 1 && frame.length >= 14 + ihl + 4) {
                putChecksum(frame, 14 + ihl, frame.length - 14 - ihl, 14 + ihl + 2);
            }
        }
        Map<String, Long> before = FuzzInvariants.counters(box.h.engine());
        int bi = box.h.inject("ethernet-input", frame, onGbe ? box.gbe : box.tap2, (choices & 4) != 0);
        if ((choices & 2) != 0) {
            box.h.pool().orFlags(bi, BufferPool.FLAG_IP4_CHECKSUM_VERIFIED);
        }
        box.h.run();
        String what = "frame " + HexFormat.of().formatHex(frame);
        FuzzInvariants.check(box.h.engine(), box.h.pool(), 0, before, PASSING, what);
        Map<String, Long> after = FuzzInvariants.counters(box.h.engine());
        long dropped = moved(before, after, "error-drop/dropped");
        long requests = moved(before, after, "ip4-arp/request-sent");
        int sent = box.gbeDevice.sent.size() + box.tapDevice.sent.size();
        assertEquals(1 + requests, sent + dropped, what + ": " + sent + " sent, " + dropped + " dropped");
        box.gbeDevice.sent.clear();
        box.tapDevice.sent.clear();
        if ((choices & 4) != 0) {
            box.h.trace();
            box.h.engine().traceClear();
        }
    }

    private static long moved(Map<String, Long> before, Map<String, Long> after, String counter) {
        return after.getOrDefault(counter, 0L) - before.getOrDefault(counter, 0L);
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code from}, written at {@code at}. */
    private static void putChecksum(byte[] frame, int from, int length, int at) {
        frame[at] = 0;
        frame[at + 1] = 0;
        int checksum = ~Packets.sum(frame, from, length, 0) & 0xffff;
        frame[at] = (byte) (checksum >>> 8);
        frame[at + 1] = (byte) checksum;
    }

    /** The seed's packets (a ping of the node, the pod's SYN and UDP, TTL 1, to the pod) pass; corpus files. */
    @Test
    void seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(seed(1 | 8 | 16, Packets.ip4(SeedBox.GBE_MAC, SeedBox.GATEWAY_MAC, SeedBox.GATEWAY_IP,
                SeedBox.NODE_IP, 1, 64, 0, Packets.echoRequest(7, 1, 32))));
        seeds.add(seed(8, Packets.seedSyn()));
        seeds.add(seed(8, Packets.ip4(SeedBox.TAP2_MAC, SeedBox.POD_MAC, SeedBox.POD_IP, 0x08080808, 17, 64, 0,
                Packets.udp(40001, 53, 29))));
        seeds.add(seed(8, Packets.ip4(SeedBox.TAP2_MAC, SeedBox.POD_MAC, SeedBox.POD_IP, SeedBox.SERVER_IP, 17, 1, 0,
                Packets.udp(40004, 33434, 12))));
        seeds.add(seed(1 | 8, Packets.ip4(SeedBox.GBE_MAC, SeedBox.GATEWAY_MAC, SeedBox.SERVER_IP, SeedBox.POD_IP, 6,
                50, 0x4000, new byte[20])));
        seeds.add(seed(1 | 8, Packets.ip4(SeedBox.GBE_MAC, SeedBox.GATEWAY_MAC, SeedBox.SERVER_IP, SeedBox.NODE_IP, 17,
                50, 0, Packets.udp(53, 9, 4))));
        for (byte[] seed : FuzzCorpus.maybeWrite(Ip4FuzzTest.class, "anyPacketIsForwardedAnsweredOrDroppedCounted",
                seeds)) {
            anyPacketIsForwardedAnsweredOrDroppedCounted(seed);
        }
    }

    /** The input for {@code frame}: the choices, then its IPv4 packet (the Ethernet header is the target's). */
    private static byte[] seed(int choices, byte[] frame) {
        byte[] input = new byte[frame.length - 13];
        input[0] = (byte) choices;
        System.arraycopy(frame, 14, input, 1, frame.length - 14);
        return input;
    }
}
