package io.sluice.nat44.internal;

import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Opaque;
import io.sluice.packet.api.Tcp;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static io.sluice.nat44.internal.Frames.ETH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * ICMP errors through the NAT nodes (RFC 5508 section 4.2, REQ-4): a time exceeded from an internet router about
 * a packet a pod sent reaches the pod translated back, quote included; errors about no session are dropped and
 * counted. Every checksum is checked here with a byte-by-byte RFC 1071 sum, independent of the packet api, and
 * the translated-back quote is compared with the bytes the pod sent.
 */
class Nat44IcmpErrorTest {
    private static final String OUT2IN = Nat44Out2InNode.NAME;
    private static final String SLOW = Nat44In2OutSlowPathNode.NAME;
    private static final String ROUTER = "192.168.16.100";

    /** The pod's packets: UDP (traceroute's mode), a TCP SYN, an ICMP echo request (traceroute -I, ping). */
    private static byte[][] podPackets() {
        return new byte[][] {
                Frames.udp("10.1.1.3", 41000, "203.0.113.51", 33434, 24, true),
                Frames.tcp("10.1.1.3", 41001, "203.0.113.51", 80, Tcp.FLAG_SYN),
                Frames.echo("10.1.1.3", "203.0.113.51", Icmp.TYPE_ECHO_REQUEST, 4242, 1)};
    }

    @Test
    void aTimeExceededAboutATranslatedPacketReachesThePodTranslatedBackWithValidChecksums() {
        for (int quoteBytes : new int[] {28, -1}) { // RFC 792's header + 8 bytes, and the whole packet (RFC 1812)
            for (byte[] sent : podPackets()) {
                try (TestBed bed = TestBed.inMemory()) {
                    bed.sendOut(sent, TestBed.TAP2);
                    byte[] translated = bed.gbeOutput.getLast().bytes();
                    assertNotEquals(Frames.ip("10.1.1.3"), Ipv4.src(Frames.seg(translated), ETH), "translated out");
                    int quoted = quoteBytes < 0 ? translated.length - ETH : quoteBytes;
                    byte[] error = Frames.icmpError(ROUTER, "192.168.16.1", Icmp.TYPE_TIME_EXCEEDED,
                            Icmp.CODE_TTL_EXCEEDED_IN_TRANSIT, translated, quoted);
                    bed.receive(error, TestBed.GBE);

                    assertEquals(1, bed.lookup.size(), "delivered towards the pod");
                    byte[] in = bed.lookup.getLast().bytes(); // from the IPv4 header
                    String what = "protocol " + sent[ETH + 9] + ", quote of " + quoted + " bytes";
                    assertEquals("10.1.1.3", ip(in, 16), what + ": outer destination is the pod");
                    assertEquals(ROUTER, ip(in, 12), what);
                    assertEquals(0xffff, sum(in, 0, 20, 0), what + ": outer IPv4 checksum");
                    int icmpLength = u16(in, 2) - 20;
                    assertEquals(0xffff, sum(in, 20, icmpLength, 0), what + ": ICMP checksum");
                    assertEquals(0xffff, sum(in, 28, 20, 0), what + ": quoted IPv4 checksum");
                    assertArrayEquals(Arrays.copyOfRange(sent, ETH, ETH + quoted), Arrays.copyOfRange(in, 28, 28 + quoted),
                            what + ": the quote is what the pod sent, its L4 checksum included");
                    if (quoteBytes < 0 && sent[ETH + 9] != Ipv4.PROTOCOL_ICMP) {
                        int l4Length = quoted - 20;
                        int pseudo = sum(in, 28 + 12, 8, 0) + sent[ETH + 9] + l4Length;
                        assertEquals(0xffff, sum(in, 48, l4Length, pseudo), what + ": quoted L4 checksum");
                    }
                    assertEquals(1, bed.error(OUT2IN, "out2in-packets"), what);
                }
            }
        }
    }

    /**
     * What out2in leaves for ip4-icmp-error: the destination a translated packet arrived with (the node IP and the
     * session's outside port), so the box's own error about it quotes what the sender sent; an ICMP error it
     * translated itself is marked as not to be quoted (no error is ever sent about an error anyway).
     */
    @Test
    void out2InLeavesTheArrivedDestinationInTheMetadata() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(podPackets()[0], TestBed.TAP2);
            byte[] translated = bed.gbeOutput.getLast().bytes();
            int outsidePort = u16(translated, ETH + 20);
            bed.receive(Frames.udp("203.0.113.51", 33434, "192.168.16.1", outsidePort, 8, true), TestBed.GBE);
            io.sluice.graph.runtime.GraphHarness.Captured in = bed.lookup.getLast();
            assertEquals("10.1.1.3", ip(in.bytes(), 16), "translated in");
            assertEquals(TestBed.NODE_IP, in.opaque()[Opaque.NAT_ARRIVED_DST_ADDRESS]);
            assertEquals(outsidePort, in.opaque()[Opaque.NAT_ARRIVED_DST_PORT]);

            bed.receive(Frames.icmpError(ROUTER, "192.168.16.1", Icmp.TYPE_TIME_EXCEEDED,
                    Icmp.CODE_TTL_EXCEEDED_IN_TRANSIT, translated, 28), TestBed.GBE);
            assertEquals(-1, bed.lookup.getLast().opaque()[Opaque.NAT_ARRIVED_DST_PORT]);
        }
    }

    @Test
    void anErrorToThePoolAboutNoSessionIsDroppedAndCounted() {
        try (TestBed bed = TestBed.inMemory()) {
            byte[] neverSent = Frames.udp("192.168.16.1", 55555, "203.0.113.51", 33434, 8, true);
            bed.receive(Frames.icmpError(ROUTER, "192.168.16.1", Icmp.TYPE_TIME_EXCEEDED,
                    Icmp.CODE_TTL_EXCEEDED_IN_TRANSIT, neverSent, 28), TestBed.GBE);
            bed.receive(Frames.icmpError(ROUTER, "192.168.16.1", Icmp.TYPE_DESTINATION_UNREACHABLE,
                    Icmp.CODE_FRAGMENTATION_NEEDED, neverSent, 28), TestBed.GBE);
            assertEquals(2, bed.error(OUT2IN, "icmp-no-session"));
            assertEquals(0, bed.lookup.size());
            assertEquals(2, bed.dropped.size());
        }
    }

    @Test
    void anErrorAboutAnExpiredSessionIsDroppedAndCounted() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(podPackets()[0], TestBed.TAP2);
            byte[] translated = bed.gbeOutput.getLast().bytes();
            bed.clock.addAndGet(3_600_000L); // an hour later: past every timeout, the session not yet swept
            bed.receive(Frames.icmpError(ROUTER, "192.168.16.1", Icmp.TYPE_TIME_EXCEEDED,
                    Icmp.CODE_TTL_EXCEEDED_IN_TRANSIT, translated, 28), TestBed.GBE);
            assertEquals(1, bed.error(OUT2IN, "icmp-no-session"));
            assertEquals(0, bed.lookup.size());
        }
    }

    @Test
    void anErrorNotToThePoolAboutNoSessionIsNotTheNatsBusiness() {
        try (TestBed bed = TestBed.inMemory()) {
            byte[] other = Frames.udp("198.51.100.9", 5000, "203.0.113.51", 33434, 8, true);
            bed.receive(Frames.icmpError(ROUTER, "198.51.100.9", Icmp.TYPE_TIME_EXCEEDED,
                    Icmp.CODE_TTL_EXCEEDED_IN_TRANSIT, other, 28), TestBed.GBE);
            assertEquals(0, bed.error(OUT2IN, "icmp-no-session"));
            assertEquals(1, bed.lookup.size(), "passed on untouched, for the ACL and the routing to decide");
        }
    }

    /** in2out: a pod's port unreachable about a packet that never came through the NAT is dropped. */
    @Test
    void aPodsErrorAboutNoSessionIsDroppedAndCounted() {
        try (TestBed bed = TestBed.inMemory()) {
            byte[] neverReceived = Frames.udp("7.7.7.7", 4444, "10.1.1.3", 53, 8, true);
            bed.sendOut(Frames.icmpError("10.1.1.3", "7.7.7.7", Icmp.TYPE_DESTINATION_UNREACHABLE,
                    Icmp.CODE_PORT_UNREACHABLE, neverReceived, 36), TestBed.TAP2);
            assertEquals(1, bed.error(SLOW, "icmp-no-session"));
            assertEquals(0, bed.gbeOutput.size());
        }
    }

    private static String ip(byte[] b, int at) {
        return (b[at] & 0xff) + "." + (b[at + 1] & 0xff) + "." + (b[at + 2] & 0xff) + "." + (b[at + 3] & 0xff);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    /** RFC 1071 one's complement sum of big-endian 16-bit words, a byte at a time. */
    private static int sum(byte[] b, int from, int length, int initial) {
        long s = initial;
        for (int i = 0; i < length; i += 2) {
            s += (b[from + i] & 0xff) << 8 | (i + 1 < length ? b[from + i + 1] & 0xff : 0);
        }
        while (s >>> 16 != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }
}
