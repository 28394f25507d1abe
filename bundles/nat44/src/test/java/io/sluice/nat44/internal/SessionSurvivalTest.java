package io.sluice.nat44.internal;

import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Tcp;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A TCP connection through the NAT keeps its translation across node replacement and across a restart. */
class SessionSurvivalTest {

    private static int outsidePortOf(TestBed bed, int index) {
        MemorySegment s = MemorySegment.ofArray(bed.gbeOutput.get(index).bytes());
        assertEquals(TestBed.NODE_IP, Ipv4.src(s, 14));
        return Tcp.srcPort(s, 34);
    }

    @Test
    void nodesReplacedUnderTrafficKeepTheSession() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.sendOut(Frames.tcp("10.1.1.3", 41084, "31.134.97.51", 80, Tcp.FLAG_SYN), TestBed.TAP2);
            int port = outsidePortOf(bed, 0);

            bed.removeNodes();
            bed.addNodes(); // new instances, as after a bundle update: same dataplane, same table
            bed.sendOut(Frames.tcp("10.1.1.3", 41084, "31.134.97.51", 80, Tcp.FLAG_ACK), TestBed.TAP2);
            assertEquals(port, outsidePortOf(bed, 1));
            bed.receive(Frames.tcp("31.134.97.51", 80, "192.168.16.1", port, Tcp.FLAG_ACK), TestBed.GBE);
            MemorySegment back = MemorySegment.ofArray(bed.lookup.getFirst().bytes());
            assertEquals(ip("10.1.1.3"), Ipv4.dst(back, 0));
            assertEquals(41084, Tcp.dstPort(back, 20));
            assertEquals(0, bed.error(Nat44In2OutSlowPathNode.NAME, "sessions-created") - 1);
        }
    }

    @Test
    void restartRestoresLiveSessionsFromTheMappedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nat44").resolve("sessions.bin");
        int port;
        long now;
        try (TestBed bed = TestBed.mapped(file)) {
            bed.sendOut(Frames.tcp("10.1.1.3", 41084, "31.134.97.51", 80, Tcp.FLAG_SYN), TestBed.TAP2);
            bed.receive(Frames.tcp("31.134.97.51", 80, "192.168.16.1", outsidePortOf(bed, 0),
                    Tcp.FLAG_SYN | Tcp.FLAG_ACK), TestBed.GBE);
            bed.sendOut(Frames.tcp("10.1.1.3", 41084, "31.134.97.51", 80, Tcp.FLAG_ACK), TestBed.TAP2);
            bed.sendOut(Frames.udp("10.1.1.3", 5353, "8.8.8.8", 53, 12, true), TestBed.TAP2);
            port = outsidePortOf(bed, 0);
            now = bed.clock.get();
        }
        // The box restarts an hour later: the established TCP session (7440 s) is restored, the UDP one
        // (300 s) has expired and is not.
        try (TestBed bed = TestBed.mapped(file)) {
            bed.clock.set(now + 3_600_000L);
            bed.dataplane.setAddresses(new int[] {TestBed.NODE_IP});
            assertEquals(1, bed.dataplane.table().count());
            bed.receive(Frames.tcp("31.134.97.51", 80, "192.168.16.1", port, Tcp.FLAG_ACK | Tcp.FLAG_PSH), TestBed.GBE);
            MemorySegment back = MemorySegment.ofArray(bed.lookup.getFirst().bytes());
            assertEquals(ip("10.1.1.3"), Ipv4.dst(back, 0));
            assertEquals(41084, Tcp.dstPort(back, 20));
            bed.sendOut(Frames.tcp("10.1.1.3", 41084, "31.134.97.51", 80, Tcp.FLAG_ACK), TestBed.TAP2);
            assertEquals(port, outsidePortOf(bed, 0));
            assertEquals(0, bed.error(Nat44In2OutSlowPathNode.NAME, "sessions-created"));
            assertTrue(bed.dataplane.ports().isUsed(0, PortAllocator.TCP, port), "restored port is reserved again");
        }
    }

    @Test
    void aFileOfAnotherCapacityIsMovedAsideNotMisread(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        try (SessionTable table = SessionTable.open(file, 128)) {
            table.insert(SessionTable.key(1, 2, 6), SessionTable.key(3, 4, 6), 0, 0, 0, false, 0, Long.MAX_VALUE);
        }
        try (SessionTable table = SessionTable.open(file, 256)) {
            assertEquals(0, table.rebuild(0));
            assertEquals(256, table.capacity());
        }
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("sessions.bin.moved-")).count(),
                    "the old file is kept aside under a timestamped name");
        }
    }
}
