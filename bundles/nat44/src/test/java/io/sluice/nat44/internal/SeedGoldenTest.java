package io.sluice.nat44.internal;

import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PacketFormat;
import io.sluice.packet.api.Tcp;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two packets of seed/POD_TO_INTERNET.md through the NAT, byte for byte: the pod's SYN after ip4-rewrite
 * (source NAT to 192.168.16.1:25801) and the server's SYN-ACK as received on the GbE port (back to
 * 10.1.1.3:41084), with the checksums the seed's traces print.
 */
class SeedGoldenTest {

    /**
     * The SYN after ip4-rewrite: the seed's 60-byte hex dump, then the rest of Linux's 40-byte TCP header
     * (timestamps, nop, window scale 7) with a TSval chosen so that the seed's TCP checksum 0x91d0 is right.
     */
    static final byte[] SYN_AFTER_REWRITE = PacketFormat.parseHex(
            "08002702a536080027449fd808004500003c7dab40003f0632540a0101031f86"
                    + "6133a07c0050940482c000000000a002721091d00000020405b40402"
                    + "080a4d2eb3a20000000001030307");

    /** The SYN as GigabitEthernet0/8/0-output shows it: source 192.168.16.1:25801, IP 0x6cae, TCP 0x07de. */
    static final byte[] SYN_AFTER_NAT = PacketFormat.parseHex(
            "08002702a536080027449fd808004500003c7dab40003f066caec0a810011f86"
                    + "613364c90050940482c000000000a002721007de0000020405b40402"
                    + "080a4d2eb3a20000000001030307");

    /**
     * The SYN-ACK as dpdk-input received it (the seed's second hex dump is after translation and
     * ip4-rewrite; this is before): 31.134.97.51:80 -> 192.168.16.1:25801, TTL 63, IP 0x239a, TCP 0xb12b,
     * two bytes of Ethernet padding.
     */
    static final byte[] SYN_ACK_RECEIVED = PacketFormat.parseHex(
            "080027449fd808002702a53608004500002c06d000003f06239a1f866133c0a8"
                    + "1001005064c9c9a75001940482c16012ffffb12b0000020405b40000");

    @Test
    void reconstructedFramesCarryTheSeedsChecksums() {
        MemorySegment syn = MemorySegment.ofArray(SYN_AFTER_REWRITE.clone());
        assertEquals(74, SYN_AFTER_REWRITE.length);
        assertTrue(Checksum.ip4HeaderChecksumValid(syn, 14));
        assertTrue(Checksum.tcpChecksumValid(syn, 14));
        MemorySegment synAck = MemorySegment.ofArray(SYN_ACK_RECEIVED.clone());
        assertTrue(Checksum.ip4HeaderChecksumValid(synAck, 14));
        assertTrue(Checksum.tcpChecksumValid(synAck, 14));
        assertEquals(0x239a, Ipv4.checksum(synAck, 14));
        assertEquals(0xb12b, Tcp.checksum(synAck, 34));
    }

    @Test
    void synIsSourceTranslatedAndSynAckTranslatedBack() {
        try (TestBed bed = TestBed.inMemory()) {
            runSeed(bed);
        }
    }

    @Test
    void seedFlowOverAMappedFile(@TempDir Path dir) throws Exception {
        try (TestBed bed = TestBed.mapped(dir.resolve("sessions.bin"))) {
            runSeed(bed);
        }
    }

    private static void runSeed(TestBed bed) {
        bed.dataplane.forceNextPort(25801);
        bed.sendOut(SYN_AFTER_REWRITE.clone(), TestBed.TAP2);
        assertEquals(1, bed.gbeOutput.size());
        Captured out = bed.gbeOutput.getFirst();
        assertArrayEquals(SYN_AFTER_NAT, out.bytes());
        MemorySegment syn = MemorySegment.ofArray(out.bytes());
        assertEquals(0x6cae, Ipv4.checksum(syn, 14));
        assertEquals(0x07de, Tcp.checksum(syn, 34));

        bed.receive(SYN_ACK_RECEIVED.clone(), TestBed.GBE);
        assertEquals(1, bed.lookup.size());
        MemorySegment synAck = MemorySegment.ofArray(bed.lookup.getFirst().bytes());
        assertEquals(PacketFormat.parseIp4("31.134.97.51"), Ipv4.src(synAck, 0));
        assertEquals(PacketFormat.parseIp4("10.1.1.3"), Ipv4.dst(synAck, 0));
        assertEquals(80, Tcp.srcPort(synAck, 20));
        assertEquals(41084, Tcp.dstPort(synAck, 20));
        assertEquals(0xe93f, Ipv4.checksum(synAck, 0));
        assertEquals(0x3b1e, Tcp.checksum(synAck, 20));
        assertTrue(Checksum.tcpChecksumValid(synAck, 0));

        String trace = bed.harness.trace();
        assertTrue(trace.contains("  NAT44_IN2OUT_FAST_PATH: sw_if_index 6, next index 3, session -1"), trace);
        int session = bed.dataplane.table().lookupIn2Out(SessionTable.key(PacketFormat.parseIp4("10.1.1.3"), 41084, 6),
                PacketFormat.parseIp4("31.134.97.51"), 80);
        assertTrue(session >= 0);
        assertTrue(trace.contains("  NAT44_IN2OUT_SLOW_PATH: sw_if_index 6, next index 0, session " + session), trace);
        assertTrue(trace.contains("  NAT44_OUT2IN: sw_if_index 1, next index 1, session index " + session), trace);
        assertEquals(0, bed.harness.outstanding());
    }

    @Test
    void synFromThePodPassesOut2InUntouched() {
        try (TestBed bed = TestBed.inMemory()) {
            byte[] received = SYN_AFTER_REWRITE.clone();
            // as received from the pod: TTL 64 and the seed's ip4-input checksum 0x3154
            MemorySegment s = MemorySegment.ofArray(received);
            Ipv4.setTtl(s, 14, 64);
            Ipv4.setChecksum(s, 14, 0x3154);
            assertTrue(Checksum.ip4HeaderChecksumValid(s, 14));
            bed.receive(received, TestBed.TAP2);
            assertEquals(1, bed.lookup.size());
            byte[] ip = java.util.Arrays.copyOfRange(received, 14, received.length);
            assertArrayEquals(ip, bed.lookup.getFirst().bytes());
            assertTrue(bed.harness.trace().contains("  NAT44_OUT2IN: sw_if_index 6, next index 1, session index -1"),
                    bed.harness.trace());
        }
    }
}
