package io.sluice.driver.afpacket.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.graph.testkit.FuzzCorpus;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Ipv4;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing (issue 18) of what driver-afpacket does with a frame the kernel marked
 * TP_STATUS_CSUMNOTREADY in its TPACKET descriptor ({@link AfPacketDevice#completeChecksum}): a peer on a veth
 * chooses every byte of it. The part of the descriptor read that needs no socket; the ring's own fields
 * (tp_mac, tp_snaplen, block offsets) are the kernel's and are not fuzzed here. The frame is given in a segment
 * of exactly its size, so a read or write outside it throws. When the device says it completed the checksum,
 * the TCP or UDP checksum must now verify, and only its two bytes may have changed.
 */
class TpacketChecksumFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void completedChecksumsVerifyAndTouchOnlyTheirField(byte[] frame) {
        MemorySegment data = MemorySegment.ofArray(frame.clone());
        boolean completed = AfPacketDevice.completeChecksum(data, 0, frame.length);
        byte[] after = data.toArray(ValueLayout.JAVA_BYTE);
        if (!completed) {
            assertArrayEquals(frame, after, "untouched when not completed");
            return;
        }
        long ip = Ethernet.l3Offset(data, 0);
        int field = (int) ip + Ipv4.headerLength(data, ip) + (Ipv4.protocol(data, ip) == Ipv4.PROTOCOL_TCP ? 16 : 6);
        boolean valid = Ipv4.protocol(data, ip) == Ipv4.PROTOCOL_TCP ? Checksum.tcpChecksumValid(data, ip)
                : Checksum.udpChecksumValid(data, ip);
        assertTrue(valid, "the completed checksum verifies");
        after[field] = frame[field];
        after[field + 1] = frame[field + 1];
        assertArrayEquals(frame, after, "only the checksum field changed");
    }

    /** A veth's TCP SYN and UDP datagram with only the pseudo-header sum, one VLAN-tagged; corpus files. */
    @Test
    void seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(frame(false, Ipv4.PROTOCOL_TCP, 20));
        seeds.add(frame(false, Ipv4.PROTOCOL_UDP, 8 + 12));
        seeds.add(frame(true, Ipv4.PROTOCOL_UDP, 8 + 1));
        for (byte[] seed : FuzzCorpus.maybeWrite(TpacketChecksumFuzzTest.class,
                "completedChecksumsVerifyAndTouchOnlyTheirField", seeds)) {
            completedChecksumsVerifyAndTouchOnlyTheirField(seed);
        }
    }

    private static byte[] frame(boolean tagged, int protocol, int l4Length) {
        int l3 = tagged ? 18 : 14;
        byte[] f = new byte[l3 + 20 + l4Length];
        if (tagged) {
            f[12] = (byte) 0x81;
            f[15] = 0x07;
        }
        f[l3 - 2] = 0x08;
        MemorySegment s = MemorySegment.ofArray(f);
        Ipv4.setVersionAndIhl(s, l3, Ipv4.VERSION_IHL_NO_OPTIONS);
        Ipv4.setTotalLength(s, l3, 20 + l4Length);
        Ipv4.setTtl(s, l3, 64);
        Ipv4.setProtocol(s, l3, protocol);
        Ipv4.setSrc(s, l3, 0x0a010103);
        Ipv4.setDst(s, l3, 0x1f866133);
        Checksum.setIp4HeaderChecksum(s, l3);
        if (protocol == Ipv4.PROTOCOL_UDP) {
            f[l3 + 24] = (byte) (l4Length >>> 8);
            f[l3 + 25] = (byte) l4Length;
        } else {
            f[l3 + 32] = 0x50;
            f[l3 + 33] = 0x02;
        }
        return f;
    }
}
