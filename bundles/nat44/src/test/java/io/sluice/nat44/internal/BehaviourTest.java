package io.sluice.nat44.internal;

import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.Icmp;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Tcp;
import io.sluice.packet.api.Udp;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NAT44 behaviour through the nodes: mappings, filtering, ICMP, timeouts, limits, counters. */
class BehaviourTest {
    private static final String SLOW = Nat44In2OutSlowPathNode.NAME;
    private static final String OUT2IN = Nat44Out2InNode.NAME;

    private static MemorySegment lastOut(TestBed bed) {
        return MemorySegment.ofArray(bed.gbeOutput.getLast().bytes());
    }

    private static MemorySegment lastIn(TestBed bed) {
        return MemorySegment.ofArray(bed.lookup.getLast().bytes());
    }

    @Test
    void twoFlowsOfOneEndpointAreTwoSessionsOnOneOutsidePortAndAStrangerIsFiltered() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "8.8.8.8", 53, 10, true), TestBed.TAP2);
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "9.9.9.9", 53, 10, true), TestBed.TAP2);
            int first = Udp.srcPort(MemorySegment.ofArray(bed.gbeOutput.get(0).bytes()), 34);
            int second = Udp.srcPort(lastOut(bed), 34);
            assertEquals(first, second, "same inside endpoint, same outside endpoint whatever the destination");
            SessionTable table = bed.dataplane.table();
            long inKey = SessionTable.key(ip("10.1.1.3"), 5000, 17);
            int toFirst = table.lookupIn2Out(inKey, ip("8.8.8.8"), 53);
            int toSecond = table.lookupIn2Out(inKey, ip("9.9.9.9"), 53);
            assertTrue(toFirst >= 0 && toSecond >= 0 && toFirst != toSecond, "a session per flow");
            assertEquals(2, table.count());
            assertEquals(2, bed.error(SLOW, "sessions-created"));
            // Each server's reply comes back on its own session.
            bed.receive(Frames.udp("9.9.9.9", 53, "192.168.16.1", first, 10, true), TestBed.GBE);
            assertEquals(ip("10.1.1.3"), Ipv4.dst(lastIn(bed), 0));
            assertEquals(2, table.packets(toSecond), "the reply counted on the second flow's session");
            // A third host, never contacted, is filtered (address-and-port-dependent, RFC 4787 REQ-8)...
            int lookups = bed.lookup.size();
            bed.receive(Frames.udp("1.2.3.4", 7777, "192.168.16.1", first, 10, true), TestBed.GBE);
            assertEquals(lookups, bed.lookup.size(), "not forwarded");
            assertEquals(1, bed.error(OUT2IN, "filtered"));
            assertEquals(OUT2IN + ": filtered", bed.harness.errorName(bed.dropped.get(bed.dropped.size() - 1)),
                    "the dropped packet carries the counter that counted it (the pcap drop comment)");
            // ...and so is a contacted server from another port.
            bed.receive(Frames.udp("8.8.8.8", 5353, "192.168.16.1", first, 10, true), TestBed.GBE);
            assertEquals(2, bed.error(OUT2IN, "filtered"));
            assertEquals(lookups, bed.lookup.size());
            assertEquals(2, table.count(), "no session made for them");
        }
    }

    @Test
    void withEndpointIndependentFilteringAStrangerOpensItsOwnSession() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.policy(Timeouts.DEFAULTS, 10_000, List.of(), true);
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "8.8.8.8", 53, 10, true), TestBed.TAP2);
            int port = Udp.srcPort(lastOut(bed), 34);
            bed.receive(Frames.udp("1.2.3.4", 7777, "192.168.16.1", port, 10, true), TestBed.GBE);
            assertEquals(ip("10.1.1.3"), Ipv4.dst(lastIn(bed), 0));
            assertEquals(5000, Udp.dstPort(lastIn(bed), 20));
            assertTrue(Frames.checksumsValid(lastIn(bed), 0));
            assertEquals(0, bed.error(OUT2IN, "filtered"));
            assertEquals(1, bed.error(OUT2IN, "mapping-sessions-created"));
            SessionTable table = bed.dataplane.table();
            int stranger = table.lookupOut2In(SessionTable.key(TestBed.NODE_IP, port, 17), ip("1.2.3.4"), 7777);
            assertTrue(stranger >= 0, "the stranger's flow has its session");
            assertEquals(SessionTable.key(ip("10.1.1.3"), 5000, 17), table.inKey(stranger));
            // The inside host's answer to it leaves from the same outside endpoint, on that session.
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "1.2.3.4", 7777, 10, true), TestBed.TAP2);
            assertEquals(port, Udp.srcPort(lastOut(bed), 34));
            assertEquals(2, table.count());
        }
    }

    @Test
    void aFreeInsidePortIsPreserved() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(Frames.udp("10.1.1.3", 41234, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            assertEquals(41234, Udp.srcPort(lastOut(bed), 34));
            // Another inside host on the same port: taken, so a port from the pool.
            bed.sendOut(Frames.udp("10.1.1.4", 41234, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            assertNotEquals(41234, Udp.srcPort(lastOut(bed), 34));
        }
    }

    @Test
    void portsAreInTheDynamicRangeDistinctAndNotSequential() {
        try (TestBed bed = TestBed.inMemory()) {
            // Ports another inside host holds already: none can be preserved, each comes from the allocator.
            for (int i = 0; i < 200; i++) {
                bed.sendOut(Frames.udp("10.1.1.9", 10_000 + i, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            }
            Set<Integer> ports = new HashSet<>();
            int sequential = 0;
            int previous = -1;
            for (int i = 0; i < 200; i++) {
                bed.sendOut(Frames.udp("10.1.1.3", 10_000 + i, "8.8.8.8", 53, 4, true), TestBed.TAP2);
                int port = Udp.srcPort(lastOut(bed), 34);
                assertTrue(port >= 1024 && port <= 65535, "port " + port);
                assertTrue(ports.add(port), "port " + port + " allocated twice");
                if (port == previous + 1) {
                    sequential++;
                }
                previous = port;
            }
            assertTrue(sequential < 5, "ports look sequential: " + sequential);
        }
    }

    @Test
    void udpChecksumZeroStaysZeroBothWays() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(Frames.udp("10.1.1.3", 4000, "8.8.8.8", 53, 9, false), TestBed.TAP2);
            MemorySegment out = lastOut(bed);
            assertEquals(0, Udp.checksum(out, 34));
            assertTrue(io.sluice.packet.api.Checksum.ip4HeaderChecksumValid(out, 14));
            bed.receive(Frames.udp("8.8.8.8", 53, "192.168.16.1", Udp.srcPort(out, 34), 9, false), TestBed.GBE);
            assertEquals(0, Udp.checksum(lastIn(bed), 20));
        }
    }

    @Test
    void truncatedHeadersAreDroppedNotRewrittenPastTheirEnd() {
        // Found by SeedGraphFuzzTest (bench): a TCP packet ending 8 bytes into its header was translated, its
        // checksum written at byte 16 of a header the packet does not have. Each protocol's header must be whole.
        try (TestBed bed = TestBed.inMemory()) {
            int[][] cases = {{Ipv4.PROTOCOL_TCP, 8}, {Ipv4.PROTOCOL_TCP, 19}, {Ipv4.PROTOCOL_UDP, 7},
                {Ipv4.PROTOCOL_ICMP, 4}};
            for (int[] c : cases) {
                byte[] cut = Frames.ipv4(c[0], "10.1.1.3", "1.1.1.1", c[1]);
                cut[34] = (byte) (c[0] == Ipv4.PROTOCOL_ICMP ? Icmp.TYPE_ECHO_REQUEST : 0x9c);
                cut[36] = 0x01;
                bed.sendOut(cut, TestBed.TAP2);
            }
            assertEquals(0, bed.gbeOutput.size(), "nothing left untranslated or translated past its end");
            assertEquals(cases.length, bed.error(Nat44In2OutSlowPathNode.NAME, "truncated"));
            assertEquals(0, bed.error(Nat44In2OutSlowPathNode.NAME, "sessions-created"));
        }
    }

    @Test
    void anAllZeroEchoReplyGetsChecksumFfffWhenItsIdentifierIsTranslatedBack() {
        // Found by SeedGraphFuzzTest (bench): identifier 0, sequence 0, zero data. Patched by RFC 1624 equation 3
        // the reply's checksum came out 0x0000; its words sum to +0, so it must be 0xffff.
        try (TestBed bed = TestBed.inMemory()) {
            bed.dataplane.forceNextPort(40000);
            bed.sendOut(Frames.echo("10.1.1.3", "1.1.1.1", Icmp.TYPE_ECHO_REQUEST, 0, 0), TestBed.TAP2);
            assertEquals(40000, Icmp.echoId(lastOut(bed), 34));
            bed.receive(Frames.echo("1.1.1.1", "192.168.16.1", Icmp.TYPE_ECHO_REPLY, 40000, 0), TestBed.GBE);
            assertEquals(0, Icmp.echoId(lastIn(bed), 20));
            assertEquals(0xffff, Icmp.checksum(lastIn(bed), 20));
            assertTrue(Frames.checksumsValid(lastIn(bed), 0));
        }
    }

    @Test
    void icmpEchoIdentifierIsTranslated() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.dataplane.forceNextPort(40000);
            bed.sendOut(Frames.echo("10.1.1.3", "1.1.1.1", Icmp.TYPE_ECHO_REQUEST, 77, 1), TestBed.TAP2);
            MemorySegment out = lastOut(bed);
            assertEquals(TestBed.NODE_IP, Ipv4.src(out, 14));
            assertEquals(40000, Icmp.echoId(out, 34));
            assertTrue(Frames.checksumsValid(out, 14));
            bed.receive(Frames.echo("1.1.1.1", "192.168.16.1", Icmp.TYPE_ECHO_REPLY, 40000, 1), TestBed.GBE);
            assertEquals(ip("10.1.1.3"), Ipv4.dst(lastIn(bed), 0));
            assertEquals(77, Icmp.echoId(lastIn(bed), 20));
            assertTrue(Frames.checksumsValid(lastIn(bed), 0));
        }
    }

    @Test
    void icmpErrorFromOutsideIsTranslatedWithItsQuotedPacket() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.dataplane.forceNextPort(25801); // not the inside port, so the quoted port is translated too
            bed.sendOut(Frames.udp("10.1.1.3", 6000, "8.8.4.4", 33434, 8, true), TestBed.TAP2);
            byte[] translated = bed.gbeOutput.getLast().bytes();
            int port = Udp.srcPort(MemorySegment.ofArray(translated), 34);
            byte[] error = Frames.icmpError("8.8.4.4", "192.168.16.1", Icmp.TYPE_DESTINATION_UNREACHABLE,
                    Icmp.CODE_PORT_UNREACHABLE, translated, 28 + 8);
            bed.receive(error, TestBed.GBE);
            MemorySegment in = lastIn(bed);
            assertEquals(ip("10.1.1.3"), Ipv4.dst(in, 0));
            assertTrue(Frames.checksumsValid(in, 0));
            long inner = 28;
            assertEquals(ip("10.1.1.3"), Ipv4.src(in, inner));
            assertEquals(6000, Udp.srcPort(in, inner + 20));
            assertTrue(io.sluice.packet.api.Checksum.ip4HeaderChecksumValid(in, inner));
            assertTrue(io.sluice.packet.api.Checksum.udpChecksumValid(in, inner), "quoted UDP checksum patched");
            assertNotEquals(port, Udp.srcPort(in, inner + 20));
        }
    }

    @Test
    void badIcmpErrorToThePoolIsDroppedAndCounted() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(Frames.udp("10.1.1.3", 6000, "8.8.4.4", 33434, 8, true), TestBed.TAP2);
            byte[] error = Frames.icmpError("8.8.4.4", "192.168.16.1", Icmp.TYPE_DESTINATION_UNREACHABLE,
                    Icmp.CODE_PORT_UNREACHABLE, bed.gbeOutput.getLast().bytes(), 36);
            error[error.length - 1] ^= 0x55; // checksum no longer matches
            bed.receive(error, TestBed.GBE);
            assertEquals(1, bed.error(OUT2IN, "bad-icmp"));
            assertEquals(0, bed.lookup.size());
            assertEquals(1, bed.dropped.size());
        }
    }

    @Test
    void icmpErrorFromAnInsideHostAboutAMappedFlow() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.policy(Timeouts.DEFAULTS, 100, List.of(Nat44Settings.parseMapping("static udp 10.1.1.5:53 192.168.16.1:53")));
            byte[] query = Frames.udp("7.7.7.7", 4444, "192.168.16.1", 53, 8, true);
            bed.receive(query, TestBed.GBE);
            byte[] delivered = bed.lookup.getLast().bytes(); // IP packet, now to 10.1.1.5:53
            byte[] quotedFrame = new byte[14 + delivered.length];
            System.arraycopy(delivered, 0, quotedFrame, 14, delivered.length);
            byte[] error = Frames.icmpError("10.1.1.5", "7.7.7.7", Icmp.TYPE_DESTINATION_UNREACHABLE,
                    Icmp.CODE_PORT_UNREACHABLE, quotedFrame, 36);
            bed.sendOut(error, TestBed.TAP2);
            MemorySegment out = lastOut(bed);
            assertEquals(TestBed.NODE_IP, Ipv4.src(out, 14));
            assertEquals(TestBed.NODE_IP, Ipv4.dst(out, 14 + 28));
            assertEquals(53, Udp.dstPort(out, 14 + 48));
            assertTrue(Frames.checksumsValid(out, 14));
        }
    }

    @Test
    void staticMappingOut2InOnlyAndIdentity() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.policy(Timeouts.DEFAULTS, 100, List.of(
                    Nat44Settings.parseMapping("static tcp 10.1.1.7:8080 192.168.16.1:80 out2in-only"),
                    Nat44Settings.parseMapping("identity udp 192.168.16.1:4789")));
            bed.receive(Frames.tcp("5.5.5.5", 3333, "192.168.16.1", 80, Tcp.FLAG_SYN), TestBed.GBE);
            assertEquals(ip("10.1.1.7"), Ipv4.dst(lastIn(bed), 0));
            assertEquals(8080, Tcp.dstPort(lastIn(bed), 20));
            assertTrue(Frames.checksumsValid(lastIn(bed), 0));
            // the reply goes out as the mapping's external endpoint
            bed.sendOut(Frames.tcp("10.1.1.7", 8080, "5.5.5.5", 3333, Tcp.FLAG_SYN | Tcp.FLAG_ACK), TestBed.TAP2);
            assertEquals(80, Tcp.srcPort(lastOut(bed), 34));
            // out2in-only: a connection the host opens itself gets a dynamic port, not 80
            bed.sendOut(Frames.tcp("10.1.1.7", 8080, "6.6.6.6", 443, Tcp.FLAG_SYN), TestBed.TAP2);
            assertEquals(80, Tcp.srcPort(lastOut(bed), 34), "same inside endpoint keeps its (static) session");
            bed.sendOut(Frames.tcp("10.1.1.7", 9090, "6.6.6.6", 443, Tcp.FLAG_SYN), TestBed.TAP2);
            assertTrue(Tcp.srcPort(lastOut(bed), 34) >= 1024);
            assertNotEquals(80, Tcp.srcPort(lastOut(bed), 34));
            // identity: VXLAN to the node address passes untouched, and the dynamic allocator never hands out 4789
            byte[] vxlan = Frames.udp("192.168.16.2", 4789, "192.168.16.1", 4789, 50, true);
            bed.receive(vxlan.clone(), TestBed.GBE);
            assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOfRange(vxlan, 14, vxlan.length)),
                    java.util.Arrays.toString(bed.lookup.getLast().bytes()));
            assertTrue(bed.dataplane.ports().isUsed(0, PortAllocator.UDP, 4789));
        }
    }

    @Test
    void hairpinningBetweenTwoInsideHosts() {
        try (TestBed bed = TestBed.inMemory()) {
            // B (10.1.1.4:7000) talks out first, so it has a public endpoint
            bed.sendOut(Frames.udp("10.1.1.4", 7000, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            int portB = Udp.srcPort(lastOut(bed), 34);
            // A (10.1.1.3:6000) sends to B's public endpoint, entering on the inside interface
            bed.receive(Frames.udp("10.1.1.3", 6000, "192.168.16.1", portB, 4, true), TestBed.TAP2);
            MemorySegment toB = lastIn(bed);
            assertEquals(ip("10.1.1.4"), Ipv4.dst(toB, 0));
            assertEquals(7000, Udp.dstPort(toB, 20));
            assertEquals(TestBed.NODE_IP, Ipv4.src(toB, 0), "B sees A's public endpoint");
            int portA = Udp.srcPort(toB, 20);
            assertTrue(Frames.checksumsValid(toB, 0));
            // B answers A's public endpoint: hairpinned back to A, from B's public endpoint
            bed.receive(Frames.udp("10.1.1.4", 7000, "192.168.16.1", portA, 4, true), TestBed.TAP2);
            MemorySegment toA = lastIn(bed);
            assertEquals(ip("10.1.1.3"), Ipv4.dst(toA, 0));
            assertEquals(6000, Udp.dstPort(toA, 20));
            assertEquals(TestBed.NODE_IP, Ipv4.src(toA, 0));
            assertEquals(portB, Udp.srcPort(toA, 20));
        }
    }

    @Test
    void unsupportedProtocolAndFragmentsAreDroppedAndCounted() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(Frames.ipv4(47, "10.1.1.3", "8.8.8.8", 24), TestBed.TAP2); // GRE
            byte[] fragment = Frames.udp("10.1.1.3", 1, "8.8.8.8", 2, 16, true);
            Ipv4.setFlagsAndFragmentOffset(MemorySegment.ofArray(fragment), 14, 3);
            bed.sendOut(fragment, TestBed.TAP2);
            assertEquals(1, bed.error(SLOW, "unsupported-protocol"));
            assertEquals(1, bed.error(SLOW, "fragment"));
            assertEquals(2, bed.dropped.size());
            assertEquals(0, bed.gbeOutput.size());
        }
    }

    @Test
    void theBoxsOwnTrafficIsNotTranslated() {
        try (TestBed bed = TestBed.inMemory()) {
            byte[] own = Frames.udp("192.168.16.1", 123, "8.8.8.8", 123, 48, true);
            bed.sendOut(own.clone(), 0);
            assertEquals(java.util.Arrays.toString(own), java.util.Arrays.toString(bed.gbeOutput.getLast().bytes()));
            assertEquals(0, bed.dataplane.table().count());
        }
    }

    @Test
    void tcpStateDrivesTheTimeout() {
        try (TestBed bed = TestBed.inMemory()) {
            long t0 = bed.clock.get();
            bed.sendOut(Frames.tcp("10.1.1.3", 41000, "31.134.97.51", 80, Tcp.FLAG_SYN), TestBed.TAP2);
            int s = bed.dataplane.table().lookupIn2Out(SessionTable.key(ip("10.1.1.3"), 41000, 6),
                    ip("31.134.97.51"), 80);
            assertEquals(t0 + 240_000, bed.dataplane.table().expiresAt(s), "opening: transitory");
            int port = Tcp.srcPort(lastOut(bed), 34);
            bed.receive(Frames.tcp("31.134.97.51", 80, "192.168.16.1", port, Tcp.FLAG_SYN | Tcp.FLAG_ACK), TestBed.GBE);
            assertEquals(t0 + 7_440_000, bed.dataplane.table().expiresAt(s), "both SYNs seen: established");
            bed.sendOut(Frames.tcp("10.1.1.3", 41000, "31.134.97.51", 80, Tcp.FLAG_FIN | Tcp.FLAG_ACK), TestBed.TAP2);
            assertEquals(t0 + 240_000, bed.dataplane.table().expiresAt(s), "closing: transitory");
        }
    }

    @Test
    void idleSessionsExpireAndTheirPortsComeBack() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.policy(new Timeouts(30, 7440, 240, 60), 100, List.of());
            bed.dataplane.forceNextPort(30000);
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            assertTrue(bed.dataplane.ports().isUsed(0, PortAllocator.UDP, 30000));
            bed.clock.addAndGet(29_000);
            assertEquals(0, bed.dataplane.expireAll(bed.clock.get()));
            bed.clock.addAndGet(1_000);
            assertEquals(1, bed.dataplane.expireAll(bed.clock.get()));
            assertFalse(bed.dataplane.ports().isUsed(0, PortAllocator.UDP, 30000));
            assertEquals(0, bed.dataplane.table().count());
            // a reply after expiry is not translated: it passes untouched (the box itself gets it)
            bed.receive(Frames.udp("8.8.8.8", 53, "192.168.16.1", 30000, 4, true), TestBed.GBE);
            assertEquals(TestBed.NODE_IP, Ipv4.dst(lastIn(bed), 0));
        }
    }

    @Test
    void limitsPerInsideAddressAndInTotalAreCounted() {
        try (TestBed bed = new TestBed(SessionTable.anonymous(4))) {
            bed.policy(Timeouts.DEFAULTS, 3, List.of());
            for (int i = 0; i < 4; i++) {
                bed.sendOut(Frames.udp("10.1.1.3", 100 + i, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            }
            assertEquals(3, bed.gbeOutput.size());
            assertEquals(1, bed.error(SLOW, "max-user-sessions-exceeded"));
            bed.sendOut(Frames.udp("10.1.1.9", 100, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            bed.sendOut(Frames.udp("10.1.1.9", 101, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            assertEquals(1, bed.error(SLOW, "max-sessions-exceeded"));
            assertEquals(2, bed.dropped.size());
        }
    }

    @Test
    void portExhaustionIsCountedAndRecoversWhenSessionsExpire() {
        try (TestBed bed = new TestBed(SessionTable.anonymous(70_000))) {
            bed.policy(Timeouts.DEFAULTS, 100_000, List.of());
            Nat44Dataplane dp = bed.dataplane;
            long now = bed.clock.get();
            synchronized (dp.table().lock()) {
                for (int i = 0; i < PortAllocator.PORT_COUNT; i++) {
                    int host = ip("10.2.0.0") + (i >>> 10);
                    assertTrue(dp.createDynamic(dp.policy(), host, 1024 + (i & 1023), 17, ip("8.8.8.8"), 53, 6, now) >= 0);
                }
            }
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            assertEquals(1, bed.error(SLOW, "out-of-ports"));
            assertEquals(0, bed.gbeOutput.size());
            // TCP has its own ports
            bed.sendOut(Frames.tcp("10.1.1.3", 5000, "8.8.8.8", 53, Tcp.FLAG_SYN), TestBed.TAP2);
            assertEquals(1, bed.gbeOutput.size());
            bed.clock.addAndGet(301_000);
            dp.expireAll(bed.clock.get());
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            assertEquals(2, bed.gbeOutput.size());
            assertEquals(1, bed.error(SLOW, "out-of-ports"));
        }
    }

    @Test
    void expiredSessionIsReplacedOnTheSlowPath() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            bed.clock.addAndGet(301_000);
            bed.sendOut(Frames.udp("10.1.1.3", 5000, "8.8.8.8", 53, 4, true), TestBed.TAP2);
            assertEquals(2, bed.gbeOutput.size());
            assertEquals(1, bed.dataplane.table().count());
            assertEquals(2, bed.error(SLOW, "sessions-created"));
            Captured last = bed.gbeOutput.getLast();
            assertTrue(Frames.checksumsValid(MemorySegment.ofArray(last.bytes()), 14));
        }
    }
}
