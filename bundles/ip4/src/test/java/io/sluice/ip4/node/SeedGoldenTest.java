package io.sluice.ip4.node;

import io.sluice.packet.api.PacketFormat;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's SYN from the pod, through the box without ACL and NAT: bytes and trace as the seed shows them. */
class SeedGoldenTest {

    static final String IP4_BLOCK = String.join("\n",
            "  TCP: 10.1.1.3 -> 31.134.97.51",
            "    tos 0x00, ttl 64, length 60, checksum 0x3154",
            "    fragment id 0x7dab, flags DONT_FRAGMENT",
            "  TCP: 41084 -> 80",
            "    seq. 0x940482c0 ack 0x00000000",
            "    flags 0x02 SYN, tcp header: 40 bytes",
            "    window 29200, checksum 0x91d0");

    @Test
    void theRebuiltSynCarriesTheSeedsTcpChecksum() {
        byte[] syn = Packets.seedSyn();
        assertEquals(0xffff, Packets.tcpSum(syn, 14), "TCP checksum 0x91d0 verifies over the rebuilt options");
        assertEquals(0x91, syn[50] & 0xff);
        assertEquals(0xd0, syn[51] & 0xff);
        assertEquals(0xffff, Packets.sum(syn, 14, 20, 0), "IP header checksum 0x3154 verifies");
    }

    @Test
    void synFromThePodLeavesGigabitEthernetAsTheSeedShows() {
        try (SeedBox box = new SeedBox()) {
            byte[] syn = Packets.seedSyn();
            box.h.inject("ethernet-input", syn, box.tap2, true);
            box.h.run();

            assertEquals(1, box.gbeDevice.sent.size(), box.h.trace());
            byte[] out = box.gbeDevice.sent.get(0);
            assertEquals(74, out.length);
            assertArrayEquals(PacketFormat.parseHex(Packets.SYN_REWRITE_DUMP), Arrays.copyOf(out, 60));
            assertArrayEquals(Arrays.copyOfRange(syn, 60, 74), Arrays.copyOfRange(out, 60, 74));
            assertEquals(0x3f, out[22] & 0xff);
            assertEquals(0x3254, ((out[24] & 0xff) << 8) | (out[25] & 0xff));
            assertEquals(0, box.tapDevice.sent.size());

            Map<String, String> trace = box.traceOf(1);
            assertEquals(List.of("ethernet-input", "ip4-input", "ip4-lookup", "ip4-rewrite",
                    "GigabitEthernet0/8/0-output"), List.copyOf(trace.keySet()).subList(0, 5), box.h.trace());
            assertEquals("  IP4: 00:00:00:00:00:02 -> 02:fe:16:3f:5f:0f", trace.get("ethernet-input"));
            assertEquals(IP4_BLOCK, trace.get("ip4-input"));
            assertEquals("  fib 0 dpo-idx 1 flow hash: 0x00000000\n" + IP4_BLOCK, trace.get("ip4-lookup"));
            assertEquals(String.join("\n",
                    "  tx_sw_if_index 1 dpo-idx 1 : ipv4 via 192.168.16.100 GigabitEthernet0/8/0: "
                            + "08002702a536080027449fd80800 flow hash: 0x00000000",
                    "  00000000: 08002702a536080027449fd808004500003c7dab40003f0632540a0101031f86",
                    "  00000020: 6133a07c0050940482c000000000a002721091d00000020405b40402"),
                    trace.get("ip4-rewrite"));
            assertTrue(trace.get("GigabitEthernet0/8/0-output").startsWith(
                    "  GigabitEthernet0/8/0\n  IP4: 08:00:27:44:9f:d8 -> 08:00:27:02:a5:36\n  TCP: 10.1.1.3 -> 31.134.97.51\n"
                            + "    tos 0x00, ttl 63, length 60, checksum 0x3254"), trace.get("GigabitEthernet0/8/0-output"));
            assertEquals(1, box.interfaces.stats().get(box.gbe).txPackets());
            assertEquals(74, box.interfaces.stats().get(box.gbe).txBytes());
            assertEquals(0, box.h.outstanding());
        }
    }
}
