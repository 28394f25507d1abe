package io.sluice.packet.api;

import static io.sluice.packet.api.SeedPackets.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Walks the seed's two packets through the header changes the box makes (TTL decrement, L2 rewrite,
 * source NAT out, destination NAT back) with the flyweights and RFC 1624 updates, in pool buffers, and
 * checks every checksum and every trace line against the seed.
 */
class SeedPacketTest {

    /** The seed's ip4-rewrite trace dumps this many bytes of the rewritten packet (ip4-rewrite's record keeps them). */
    private static final int REWRITE_TRACE_BYTES = 60;

    private BufferPool pool;
    private MemorySegment seg;

    @BeforeEach
    void createPool() {
        pool = new BufferPool(4);
        seg = pool.segment();
    }

    @AfterEach
    void closePool() {
        pool.close();
    }

    private int load(byte[] frame) {
        int bi = pool.alloc();
        pool.write(bi, frame, frame.length);
        return bi;
    }

    @Test
    void synFieldsParseAsTheSeedShows() {
        int bi = load(synFromPod());
        long eth = pool.dataOffset(bi);
        long ip = eth + Ethernet.HEADER_LENGTH;
        long tcp = Ipv4.payloadOffset(seg, ip);

        assertEquals(POD_MAC, Ethernet.src(seg, eth));
        assertEquals(TAP2_MAC, Ethernet.dst(seg, eth));
        assertEquals(Ethernet.TYPE_IP4, Ethernet.etherType(seg, eth));
        assertFalse(Ethernet.isTagged(seg, eth));
        assertEquals(Ethernet.HEADER_LENGTH, Ethernet.l3Offset(seg, eth));

        assertEquals(4, Ipv4.version(seg, ip));
        assertEquals(5, Ipv4.ihl(seg, ip));
        assertEquals(20, Ipv4.headerLength(seg, ip));
        assertEquals(0, Ipv4.tos(seg, ip));
        assertEquals(60, Ipv4.totalLength(seg, ip));
        assertEquals(0x7dab, Ipv4.id(seg, ip));
        assertTrue(Ipv4.dontFragment(seg, ip));
        assertFalse(Ipv4.moreFragments(seg, ip));
        assertFalse(Ipv4.isFragment(seg, ip));
        assertEquals(0, Ipv4.fragmentOffset(seg, ip));
        assertEquals(64, Ipv4.ttl(seg, ip));
        assertEquals(Ipv4.PROTOCOL_TCP, Ipv4.protocol(seg, ip));
        assertEquals(0x3154, Ipv4.checksum(seg, ip));
        assertEquals(POD_IP, Ipv4.src(seg, ip));
        assertEquals(SERVER_IP, Ipv4.dst(seg, ip));

        assertEquals(POD_PORT, Tcp.srcPort(seg, tcp));
        assertEquals(SERVER_PORT, Tcp.dstPort(seg, tcp));
        assertEquals(0x940482c0, Tcp.seq(seg, tcp));
        assertEquals(0, Tcp.ack(seg, tcp));
        assertEquals(10, Tcp.dataOffset(seg, tcp));
        assertEquals(40, Tcp.headerLength(seg, tcp));
        assertEquals(Tcp.FLAG_SYN, Tcp.flags(seg, tcp));
        assertEquals(29200, Tcp.window(seg, tcp));
        assertEquals(0x91d0, Tcp.checksum(seg, tcp));
        assertEquals(0, Tcp.urgentPointer(seg, tcp));
    }

    @Test
    void synChecksumsVerifyAndRecomputeToTheSeedValues() {
        int bi = load(synFromPod());
        long ip = pool.dataOffset(bi) + Ethernet.HEADER_LENGTH;
        assertTrue(Checksum.ip4HeaderChecksumValid(seg, ip));
        assertEquals(0x3154, Checksum.ip4HeaderChecksum(seg, ip));
        assertTrue(Checksum.tcpChecksumValid(seg, ip));
        assertEquals(0x91d0, Checksum.tcpChecksum(seg, ip));
    }

    @Test
    void ttlDecrementAndRewriteGiveTheSeedsIp4RewriteBytes() {
        int bi = load(synFromPod());
        long eth = pool.dataOffset(bi);
        long ip = eth + Ethernet.HEADER_LENGTH;

        assertEquals(63, Ipv4.decrementTtl(seg, ip));
        assertEquals(0x3254, Ipv4.checksum(seg, ip));
        assertEquals(Checksum.ip4HeaderChecksum(seg, ip), Ipv4.checksum(seg, ip), "incremental equals full");
        Ethernet.setDst(seg, eth, GATEWAY_MAC);
        Ethernet.setSrc(seg, eth, GBE_MAC);

        assertEquals(SYN_REWRITE_DUMP, PacketFormat.hex(seg, eth, REWRITE_TRACE_BYTES));
        StringBuilder trace = new StringBuilder("  ");
        PacketFormat.hexDump(seg, eth, REWRITE_TRACE_BYTES, trace);
        assertEquals(SYN_REWRITE_DUMP_TRACE, trace.toString());
    }

    @Test
    void sourceNatByIncrementalUpdateGivesTheSeedsGbeOutput() {
        int bi = load(synFromPod());
        long eth = pool.dataOffset(bi);
        long ip = eth + Ethernet.HEADER_LENGTH;
        long tcp = Ipv4.payloadOffset(seg, ip);
        Ipv4.decrementTtl(seg, ip);
        Ethernet.setDst(seg, eth, GATEWAY_MAC);
        Ethernet.setSrc(seg, eth, GBE_MAC);

        Ipv4.rewriteSrc(seg, ip, NODE_IP);
        Tcp.rewriteSrcPort(seg, tcp, NAT_PORT);

        assertEquals(0x6cae, Ipv4.checksum(seg, ip));
        assertEquals(0x07de, Tcp.checksum(seg, tcp));
        assertEquals(Checksum.ip4HeaderChecksum(seg, ip), Ipv4.checksum(seg, ip));
        assertEquals(Checksum.tcpChecksum(seg, ip), Tcp.checksum(seg, tcp));
        assertTrue(Checksum.tcpChecksumValid(seg, ip));

        StringBuilder trace = new StringBuilder("  GigabitEthernet0/8/0\n  ");
        PacketFormat.appendEthernetHeader(seg, eth, pool.length(bi), trace);
        assertEquals(SYN_GBE_OUTPUT, trace.toString());
    }

    @Test
    void synTraceLinesMatchTheSeed() {
        int bi = load(synFromPod());
        long eth = pool.dataOffset(bi);

        StringBuilder ethernetInput = new StringBuilder("  ");
        PacketFormat.appendEthernetHeader(seg, eth, 0, ethernetInput);
        assertEquals(SYN_ETHERNET_INPUT, ethernetInput.toString());

        StringBuilder ip4Input = new StringBuilder("  ");
        PacketFormat.appendIp4Header(seg, eth + Ethernet.HEADER_LENGTH, pool.length(bi) - Ethernet.HEADER_LENGTH,
                ip4Input);
        assertEquals(SYN_IP4_INPUT, ip4Input.toString());
    }

    @Test
    void synAckChecksumsVerifyAndTraceMatchesDpdkInput() {
        byte[] frame = synAckFromServer();
        int bi = load(frame);
        long eth = pool.dataOffset(bi);
        long ip = eth + Ethernet.HEADER_LENGTH;

        assertTrue(Checksum.ip4HeaderChecksumValid(seg, ip));
        assertEquals(0x239a, Checksum.ip4HeaderChecksum(seg, ip));
        assertTrue(Checksum.tcpChecksumValid(seg, ip));
        assertEquals(0xb12b, Checksum.tcpChecksum(seg, ip));
        assertEquals(Tcp.FLAG_SYN | Tcp.FLAG_ACK, Tcp.flags(seg, Ipv4.payloadOffset(seg, ip)));
        assertEquals(0x940482c1, Tcp.ack(seg, Ipv4.payloadOffset(seg, ip)));

        StringBuilder trace = new StringBuilder("  ");
        PacketFormat.appendEthernetHeader(seg, eth, frame.length, trace);
        assertEquals(SYN_ACK_DPDK_INPUT, trace.toString());
    }

    @Test
    void destinationNatAndRewriteOfTheSynAckMatchTheSeed() {
        int bi = load(synAckFromServer());
        long eth = pool.dataOffset(bi);
        long ip = eth + Ethernet.HEADER_LENGTH;
        long tcp = Ipv4.payloadOffset(seg, ip);

        // nat44-out2in
        Ipv4.rewriteDst(seg, ip, POD_IP);
        Tcp.rewriteDstPort(seg, tcp, POD_PORT);
        assertEquals(0xe93f, Ipv4.checksum(seg, ip));
        assertEquals(0x3b1e, Tcp.checksum(seg, tcp));
        assertEquals(Checksum.ip4HeaderChecksum(seg, ip), Ipv4.checksum(seg, ip));
        assertEquals(Checksum.tcpChecksum(seg, ip), Tcp.checksum(seg, tcp));

        StringBuilder lookup = new StringBuilder("  ");
        PacketFormat.appendIp4Header(seg, ip, Ipv4.totalLength(seg, ip), lookup);
        assertEquals(SYN_ACK_IP4_LOOKUP, lookup.toString());

        // ip4-rewrite towards tap2
        assertEquals(62, Ipv4.decrementTtl(seg, ip));
        assertEquals(0xea3f, Ipv4.checksum(seg, ip));
        Ethernet.setDst(seg, eth, POD_MAC);
        Ethernet.setSrc(seg, eth, TAP2_MAC);
        assertArrayEquals(PacketFormat.parseHex(SYN_ACK_REWRITE_DUMP),
                Arrays.copyOf(pool.toBytes(bi), REWRITE_TRACE_BYTES));
        StringBuilder dump = new StringBuilder("  ");
        PacketFormat.hexDump(seg, eth, REWRITE_TRACE_BYTES, dump);
        assertEquals(SYN_ACK_REWRITE_DUMP_TRACE, dump.toString());

        StringBuilder output = new StringBuilder("  tap2\n  ");
        PacketFormat.appendEthernetHeader(seg, eth, Ethernet.HEADER_LENGTH + Ipv4.totalLength(seg, ip), output);
        assertEquals(SYN_ACK_TAP2_OUTPUT, output.toString());
    }

    @Test
    void aTraceRecordCopyOfTheFirstBytesFormatsTheSame() {
        byte[] frame = synFromPod();
        byte[] record = Arrays.copyOfRange(frame, Ethernet.HEADER_LENGTH, Ethernet.HEADER_LENGTH + 64);
        StringBuilder fromRecord = new StringBuilder("  ");
        PacketFormat.appendIp4Header(MemorySegment.ofArray(record), 0, record.length, fromRecord);
        assertEquals(SYN_IP4_INPUT, fromRecord.toString());
    }
}
