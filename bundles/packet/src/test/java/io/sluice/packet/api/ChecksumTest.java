package io.sluice.packet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    @Test
    void rfc1071NumericalExample() {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2, checksum 0x220d.
        MemorySegment seg = MemorySegment.ofArray(PacketFormat.parseHex("0001f203f4f5f6f7"));
        assertEquals(0xddf2, Checksum.sum(seg, 0, 8));
        assertEquals(0x220d, Checksum.internetChecksum(seg, 0, 8));
    }

    @Test
    void wordSumMatchesBytewiseReferenceForEveryLengthAndAlignment() {
        SplittableRandom random = new SplittableRandom(1071);
        byte[] bytes = new byte[300];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSeg = arena.allocate(bytes.length);
            for (int round = 0; round < 20; round++) {
                random.nextBytes(bytes);
                if (round == 0) {
                    java.util.Arrays.fill(bytes, (byte) 0xff); // every carry path at once
                }
                MemorySegment.copy(bytes, 0, nativeSeg, ValueLayout.JAVA_BYTE, 0, bytes.length);
                MemorySegment heapSeg = MemorySegment.ofArray(bytes);
                for (int from = 0; from < 9; from++) {
                    for (int len = 0; len <= 200; len++) {
                        int expected = ReferenceChecksum.sum(bytes, from, len);
                        assertEquals(expected, Checksum.sum(nativeSeg, from, len), "native from " + from + " len " + len);
                        assertEquals(expected, Checksum.sum(heapSeg, from, len), "heap from " + from + " len " + len);
                    }
                }
            }
        }
    }

    @Test
    void headerChecksumDetectsACorruptedByte() {
        byte[] frame = SeedPackets.synAckFromServer();
        MemorySegment seg = MemorySegment.ofArray(frame);
        assertTrue(Checksum.ip4HeaderChecksumValid(seg, 14));
        frame[14 + 8] ^= 0x01;
        assertFalse(Checksum.ip4HeaderChecksumValid(seg, 14));
        Checksum.setIp4HeaderChecksum(seg, 14);
        assertTrue(Checksum.ip4HeaderChecksumValid(seg, 14));
    }

    @Test
    void tcpChecksumCoversThePseudoHeader() {
        byte[] frame = SeedPackets.synAckFromServer();
        MemorySegment seg = MemorySegment.ofArray(frame);
        Ipv4.setDst(seg, 14, SeedPackets.POD_IP); // without fixing the TCP checksum
        Checksum.setIp4HeaderChecksum(seg, 14);
        assertFalse(Checksum.tcpChecksumValid(seg, 14));
        Checksum.setTcpChecksum(seg, 14);
        assertTrue(Checksum.tcpChecksumValid(seg, 14));
    }

    @Test
    void incrementalUpdatesEqualFullRecomputeOnRandomHeaders() {
        SplittableRandom random = new SplittableRandom(1624);
        byte[] frame = SeedPackets.synAckFromServer();
        MemorySegment seg = MemorySegment.ofArray(frame);
        long ip = 14;
        long tcp = 34;
        for (int i = 0; i < 10_000; i++) {
            int address = random.nextInt();
            int port = random.nextInt(1 << 16);
            if ((i & 1) == 0) {
                Ipv4.rewriteSrc(seg, ip, address);
                Tcp.rewriteSrcPort(seg, tcp, port);
            } else {
                Ipv4.rewriteDst(seg, ip, address);
                Tcp.rewriteDstPort(seg, tcp, port);
            }
            if (Ipv4.ttl(seg, ip) > 1) {
                Ipv4.decrementTtl(seg, ip);
            } else {
                Ipv4.setTtl(seg, ip, 255);
                Checksum.setIp4HeaderChecksum(seg, ip);
            }
            assertEquals(Checksum.ip4HeaderChecksum(seg, ip), Ipv4.checksum(seg, ip), "round " + i);
            assertEquals(Checksum.tcpChecksum(seg, ip), Tcp.checksum(seg, tcp), "round " + i);
        }
    }

    @Test
    void update32IsTwoUpdate16s() {
        SplittableRandom random = new SplittableRandom(32);
        for (int i = 0; i < 10_000; i++) {
            int checksum = random.nextInt(1 << 16);
            int old = random.nextInt();
            int updated = random.nextInt();
            int twice = Checksum.update16(Checksum.update16(checksum, old >>> 16, updated >>> 16),
                    old & 0xffff, updated & 0xffff);
            assertEquals(twice, Checksum.update32(checksum, old, updated));
        }
    }

    @Test
    void pseudoHeaderSumMatchesTheBytesItStandsFor() {
        byte[] pseudo = PacketFormat.parseHex("0a010103" + "1f866133" + "00" + "06" + "0028");
        assertEquals(ReferenceChecksum.sum(pseudo, 0, pseudo.length),
                Checksum.pseudoHeaderSum(SeedPackets.POD_IP, SeedPackets.SERVER_IP, 6, 40));
    }

    // ---- UDP: 0 means "no checksum" (RFC 768) ----

    /** 10.1.1.3:5353 -> 31.134.97.51:53 with 6 bytes of payload. */
    private static byte[] udpPacket(int payloadWord) {
        byte[] packet = PacketFormat.parseHex(
                "45000022" + "12340000" + "40110000" + "0a010103" + "1f866133"
                        + "14e90035" + "000e0000" + "abcdef01" + "0000");
        packet[32] = (byte) (payloadWord >>> 8);
        packet[33] = (byte) payloadWord;
        MemorySegment seg = MemorySegment.ofArray(packet);
        Checksum.setIp4HeaderChecksum(seg, 0);
        return packet;
    }

    @Test
    void udpChecksumComputesAndVerifies() {
        MemorySegment seg = MemorySegment.ofArray(udpPacket(0x1234));
        Checksum.setUdpChecksum(seg, 0);
        assertNotEquals(0, Udp.checksum(seg, 20));
        assertTrue(Checksum.udpChecksumValid(seg, 0));
        seg.set(ValueLayout.JAVA_BYTE, 30, (byte) 0);
        assertFalse(Checksum.udpChecksumValid(seg, 0));
    }

    @Test
    void udpComputedZeroIsSentAsAllOnes() {
        byte[] probe = udpPacket(0);
        // the sum with checksum field 0: choose the payload word that brings it to 0xffff
        int sumWithout = ReferenceChecksum.sum(probe, 12, 8) + 17 + 14 + ReferenceChecksum.sum(probe, 20, 14);
        sumWithout = (sumWithout & 0xffff) + (sumWithout >>> 16);
        sumWithout = (sumWithout & 0xffff) + (sumWithout >>> 16);
        MemorySegment seg = MemorySegment.ofArray(udpPacket(0xffff - sumWithout));
        assertEquals(0xffff, Checksum.udpChecksum(seg, 0));
        Checksum.setUdpChecksum(seg, 0);
        assertTrue(Checksum.udpChecksumValid(seg, 0));
    }

    @Test
    void udpZeroChecksumMeansNoneAndSurvivesRewrites() {
        MemorySegment seg = MemorySegment.ofArray(udpPacket(0x1234));
        assertEquals(0, Udp.checksum(seg, 20));
        assertTrue(Checksum.udpChecksumValid(seg, 0), "0 means the sender computed none");
        Ipv4.rewriteSrc(seg, 0, SeedPackets.NODE_IP);
        Udp.rewriteSrcPort(seg, 20, 61000);
        Ipv4.rewriteDst(seg, 0, 0x08080808);
        Udp.rewriteDstPort(seg, 20, 5353);
        assertEquals(0, Udp.checksum(seg, 20));
        assertTrue(Checksum.ip4HeaderChecksumValid(seg, 0));
        assertEquals(0, Checksum.updateUdp16(0, 1, 2));
        assertEquals(0, Checksum.updateUdp32(0, 1, 2));
    }

    @Test
    void udpIncrementalResultOfZeroIsSentAsAllOnes() {
        // ~(~0xffff + ~0 + 0) = 0: a plain update can yield 0, which UDP must send as 0xffff
        assertEquals(0, Checksum.update16(0xffff, 0, 0));
        assertEquals(0xffff, Checksum.updateUdp16(0xffff, 0, 0));
        assertEquals(0, Checksum.update32(0xffff, 0, 0));
        assertEquals(0xffff, Checksum.updateUdp32(0xffff, 0, 0));
    }

    @Test
    void udpRewritesKeepAComputedChecksumRight() {
        MemorySegment seg = MemorySegment.ofArray(udpPacket(0x1234));
        Checksum.setUdpChecksum(seg, 0);
        Ipv4.rewriteSrc(seg, 0, SeedPackets.NODE_IP);
        Udp.rewriteSrcPort(seg, 20, 61000);
        assertEquals(Checksum.udpChecksum(seg, 0), Udp.checksum(seg, 20));
        assertTrue(Checksum.udpChecksumValid(seg, 0));
    }

    @Test
    void laterFragmentsKeepTheirPayloadUntouchedOnAddressRewrite() {
        MemorySegment seg = MemorySegment.ofArray(udpPacket(0x1234));
        Ipv4.setFlagsAndFragmentOffset(seg, 0, 185); // offset 1480 bytes: bytes 20.. are payload, not UDP
        Checksum.setIp4HeaderChecksum(seg, 0);
        byte[] before = seg.asSlice(20).toArray(ValueLayout.JAVA_BYTE);
        Ipv4.rewriteSrc(seg, 0, SeedPackets.NODE_IP);
        assertTrue(Checksum.ip4HeaderChecksumValid(seg, 0));
        assertEquals(java.util.Arrays.toString(before),
                java.util.Arrays.toString(seg.asSlice(20).toArray(ValueLayout.JAVA_BYTE)));
        assertTrue(Ipv4.isFragment(seg, 0));
    }
}
