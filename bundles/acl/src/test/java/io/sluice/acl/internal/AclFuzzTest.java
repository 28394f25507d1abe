package io.sluice.acl.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.graph.testkit.FuzzCorpus;
import io.sluice.graph.testkit.FuzzInvariants;
import io.sluice.packet.api.Checksum;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.sluice.acl.internal.TestPackets.NODE_IP;
import static io.sluice.acl.internal.TestPackets.POD_IP;
import static io.sluice.acl.internal.TestPackets.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing (issue 18) of the ACL classify, acl-plugin-in-ip4-fa and acl-plugin-out-ip4-fa, with
 * the seed's policy on both ports ({@link AclFixture#seedPolicy}) and a session of the pod's SYN made first. The
 * ACL sits behind ip4-input, which passes only IPv4 whose header and total length hold: the target passes the
 * same (other inputs are not sent). Byte 0 chooses the way (0: in on tap2, 1: in on the GbE, 2: out of tap2,
 * 3: out of the GbE; bit 2: traced); the rest is the IPv4 packet, its header checksum made right. The clock
 * moves a second per input, so sessions also expire.
 *
 * <p>Per input: no node threw, no buffer outstanding, the packet routed, passed to the output or dropped, once,
 * and a drop counted by the ACL node.
 */
class AclFuzzTest {
    /** Counters of packets checked and passed, not of drops. */
    static final Set<String> PASSING = Set.of("acl-permit", "acl-check", "acl-exist-session", "acl-new-session",
            "acl-related");

    private final AclFixture box = new AclFixture();
    private final List<io.sluice.graph.runtime.GraphHarness.Captured> unrouted = box.harness.capture("test-unrouted");

    AclFuzzTest() {
        box.seedPolicy();
        box.receive(TestPackets.seedSynFromPod(), AclFixture.TAP2, false);
        box.routed.clear();
    }

    @AfterEach
    void tearDown() {
        box.close();
    }

    @FuzzTest(maxDuration = "30s")
    void anyPacketIsPermittedOrDroppedCounted(byte[] input) {
        int ip = 1;
        if (input.length < ip + 20 || (input[ip] & 0xf0) != 0x40) {
            return;
        }
        int headerLength = (input[ip] & 0x0f) * 4;
        int totalLength = (input[ip + 2] & 0xff) << 8 | (input[ip + 3] & 0xff);
        if (headerLength < 20 || totalLength < headerLength || totalLength > input.length - ip || totalLength > 1500) {
            return;
        }
        byte[] frame = new byte[14 + totalLength];
        frame[12] = 0x08;
        System.arraycopy(input, ip, frame, 14, totalLength);
        Checksum.setIp4HeaderChecksum(MemorySegment.ofArray(frame), 14);
        box.clock.advanceSeconds(1);
        Map<String, Long> before = FuzzInvariants.counters(box.harness.engine());
        boolean traced = (input[0] & 4) != 0;
        switch (input[0] & 3) {
            case 0 -> box.receive(frame, AclFixture.TAP2, traced);
            case 1 -> box.receive(frame, AclFixture.GBE, traced);
            case 2 -> box.send(frame, AclFixture.TAP2, traced);
            default -> box.send(frame, AclFixture.GBE, traced);
        }
        String what = "way " + (input[0] & 3) + ", frame " + HexFormat.of().formatHex(frame);
        FuzzInvariants.check(box.harness.engine(), box.harness.pool(), 0, before, PASSING, what);
        long dropped = FuzzInvariants.counters(box.harness.engine()).getOrDefault("error-drop/dropped", 0L)
                - before.getOrDefault("error-drop/dropped", 0L);
        int ways = box.routed.size() + unrouted.size() + box.sentGbe.size() + box.sentTap2.size();
        assertEquals(1, ways + dropped, what + " went " + ways + " ways and was dropped " + dropped + " times");
        box.routed.clear();
        unrouted.clear();
        box.sentGbe.clear();
        box.sentTap2.clear();
        if (traced) {
            box.harness.trace();
            box.harness.engine().traceClear();
        }
    }

    /** The seed's flows both ways, an ICMP error quoting the SYN, a UDP and ping; -Dsluice.fuzz.writeCorpus=true. */
    @Test
    void seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(seed(0, TestPackets.seedSynFromPod()));
        seeds.add(seed(2, TestPackets.seedSynAckToPod()));
        seeds.add(seed(1, TestPackets.seedSynAckFromServer()));
        seeds.add(seed(3, TestPackets.seedSynRewritten()));
        seeds.add(seed(2, TestPackets.icmpError(SERVER_IP, POD_IP, 3, 3, TestPackets.seedSynFromPod())));
        seeds.add(seed(0, TestPackets.udp(POD_IP, 5353, 0x08080808, 53)));
        seeds.add(seed(2, TestPackets.icmp(SERVER_IP, POD_IP, 8, 0, 77)));
        seeds.add(seed(3, TestPackets.tcp(NODE_IP, 1234, 0x0ac80305, 80, 0x02)));
        for (byte[] seed : FuzzCorpus.maybeWrite(AclFuzzTest.class, "anyPacketIsPermittedOrDroppedCounted", seeds)) {
            anyPacketIsPermittedOrDroppedCounted(seed);
        }
    }

    private static byte[] seed(int way, byte[] frame) {
        byte[] input = new byte[frame.length - 13];
        input[0] = (byte) way;
        System.arraycopy(frame, 14, input, 1, frame.length - 14);
        return input;
    }
}
