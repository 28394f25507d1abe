package io.sluice.packet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class EthernetArpIcmpTest {

    // ---- Ethernet and 802.1Q / 802.1ad ----

    @Test
    void macAccessorsRoundTripAndCopy() {
        MemorySegment seg = MemorySegment.ofArray(new byte[Ethernet.HEADER_LENGTH + 6]);
        Ethernet.setDst(seg, 0, SeedPackets.GATEWAY_MAC);
        Ethernet.setSrc(seg, 0, SeedPackets.GBE_MAC);
        Ethernet.setEtherType(seg, 0, Ethernet.TYPE_ARP);
        assertEquals("08002702a536080027449fd80806", PacketFormat.hex(seg, 0, Ethernet.HEADER_LENGTH));
        assertEquals(SeedPackets.GATEWAY_MAC, Ethernet.dst(seg, 0));
        assertEquals(SeedPackets.GBE_MAC, Ethernet.src(seg, 0));
        Ethernet.copyMac(seg, Ethernet.SRC, seg, Ethernet.HEADER_LENGTH);
        assertEquals("080027449fd8", PacketFormat.hex(seg, Ethernet.HEADER_LENGTH, 6));
        Ethernet.setDst(seg, 0, Ethernet.BROADCAST);
        assertEquals("ffffffffffff", PacketFormat.hex(seg, 0, 6));
    }

    @Test
    void dot1qTagIsDetectedAndStepped() {
        MemorySegment seg = MemorySegment.ofArray(PacketFormat.parseHex(
                "02fe163f5f0f" + "000000000002" + "8100" + "a064" + "0800" + "45000014"));
        assertTrue(Ethernet.isTagged(seg, 0));
        assertEquals(Ethernet.TYPE_VLAN, Ethernet.etherType(seg, 0));
        assertEquals(100, Ethernet.vlanId(seg, 0));
        assertEquals(5, Ethernet.vlanPriority(seg, 0));
        assertEquals(Ethernet.TYPE_IP4, Ethernet.innerEtherType(seg, 0));
        assertEquals(1, Ethernet.vlanTagCount(seg, 0));
        assertEquals(Ethernet.TYPE_IP4, Ethernet.l3EtherType(seg, 0));
        assertEquals(18, Ethernet.l3Offset(seg, 0));
        assertEquals("IP4: 00:00:00:00:00:02 -> 02:fe:16:3f:5f:0f 802.1q vlan 100 priority 5",
                PacketFormat.appendEthernetHeader(seg, 0, 0, new StringBuilder()).toString());
    }

    @Test
    void qinqWithAn8021adOuterTag() {
        MemorySegment seg = MemorySegment.ofArray(PacketFormat.parseHex(
                "02fe163f5f0f" + "000000000002" + "88a8" + "100a" + "8100" + "0014" + "0806"));
        assertTrue(Ethernet.isVlanTpid(Ethernet.etherType(seg, 0)));
        assertEquals(10, Ethernet.vlanId(seg, 0));
        assertEquals(Ethernet.TYPE_VLAN, Ethernet.innerEtherType(seg, 0));
        assertEquals(2, Ethernet.vlanTagCount(seg, 0));
        assertEquals(Ethernet.TYPE_ARP, Ethernet.l3EtherType(seg, 0));
        assertEquals(22, Ethernet.l3Offset(seg, 0));
        assertEquals("ARP: 00:00:00:00:00:02 -> 02:fe:16:3f:5f:0f 802.1ad vlan 10 cfi 802.1ad vlan 20",
                PacketFormat.appendEthernetHeader(seg, 0, 0, new StringBuilder()).toString());
    }

    @Test
    void untaggedFrameAndUnknownEtherType() {
        MemorySegment seg = MemorySegment.ofArray(PacketFormat.parseHex(
                "ffffffffffff" + "000000000002" + "1234"));
        assertFalse(Ethernet.isTagged(seg, 0));
        assertEquals(0, Ethernet.vlanTagCount(seg, 0));
        assertEquals(14, Ethernet.l3Offset(seg, 0));
        assertEquals("0x1234: 00:00:00:00:00:02 -> ff:ff:ff:ff:ff:ff",
                PacketFormat.appendEthernetHeader(seg, 0, 0, new StringBuilder()).toString());
        assertEquals("ethernet header truncated",
                PacketFormat.appendEthernetHeader(seg, 0, 10, new StringBuilder()).toString());
    }

    // ---- ARP (RFC 826) ----

    @Test
    void arpRequestFieldsAndText() {
        byte[] frame = new byte[Ethernet.HEADER_LENGTH + Arp.LENGTH];
        MemorySegment seg = MemorySegment.ofArray(frame);
        Ethernet.setDst(seg, 0, Ethernet.BROADCAST);
        Ethernet.setSrc(seg, 0, SeedPackets.POD_MAC);
        Ethernet.setEtherType(seg, 0, Ethernet.TYPE_ARP);
        long arp = Ethernet.HEADER_LENGTH;
        Arp.setEthernetIp4(seg, arp, Arp.OP_REQUEST);
        Arp.setSenderMac(seg, arp, SeedPackets.POD_MAC);
        Arp.setSenderIp(seg, arp, SeedPackets.POD_IP);
        Arp.setTargetMac(seg, arp, 0);
        Arp.setTargetIp(seg, arp, 0x0a010101);

        assertEquals("0001080006040001" + "000000000002" + "0a010103" + "000000000000" + "0a010101",
                PacketFormat.hex(seg, arp, Arp.LENGTH));
        assertTrue(Arp.isEthernetIp4(seg, arp));
        assertEquals(Arp.HARDWARE_ETHERNET, Arp.hardwareType(seg, arp));
        assertEquals(Ethernet.TYPE_IP4, Arp.protocolType(seg, arp));
        assertEquals(6, Arp.hardwareLength(seg, arp));
        assertEquals(4, Arp.protocolLength(seg, arp));
        assertEquals(Arp.OP_REQUEST, Arp.opcode(seg, arp));
        assertEquals(SeedPackets.POD_MAC, Arp.senderMac(seg, arp));
        assertEquals(SeedPackets.POD_IP, Arp.senderIp(seg, arp));
        assertEquals(0L, Arp.targetMac(seg, arp));
        assertEquals(0x0a010101, Arp.targetIp(seg, arp));

        StringBuilder text = new StringBuilder("  ");
        PacketFormat.appendEthernetHeader(seg, 0, frame.length, text);
        assertEquals(String.join("\n",
                "  ARP: 00:00:00:00:00:02 -> ff:ff:ff:ff:ff:ff",
                "  request, type ethernet/IP4, address size 6/4",
                "  00:00:00:00:00:02/10.1.1.3 -> 00:00:00:00:00:00/10.1.1.1"), text.toString());

        Arp.setOpcode(seg, arp, Arp.OP_REPLY);
        assertEquals(Arp.OP_REPLY, Arp.opcode(seg, arp));
        seg.set(NetworkOrder.BYTE, arp + Arp.HARDWARE_LENGTH, (byte) 8);
        assertFalse(Arp.isEthernetIp4(seg, arp));
    }

    // ---- ICMP (RFC 792) ----

    /** An echo request 10.1.1.3 -> 8.8.8.8, id 0x1234, seq 1, 8 bytes of data. */
    private static MemorySegment echoRequest() {
        MemorySegment seg = MemorySegment.ofArray(new byte[20 + 16]);
        Ipv4.setVersionAndIhl(seg, 0, Ipv4.VERSION_IHL_NO_OPTIONS);
        Ipv4.setTotalLength(seg, 0, 36);
        Ipv4.setId(seg, 0, 0x4242);
        Ipv4.setFlagsAndFragmentOffset(seg, 0, Ipv4.FLAG_DONT_FRAGMENT);
        Ipv4.setTtl(seg, 0, 64);
        Ipv4.setProtocol(seg, 0, Ipv4.PROTOCOL_ICMP);
        Ipv4.setSrc(seg, 0, SeedPackets.POD_IP);
        Ipv4.setDst(seg, 0, 0x08080808);
        Checksum.setIp4HeaderChecksum(seg, 0);
        Icmp.setType(seg, 20, Icmp.TYPE_ECHO_REQUEST);
        Icmp.setCode(seg, 20, 0);
        Icmp.setEchoId(seg, 20, 0x1234);
        Icmp.setEchoSeq(seg, 20, 1);
        MemorySegment.copy(PacketFormat.parseHex("0001020304050607"), 0, seg, NetworkOrder.BYTE, 28, 8);
        Icmp.setChecksum(seg, 20, Icmp.computeChecksum(seg, 20, 16));
        return seg;
    }

    @Test
    void icmpEchoFieldsChecksumAndText() {
        MemorySegment seg = echoRequest();
        long icmp = Ipv4.payloadOffset(seg, 0);
        assertEquals(Icmp.TYPE_ECHO_REQUEST, Icmp.type(seg, icmp));
        assertEquals(0, Icmp.code(seg, icmp));
        assertEquals(0x1234, Icmp.echoId(seg, icmp));
        assertEquals(1, Icmp.echoSeq(seg, icmp));
        assertTrue(Icmp.isEcho(Icmp.type(seg, icmp)));
        assertFalse(Icmp.isError(Icmp.type(seg, icmp)));
        assertTrue(Icmp.checksumValid(seg, icmp, 16));
        byte[] bytes = seg.toArray(NetworkOrder.BYTE);
        assertEquals(0xffff, ReferenceChecksum.sum(bytes, 20, 16), "the stored checksum makes the sum -0");

        String checksum = Integer.toHexString(Icmp.checksum(seg, icmp));
        assertEquals(String.join("\n",
                "ICMP: 10.1.1.3 -> 8.8.8.8",
                "  tos 0x00, ttl 64, length 36, checksum 0x" + String.format("%04x", Ipv4.checksum(seg, 0)),
                "  fragment id 0x4242, flags DONT_FRAGMENT",
                "ICMP echo_request checksum 0x" + checksum),
                PacketFormat.appendIp4Header(seg, 0, 36, new StringBuilder()).toString());
    }

    @Test
    void icmpEchoIdRewriteIsIncremental() {
        MemorySegment seg = echoRequest();
        Icmp.rewriteEchoId(seg, 20, 16, 0xbeef);
        assertEquals(0xbeef, Icmp.echoId(seg, 20));
        assertEquals(Icmp.computeChecksum(seg, 20, 16), Icmp.checksum(seg, 20));
        assertTrue(Icmp.checksumValid(seg, 20, 16));
    }

    @Test
    void icmpEchoIdRewriteToAnAllZeroReplyGivesChecksumFfff() {
        // Found by SeedGraphFuzzTest (bench): a reply with identifier 0, sequence 0 and no data sums to +0.
        MemorySegment seg = MemorySegment.ofArray(new byte[20 + 8]);
        Icmp.setType(seg, 20, Icmp.TYPE_ECHO_REPLY);
        Icmp.setEchoId(seg, 20, 0x9c40);
        Icmp.setChecksum(seg, 20, Icmp.computeChecksum(seg, 20, 8));
        Icmp.rewriteEchoId(seg, 20, 8, 0);
        assertEquals(0xffff, Icmp.checksum(seg, 20));
        assertTrue(Icmp.checksumValid(seg, 20, 8));
    }

    @Test
    void icmpEchoIdRewriteKeepsZeroWhenTheWordsSumToMinusZero() {
        MemorySegment seg = MemorySegment.ofArray(new byte[20 + 8]);
        Icmp.setType(seg, 20, Icmp.TYPE_ECHO_REPLY);
        Icmp.setEchoId(seg, 20, 0x1234);
        Icmp.setEchoSeq(seg, 20, 0xffff - 0x4321);
        Icmp.setChecksum(seg, 20, Icmp.computeChecksum(seg, 20, 8));
        Icmp.rewriteEchoId(seg, 20, 8, 0x4321);
        assertEquals(0, Icmp.checksum(seg, 20));
        assertTrue(Icmp.checksumValid(seg, 20, 8));
    }

    @Test
    void icmpErrorQuotesTheInvokingDatagram() {
        byte[] synAck = SeedPackets.synAckFromServer();
        MemorySegment seg = MemorySegment.ofArray(new byte[20 + 8 + 28]);
        Ipv4.setVersionAndIhl(seg, 0, Ipv4.VERSION_IHL_NO_OPTIONS);
        Ipv4.setTotalLength(seg, 0, 56);
        Ipv4.setTtl(seg, 0, 255);
        Ipv4.setProtocol(seg, 0, Ipv4.PROTOCOL_ICMP);
        Ipv4.setSrc(seg, 0, SeedPackets.NODE_IP);
        Ipv4.setDst(seg, 0, SeedPackets.SERVER_IP);
        Checksum.setIp4HeaderChecksum(seg, 0);
        Icmp.setType(seg, 20, Icmp.TYPE_TIME_EXCEEDED);
        Icmp.setCode(seg, 20, Icmp.CODE_TTL_EXCEEDED_IN_TRANSIT);
        MemorySegment.copy(synAck, 14, seg, NetworkOrder.BYTE, 28, 28);
        Icmp.setChecksum(seg, 20, Icmp.computeChecksum(seg, 20, 36));

        assertTrue(Icmp.isError(Icmp.type(seg, 20)));
        long quoted = Icmp.embeddedIpOffset(20);
        assertEquals(28, quoted);
        assertEquals(SeedPackets.SERVER_IP, Ipv4.src(seg, quoted));
        assertEquals(SeedPackets.NODE_IP, Ipv4.dst(seg, quoted));
        assertEquals(Ipv4.PROTOCOL_TCP, Ipv4.protocol(seg, quoted));
        assertEquals(25801, Tcp.dstPort(seg, Ipv4.payloadOffset(seg, quoted)));
        assertTrue(Icmp.checksumValid(seg, 20, 36));

        StringBuilder text = new StringBuilder();
        PacketFormat.appendIcmpHeader(seg, 20, 36, text);
        assertEquals("ICMP time_exceeded ttl_exceeded_in_transit checksum 0x"
                + Integer.toHexString(Icmp.checksum(seg, 20)), text.toString());
    }
}
