package io.sluice.packet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class PacketFormatTest {

    @Test
    void addressesFormatAndParse() {
        assertEquals("08:00:27:44:9f:d8", PacketFormat.formatMac(0x080027449fd8L));
        assertEquals("00:00:00:00:00:02", PacketFormat.formatMac(2));
        assertEquals(0x080027449fd8L, PacketFormat.parseMac("08:00:27:44:9f:d8"));
        assertEquals(0x080027449fd8L, PacketFormat.parseMac("8:0:27:44:9F:D8"));
        assertEquals(0x080027449fd8L, PacketFormat.parseMac("0800.2744.9fd8"));
        assertEquals("10.1.1.3", PacketFormat.formatIp4(0x0a010103));
        assertEquals("255.255.255.255", PacketFormat.formatIp4(-1));
        assertEquals(0xc0a81001, PacketFormat.parseIp4("192.168.16.1"));
        assertEquals(0, PacketFormat.parseIp4("0.0.0.0"));
    }

    @Test
    void malformedAddressesAreRefused() {
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1..2.3", "a.b.c.d", "1.2.3.4 "}) {
            assertThrows(IllegalArgumentException.class, () -> PacketFormat.parseIp4(bad), bad);
        }
        for (String bad : new String[] {"", "08:00:27:44:9f", "08:00:27:44:9f:d8:00", "100:00:27:44:9f:d8",
                "08-00-27-44-9f-d8", "0800.2744", "g8:00:27:44:9f:d8"}) {
            assertThrows(IllegalArgumentException.class, () -> PacketFormat.parseMac(bad), bad);
        }
    }

    @Test
    void tcpFlagNamesInBitOrder() {
        assertEquals("0x02 SYN", PacketFormat.appendTcpFlags(new StringBuilder(), Tcp.FLAG_SYN).toString());
        assertEquals("0x12 SYN ACK", PacketFormat.appendTcpFlags(new StringBuilder(), 0x12).toString());
        assertEquals("0xff FIN SYN RST PSH ACK URG ECE CWR",
                PacketFormat.appendTcpFlags(new StringBuilder(), 0xff).toString());
        assertEquals("0x00", PacketFormat.appendTcpFlags(new StringBuilder(), 0).toString());
    }

    @Test
    void namesFallBackToNumbers() {
        assertEquals("IP4", PacketFormat.etherTypeName(0x0800));
        assertEquals("VLAN", PacketFormat.etherTypeName(0x8100));
        assertEquals("0x0000", PacketFormat.etherTypeName(0));
        assertEquals("GRE", PacketFormat.ipProtocolName(47));
        assertEquals("unknown 99", PacketFormat.ipProtocolName(99));
    }

    /** A UDP datagram 10.1.1.3:68 -> 31.134.97.51:67 with 4 bytes of data; the IP header is fixed up per test. */
    private static MemorySegment udp(int flagsAndOffset) {
        MemorySegment seg = MemorySegment.ofArray(PacketFormat.parseHex(
                "45000020" + "0001" + String.format("%04x", flagsAndOffset) + "40110000" + "0a010103" + "1f866133"
                        + "00440043" + "000c1c4b" + "deadbeef"));
        Checksum.setIp4HeaderChecksum(seg, 0);
        return seg;
    }

    @Test
    void udpHeaderBlock() {
        MemorySegment seg = udp(0);
        assertEquals(String.join("\n",
                "UDP: 10.1.1.3 -> 31.134.97.51",
                "  tos 0x00, ttl 64, length 32, checksum 0x" + hex16(Ipv4.checksum(seg, 0)),
                "  fragment id 0x0001",
                "UDP: 68 -> 67",
                "  length 12, checksum 0x1c4b"),
                PacketFormat.appendIp4Header(seg, 0, 32, new StringBuilder()).toString());
    }

    @Test
    void firstFragmentShowsMoreFragmentsAndItsTransportHeader() {
        MemorySegment seg = udp(Ipv4.FLAG_MORE_FRAGMENTS);
        String text = PacketFormat.appendIp4Header(seg, 0, 32, new StringBuilder()).toString();
        assertEquals("  fragment id 0x0001, flags MORE_FRAGMENTS", text.split("\n")[2]);
        assertEquals("UDP: 68 -> 67", text.split("\n")[3]);
    }

    @Test
    void laterFragmentShowsItsOffsetAndNoTransportHeader() {
        MemorySegment seg = udp(185);
        String text = PacketFormat.appendIp4Header(seg, 0, 32, new StringBuilder()).toString();
        assertEquals(3, text.split("\n").length, text);
        assertEquals("  fragment id 0x0001 offset 1480", text.split("\n")[2]);
        seg = udp(Ipv4.FLAG_MORE_FRAGMENTS | 185);
        text = PacketFormat.appendIp4Header(seg, 0, 32, new StringBuilder()).toString();
        assertEquals("  fragment id 0x0001 offset 1480, flags MORE_FRAGMENTS", text.split("\n")[2]);
    }

    @Test
    void wrongChecksumAndUnusualHeaderLengthAreShown() {
        MemorySegment seg = udp(0);
        int right = Ipv4.checksum(seg, 0);
        Ipv4.setChecksum(seg, 0, 0x1111);
        String text = PacketFormat.appendIp4Header(seg, 0, 32, new StringBuilder()).toString();
        assertEquals("  tos 0x00, ttl 64, length 32, checksum 0x1111 (should be 0x" + hex16(right) + ")",
                text.split("\n")[1]);

        Ipv4.setVersionAndIhl(seg, 0, 0x46);
        Checksum.setIp4HeaderChecksum(seg, 0);
        text = PacketFormat.appendIp4Header(seg, 0, 32, new StringBuilder()).toString();
        assertEquals("  version 4, header length 24", text.split("\n")[1]);
    }

    @Test
    void truncatedHeadersSayWhich() {
        MemorySegment seg = udp(0);
        assertEquals("IP header truncated", PacketFormat.appendIp4Header(seg, 0, 19, new StringBuilder()).toString());
        String text = PacketFormat.appendIp4Header(seg, 0, 24, new StringBuilder()).toString();
        assertEquals("UDP header truncated", text.split("\n")[3]);
        text = PacketFormat.appendIp4Header(seg, 0, 20, new StringBuilder()).toString();
        assertEquals(3, text.split("\n").length, "nothing past the IP header when no bytes are left");

        byte[] syn = SeedPackets.synFromPod();
        text = PacketFormat.appendIp4Header(MemorySegment.ofArray(syn), 14, 30, new StringBuilder()).toString();
        assertEquals("TCP header truncated", text.split("\n")[3]);
    }

    @Test
    void unknownProtocolPrintsItsNumberAndNoTransportBlock() {
        MemorySegment seg = udp(0);
        Ipv4.setProtocol(seg, 0, 99);
        Checksum.setIp4HeaderChecksum(seg, 0);
        String text = PacketFormat.appendIp4Header(seg, 0, 32, new StringBuilder()).toString();
        assertEquals("unknown 99: 10.1.1.3 -> 31.134.97.51", text.split("\n")[0]);
        assertEquals(3, text.split("\n").length);
    }

    @Test
    void hexDumpShortAndLongForms() {
        byte[] bytes = new byte[33];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        MemorySegment seg = MemorySegment.ofArray(bytes);
        assertEquals("000102", PacketFormat.hexDump(seg, 0, 3, new StringBuilder(), 4).toString());
        assertEquals("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                PacketFormat.hexDump(seg, 0, 32, new StringBuilder(), 4).toString());
        assertEquals("00000000: 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
                        + "    00000020: 20",
                PacketFormat.hexDump(seg, 0, 33, new StringBuilder(), 4).toString());
        assertEquals("", PacketFormat.hexDump(seg, 0, 0, new StringBuilder(), 0).toString());
        assertEquals("0102", PacketFormat.hex(seg, 1, 2));
    }

    @Test
    void parseHexRefusesOddOrNonHexInput() {
        assertThrows(IllegalArgumentException.class, () -> PacketFormat.parseHex("abc"));
        assertThrows(IllegalArgumentException.class, () -> PacketFormat.parseHex("zz"));
        assertEquals(2, PacketFormat.parseHex("ab cd").length);
    }

    @Test
    void columnIsCharactersSinceTheLastNewline() {
        assertEquals(0, PacketFormat.column(new StringBuilder()));
        assertEquals(2, PacketFormat.column(new StringBuilder("  ")));
        assertEquals(4, PacketFormat.column(new StringBuilder("abc\n    ")));
    }

    private static String hex16(int v) {
        return String.format("%04x", v);
    }
}
