package io.sluice.nat44.internal;

import io.sluice.common.state.StateFile;
import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Tcp;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NAT44-ED's session model (issue 17): TCP state per flow, the LRU reuse of expired sessions when the table or an
 * inside address is full, and the session file of the endpoint-independent layout migrated.
 */
class Nat44EdTest {
    private static final int POOL = ip("192.168.16.1");
    private static final int UDP = Ipv4.PROTOCOL_UDP;

    @Test
    void aFinOnOneFlowLeavesTheOtherFlowsTimeoutAlone() {
        try (TestBed bed = TestBed.inMemory()) {
            long t0 = bed.clock.get();
            for (String server : new String[] {"31.134.97.51", "31.134.97.52"}) {
                bed.sendOut(Frames.tcp("10.1.1.3", 41000, server, 80, Tcp.FLAG_SYN), TestBed.TAP2);
                int port = Tcp.srcPort(MemorySegment.ofArray(bed.gbeOutput.getLast().bytes()), 34);
                assertEquals(41000, port, "the free inside port is kept, for both flows");
                bed.receive(Frames.tcp(server, 80, "192.168.16.1", port, Tcp.FLAG_SYN | Tcp.FLAG_ACK), TestBed.GBE);
                bed.sendOut(Frames.tcp("10.1.1.3", 41000, server, 80, Tcp.FLAG_ACK), TestBed.TAP2);
            }
            SessionTable table = bed.dataplane.table();
            long inKey = SessionTable.key(ip("10.1.1.3"), 41000, Ipv4.PROTOCOL_TCP);
            int first = table.lookupIn2Out(inKey, ip("31.134.97.51"), 80);
            int second = table.lookupIn2Out(inKey, ip("31.134.97.52"), 80);
            assertEquals(t0 + 7_440_000, table.expiresAt(first), "established");
            assertEquals(t0 + 7_440_000, table.expiresAt(second), "established");

            bed.clock.addAndGet(1_000);
            bed.sendOut(Frames.tcp("10.1.1.3", 41000, "31.134.97.51", 80, Tcp.FLAG_FIN | Tcp.FLAG_ACK), TestBed.TAP2);
            assertEquals("closing", TcpTracker.name(table.tcpState(first)));
            assertEquals(t0 + 1_000 + 240_000, table.expiresAt(first), "the closing flow: transitory");
            assertEquals("established", TcpTracker.name(table.tcpState(second)));
            assertEquals(t0 + 7_440_000, table.expiresAt(second), "the other flow keeps its established timeout");
        }
    }

    @Test
    void aFullTableReusesTheLeastRecentlyHeardExpiredSessionAndCountsIt() {
        long[] now = {1_000};
        try (Nat44Dataplane dp = new Nat44Dataplane(SessionTable.anonymous(4), () -> now[0])) {
            dp.setAddresses(new int[] {POOL});
            int[] made = new int[4];
            synchronized (dp.table().lock()) {
                for (int i = 0; i < 4; i++) {
                    now[0] = 1_000 + i * 1_000L;
                    made[i] = dp.createDynamic(dp.policy(), ip("10.1.1.3"), 5000 + i, UDP, ip("8.8.8.8"), 53, 6, now[0]);
                    assertTrue(made[i] >= 0);
                }
                // The UDP timeout (300 s) has passed for the first three, in the order they were made.
                now[0] = 1_000 + 300_000 + 2_500;
                int s = dp.createDynamic(dp.policy(), ip("10.1.1.4"), 6000, UDP, ip("8.8.8.8"), 53, 6, now[0]);
                assertEquals(made[0], s, "the least recently heard expired session's record");
                assertEquals(1, dp.reused());
                assertEquals(-1, dp.table().lookupIn2Out(SessionTable.key(ip("10.1.1.3"), 5000, UDP), ip("8.8.8.8"), 53));
                assertTrue(dp.table().lookupIn2Out(SessionTable.key(ip("10.1.1.3"), 5001, UDP), ip("8.8.8.8"), 53) >= 0,
                        "the younger expired ones wait their turn");
                assertEquals(made[1], dp.createDynamic(dp.policy(), ip("10.1.1.4"), 6001, UDP, ip("8.8.8.8"), 53, 6,
                        now[0]));
                assertEquals(made[2], dp.createDynamic(dp.policy(), ip("10.1.1.4"), 6002, UDP, ip("8.8.8.8"), 53, 6,
                        now[0]));
                assertEquals(3, dp.reused());
                // Nothing expired is left: refused, as before.
                assertEquals(Nat44Dataplane.TABLE_FULL, dp.createDynamic(dp.policy(), ip("10.1.1.4"), 6003, UDP,
                        ip("8.8.8.8"), 53, 6, now[0]));
                assertEquals(3, dp.reused());
                assertEquals(4, dp.table().count());
                assertEquals(4, dp.ports().inUse(0, PortAllocator.UDP), "the recycled sessions' ports went back");
            }
        }
    }

    @Test
    void aFullInsideAddressReusesItsOwnExpiredSessionNotAnotherHosts() {
        long[] now = {1_000};
        try (Nat44Dataplane dp = new Nat44Dataplane(SessionTable.anonymous(64), () -> now[0])) {
            dp.setAddresses(new int[] {POOL});
            dp.setPolicy(new Nat44Policy(new byte[0], Timeouts.DEFAULTS, 2, StaticMappings.NONE));
            synchronized (dp.table().lock()) {
                int other = dp.createDynamic(dp.policy(), ip("10.1.1.9"), 7000, UDP, ip("8.8.8.8"), 53, 6, 500);
                int older = dp.createDynamic(dp.policy(), ip("10.1.1.3"), 5000, UDP, ip("8.8.8.8"), 53, 6, 1_000);
                int younger = dp.createDynamic(dp.policy(), ip("10.1.1.3"), 5001, UDP, ip("8.8.8.8"), 53, 6, 2_000);
                assertEquals(Nat44Dataplane.USER_LIMIT, dp.createDynamic(dp.policy(), ip("10.1.1.3"), 5002, UDP,
                        ip("8.8.8.8"), 53, 6, 3_000), "nothing of its own expired yet");
                now[0] = 400_000;
                assertEquals(older, dp.createDynamic(dp.policy(), ip("10.1.1.3"), 5002, UDP, ip("8.8.8.8"), 53, 6,
                        now[0]));
                assertTrue(dp.table().inUse(other), "another host's older expired session stays");
                assertTrue(dp.table().inUse(younger));
                assertEquals(1, dp.reused());
                assertEquals(2, dp.sessionsOf(ip("10.1.1.3")));
            }
        }
    }

    @Test
    void aSessionFileOfTheEndpointIndependentLayoutIsMigratedWithItsSessions(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sessions.bin");
        int capacity = 64;
        long inKey = SessionTable.key(ip("10.1.1.3"), 41084, Ipv4.PROTOCOL_TCP);
        long outKey = SessionTable.key(POOL, 25801, Ipv4.PROTOCOL_TCP);
        writeLayoutOne(file, capacity, inKey, outKey, ip("31.134.97.51"), 80);

        long now = 1_700_000_000_000L;
        try (Nat44Dataplane dp = new Nat44Dataplane(SessionTable.open(file, capacity), () -> now)) {
            assertEquals(StateFile.Outcome.REOPENED, dp.table().fileOutcome(), "kept, not moved aside");
            dp.setAddresses(new int[] {POOL});
            SessionTable table = dp.table();
            assertEquals(1, table.count());
            int s = table.lookupIn2Out(inKey, ip("31.134.97.51"), 80);
            assertTrue(s >= 0, "the EI session is the flow to the remote it remembered");
            assertEquals(s, table.lookupOut2In(outKey, ip("31.134.97.51"), 80));
            assertEquals(3, table.tcpState(s), "its TCP state kept");
            synchronized (table.lock()) {
                int next = dp.createDynamic(dp.policy(), ip("10.1.1.3"), 41084, Ipv4.PROTOCOL_TCP,
                        ip("31.134.97.52"), 443, 6, now);
                assertEquals(outKey, table.outKey(next), "its mapping holds: a new flow leaves from the same port");
            }
        }
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file), 0, StateFile.HEADER_SIZE)
                .order(ByteOrder.nativeOrder());
        assertEquals(SessionTable.FILE_LAYOUT, header.getInt(24), "the file says layout 2 now");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing moved aside");
        }
        try (SessionTable table = SessionTable.open(file, capacity)) {
            assertEquals(StateFile.Outcome.REOPENED, table.fileOutcome());
            assertEquals(2, table.count(), "and it reopens as a file of the new layout");
        }
    }

    @Test
    void aSessionFileOfTheEndpointIndependentLayoutForAnotherCapacityIsMovedAside(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("sessions.bin");
        writeLayoutOne(file, 32, SessionTable.key(ip("10.1.1.3"), 41084, 6), SessionTable.key(POOL, 25801, 6),
                ip("31.134.97.51"), 80);
        try (SessionTable table = SessionTable.open(file, 64)) {
            assertEquals(StateFile.Outcome.REPLACED, table.fileOutcome());
            assertEquals(0, table.count());
        }
    }

    /** A file as layout 1 wrote it: the state file header (layout 1), the table header ("SLNAT44\1"), one session. */
    private static void writeLayoutOne(Path file, int capacity, long inKey, long outKey, int remoteAddress,
                                       int remotePort) throws IOException {
        long payloadSize = SessionTable.HEADER_SIZE + (long) capacity * SessionTable.SESSION_SIZE;
        StateFile.Spec v1 = new StateFile.Spec(SessionTable.FILE_KIND, 1, SessionTable.SESSION_SIZE, capacity,
                payloadSize, "max-sessions " + capacity);
        ByteBuffer bytes = ByteBuffer.allocate((int) (StateFile.HEADER_SIZE + payloadSize))
                .order(ByteOrder.nativeOrder());
        bytes.put(0, StateFile.headerBytes(v1));
        int table = StateFile.HEADER_SIZE;
        bytes.putLong(table, SessionTable.MAGIC_V1).putInt(table + 8, SessionTable.BYTE_ORDER_MARK)
                .putInt(table + 12, capacity).putInt(table + 16, SessionTable.SESSION_SIZE);
        int record = table + SessionTable.HEADER_SIZE;
        bytes.putLong(record, inKey).putLong(record + 8, outKey)
                .putLong(record + 16, Long.MAX_VALUE).putLong(record + 24, 1_000)
                .putLong(record + 32, 3).putLong(record + 40, 180)
                .putInt(record + 48, remoteAddress).putShort(record + 52, (short) remotePort)
                .put(record + 54, (byte) (TcpTracker.SYN_IN | TcpTracker.SYN_OUT)).put(record + 55, (byte) 1)
                .putInt(record + 56, TestBed.TAP2).putInt(record + 60, -1);
        Files.write(file, bytes.array());
    }
}
