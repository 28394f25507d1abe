package io.sluice.packet.api;

/**
 * The two packets of /work/shared/seed/POD_TO_INTERNET.md, as bytes, with the trace text the seed prints
 * for them. Shared by the flyweight, checksum and format tests.
 */
final class SeedPackets {

    static final int POD_IP = 0x0a010103;          // 10.1.1.3
    static final int SERVER_IP = 0x1f866133;       // 31.134.97.51
    static final int NODE_IP = 0xc0a81001;         // 192.168.16.1
    static final int POD_PORT = 41084;
    static final int NAT_PORT = 25801;
    static final int SERVER_PORT = 80;

    static final long POD_MAC = 0x000000000002L;   // 00:00:00:00:00:02
    static final long TAP2_MAC = 0x02fe163f5f0fL;  // 02:fe:16:3f:5f:0f
    static final long GBE_MAC = 0x080027449fd8L;   // 08:00:27:44:9f:d8
    static final long GATEWAY_MAC = 0x08002702a536L; // 08:00:27:02:a5:36, 192.168.16.100

    /** The seed's ip4-rewrite dump of the SYN: the first 60 of 74 bytes after TTL decrement and L2 rewrite. */
    static final String SYN_REWRITE_DUMP =
            "08002702a536080027449fd808004500003c7dab40003f0632540a0101031f86"
            + "6133a07c0050940482c000000000a002721091d00000020405b40402";

    /** The seed's ip4-rewrite dump of the SYN-ACK after NAT, TTL decrement and L2 rewrite (58 bytes + 2 padding). */
    static final String SYN_ACK_REWRITE_DUMP =
            "00000000000202fe163f5f0f08004500002c06d000003e06ea3f1f8661330a01"
            + "01030050a07cc9a75001940482c16012ffff3b1e0000020405b40000";

    static final String SYN_REWRITE_DUMP_TRACE = String.join("\n",
            "  00000000: 08002702a536080027449fd808004500003c7dab40003f0632540a0101031f86",
            "  00000020: 6133a07c0050940482c000000000a002721091d00000020405b40402");

    static final String SYN_ACK_REWRITE_DUMP_TRACE = String.join("\n",
            "  00000000: 00000000000202fe163f5f0f08004500002c06d000003e06ea3f1f8661330a01",
            "  00000020: 01030050a07cc9a75001940482c16012ffff3b1e0000020405b40000");

    /** ip4-input and ip4-lookup of the SYN, as the seed prints them (two-space node indent). */
    static final String SYN_IP4_INPUT = String.join("\n",
            "  TCP: 10.1.1.3 -> 31.134.97.51",
            "    tos 0x00, ttl 64, length 60, checksum 0x3154",
            "    fragment id 0x7dab, flags DONT_FRAGMENT",
            "  TCP: 41084 -> 80",
            "    seq. 0x940482c0 ack 0x00000000",
            "    flags 0x02 SYN, tcp header: 40 bytes",
            "    window 29200, checksum 0x91d0");

    /** ethernet-input of the SYN. */
    static final String SYN_ETHERNET_INPUT = "  IP4: 00:00:00:00:00:02 -> 02:fe:16:3f:5f:0f";

    /** GigabitEthernet0/8/0-output of the SYN after source NAT. */
    static final String SYN_GBE_OUTPUT = String.join("\n",
            "  GigabitEthernet0/8/0",
            "  IP4: 08:00:27:44:9f:d8 -> 08:00:27:02:a5:36",
            "  TCP: 192.168.16.1 -> 31.134.97.51",
            "    tos 0x00, ttl 63, length 60, checksum 0x6cae",
            "    fragment id 0x7dab, flags DONT_FRAGMENT",
            "  TCP: 25801 -> 80",
            "    seq. 0x940482c0 ack 0x00000000",
            "    flags 0x02 SYN, tcp header: 40 bytes",
            "    window 29200, checksum 0x07de");

    /** The Ethernet and IPv4 part of dpdk-input for the SYN-ACK. */
    static final String SYN_ACK_DPDK_INPUT = String.join("\n",
            "  IP4: 08:00:27:02:a5:36 -> 08:00:27:44:9f:d8",
            "  TCP: 31.134.97.51 -> 192.168.16.1",
            "    tos 0x00, ttl 63, length 44, checksum 0x239a",
            "    fragment id 0x06d0",
            "  TCP: 80 -> 25801",
            "    seq. 0xc9a75001 ack 0x940482c1",
            "    flags 0x12 SYN ACK, tcp header: 24 bytes",
            "    window 65535, checksum 0xb12b");

    /** ip4-lookup of the SYN-ACK, after nat44-out2in. */
    static final String SYN_ACK_IP4_LOOKUP = String.join("\n",
            "  TCP: 31.134.97.51 -> 10.1.1.3",
            "    tos 0x00, ttl 63, length 44, checksum 0xe93f",
            "    fragment id 0x06d0",
            "  TCP: 80 -> 41084",
            "    seq. 0xc9a75001 ack 0x940482c1",
            "    flags 0x12 SYN ACK, tcp header: 24 bytes",
            "    window 65535, checksum 0x3b1e");

    /** tap2-output of the SYN-ACK. */
    static final String SYN_ACK_TAP2_OUTPUT = String.join("\n",
            "  tap2",
            "  IP4: 02:fe:16:3f:5f:0f -> 00:00:00:00:00:02",
            "  TCP: 31.134.97.51 -> 10.1.1.3",
            "    tos 0x00, ttl 62, length 44, checksum 0xea3f",
            "    fragment id 0x06d0",
            "  TCP: 80 -> 41084",
            "    seq. 0xc9a75001 ack 0x940482c1",
            "    flags 0x12 SYN ACK, tcp header: 24 bytes",
            "    window 65535, checksum 0x3b1e");

    private SeedPackets() {
    }

    /**
     * The SYN as the pod sent it (74 bytes): pod MAC to tap2's MAC, TTL 64, IP checksum 0x3154.
     *
     * <p>The seed shows bytes 0..59 only. Bytes 60..73 are the rest of the 20 bytes of options Linux puts
     * in a SYN after MSS and SACK-permitted: timestamps (kind 8, length 10; TSecr 0 in a SYN), NOP, window
     * scale 7. The seed does not show the timestamp value, so its high half is solved here with
     * {@link ReferenceChecksum} (an independent bytewise implementation) so that the seed's TCP checksum
     * 0x91d0 holds; the low half is left 0.
     */
    static byte[] synFromPod() {
        byte[] frame = new byte[74];
        byte[] shown = PacketFormat.parseHex(SYN_REWRITE_DUMP);
        System.arraycopy(shown, 0, frame, 0, shown.length);
        byte[] tail = PacketFormat.parseHex("080a" + "00000000" + "00000000" + "01" + "030307");
        System.arraycopy(tail, 0, frame, 60, tail.length);
        // undo ip4-rewrite: the pod-side L2 header, TTL 64 and its checksum
        putMac(frame, 0, TAP2_MAC);
        putMac(frame, 6, POD_MAC);
        frame[14 + 8] = 64;
        frame[14 + 10] = 0x31;
        frame[14 + 11] = 0x54;
        int tsValHigh = 0xffff - ReferenceChecksum.tcpSum(frame, 14);
        frame[62] = (byte) (tsValHigh >>> 8);
        frame[63] = (byte) tsValHigh;
        return frame;
    }

    /**
     * The SYN-ACK as it arrived on the GbE port (60 bytes on the wire: 58 of frame, 2 of padding), built from
     * the dpdk-input trace fields; its TCP option is MSS 1460, as the seed's second dump shows.
     */
    static byte[] synAckFromServer() {
        return PacketFormat.parseHex(
                "080027449fd8" + "08002702a536" + "0800"
                        + "4500002c" + "06d00000" + "3f06239a" + "1f866133" + "c0a81001"
                        + "005064c9" + "c9a75001" + "940482c1" + "6012ffff" + "b12b0000" + "020405b4"
                        + "0000");
    }

    static void putMac(byte[] frame, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            frame[at + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }
}
