package io.sluice.nat44.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.graph.testkit.FuzzChoices;
import io.sluice.packet.api.Ipv4;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property test (issue 18) of the NAT44 session table and port allocator against a HashMap model, as the slow
 * path and the expiry use them: sessions created with a port from the allocator, looked up both ways, deleted,
 * expired by the scan and by a rebuild (a restart). A table of {@value #CAPACITY} records over a key space six
 * times larger, so it fills, probes collide and deletions shift entries back. After every step: the table's
 * counts (in all and per protocol) and the allocator's ports in use agree with the model; no port is handed out
 * twice; every session is found by both keys and nothing else is. Runs over 300 seeded inputs in CI and under
 * Jazzer with {@code JAZZER_FUZZ=1}.
 */
class SessionTablePropertyTest {
    static final int CAPACITY = 16;
    static final int[] POOL = {0xc0a81001, 0xc0a81002};
    static final int[] PROTOCOLS = {Ipv4.PROTOCOL_TCP, Ipv4.PROTOCOL_UDP, Ipv4.PROTOCOL_ICMP};

    /** The model of one session. */
    private record Session(int index, long inKey, long outKey, int poolIndex, int protocolSlot, int port,
                           long expiresAt) {
    }

    @Test
    void seededSequencesAgreeWithTheModel() {
        for (byte[] input : FuzzChoices.seeded(18, 300, 600)) {
            sessionsAndPortsAgreeWithAModel(input);
        }
    }

    /** Found by the property: the slow path's budget of 256 visited a smaller table's records more than once. */
    @Test
    void aBudgetAboveTheCapacityReturnsEachExpiredRecordOnce() {
        try (SessionTable table = SessionTable.anonymous(CAPACITY)) {
            table.insert(SessionTable.key(0x0a010103, 1000, Ipv4.PROTOCOL_UDP),
                    SessionTable.key(POOL[0], 2000, Ipv4.PROTOCOL_UDP), 0x08080808, 53, 6, false, 1, 2);
            assertEquals(1, table.collectExpired(10, Nat44In2OutSlowPathNode.EXPIRY_BUDGET, new int[256]));
        }
    }

    @FuzzTest(maxDuration = "30s")
    void sessionsAndPortsAgreeWithAModel(byte[] input) {
        FuzzChoices choices = new FuzzChoices(input);
        PortAllocator ports = new PortAllocator(POOL, new SplittableRandom(input.length));
        Map<Long, Session> byIn = new LinkedHashMap<>();
        Map<Long, Session> byOut = new HashMap<>();
        long now = 1_000;
        try (SessionTable table = SessionTable.anonymous(CAPACITY)) {
            while (choices.more()) {
                switch (choices.below(6)) {
                    case 0 -> {
                        int slot = choices.below(PROTOCOLS.length);
                        long inKey = SessionTable.key(0x0a010100 + choices.below(4), 1000 + choices.below(8),
                                PROTOCOLS[slot]);
                        if (byIn.containsKey(inKey)) {
                            break;
                        }
                        int pool = choices.below(POOL.length);
                        int port = ports.allocate(pool, slot);
                        assertTrue(port >= PortAllocator.FIRST_PORT, "a port was free");
                        long outKey = SessionTable.key(POOL[pool], port, PROTOCOLS[slot]);
                        assertFalse(byOut.containsKey(outKey), "port " + port + " handed out twice");
                        long expires = now + 1 + choices.below(100);
                        int s = table.insert(inKey, outKey, 0x08080808, 53, 6, false, now, expires);
                        if (byIn.size() == CAPACITY) {
                            assertEquals(-1, s, "a full table refuses");
                            ports.release(pool, slot, port);
                            break;
                        }
                        assertTrue(s >= 0 && s < CAPACITY, "a free record was taken");
                        for (Session other : byIn.values()) {
                            assertTrue(other.index != s, "record " + s + " given to two sessions");
                        }
                        Session session = new Session(s, inKey, outKey, pool, slot, port, expires);
                        byIn.put(inKey, session);
                        byOut.put(outKey, session);
                    }
                    case 1 -> {
                        long key = SessionTable.key(0x0a010100 + choices.below(4), 1000 + choices.below(8),
                                PROTOCOLS[choices.below(PROTOCOLS.length)]);
                        Session session = byIn.get(key);
                        assertEquals(session == null ? -1 : session.index, table.lookupIn2Out(key));
                    }
                    case 2 -> {
                        if (!byIn.isEmpty()) {
                            Session session = new ArrayList<>(byIn.values()).get(choices.below(byIn.size()));
                            table.remove(session.index);
                            forget(session, byIn, byOut, ports);
                        }
                    }
                    case 3 -> {
                        int[] expired = new int[1 + choices.below(8)];
                        int found = table.collectExpired(now, 1 + choices.below(CAPACITY * 2), expired);
                        for (int i = 0; i < found; i++) {
                            Session session = find(byIn, expired[i]);
                            assertTrue(session != null && session.expiresAt <= now, "record " + expired[i]
                                    + " collected as expired");
                            table.remove(session.index);
                            forget(session, byIn, byOut, ports);
                        }
                    }
                    case 4 -> now += choices.below(50);
                    default -> {
                        int kept = table.rebuild(now);
                        for (Session session : new ArrayList<>(byIn.values())) {
                            if (session.expiresAt <= now) {
                                forget(session, byIn, byOut, ports);
                            }
                        }
                        assertEquals(byIn.size(), kept, "a rebuild keeps the sessions not expired");
                    }
                }
                agree(table, ports, byIn);
            }
        }
    }

    private static void forget(Session session, Map<Long, Session> byIn, Map<Long, Session> byOut,
                               PortAllocator ports) {
        byIn.remove(session.inKey);
        byOut.remove(session.outKey);
        ports.release(session.poolIndex, session.protocolSlot, session.port);
    }

    private static Session find(Map<Long, Session> byIn, int index) {
        for (Session session : byIn.values()) {
            if (session.index == index) {
                return session;
            }
        }
        return null;
    }

    private static void agree(SessionTable table, PortAllocator ports, Map<Long, Session> byIn) {
        assertEquals(byIn.size(), table.count(), "sessions");
        int[][] portsInUse = new int[POOL.length][PROTOCOLS.length];
        for (int slot = 0; slot < PROTOCOLS.length; slot++) {
            int protocol = PROTOCOLS[slot];
            assertEquals(byIn.values().stream().filter(s -> PROTOCOLS[s.protocolSlot] == protocol).count(),
                    table.count(protocol), "sessions of protocol " + protocol);
        }
        List<Session> sessions = new ArrayList<>(byIn.values());
        for (Session session : sessions) {
            portsInUse[session.poolIndex][session.protocolSlot]++;
            assertEquals(session.index, table.lookupIn2Out(session.inKey), "found by its inside key");
            assertEquals(session.index, table.lookupOut2In(session.outKey), "found by its outside key");
            assertTrue(table.inUse(session.index));
            assertEquals(session.inKey, table.inKey(session.index));
            assertEquals(session.outKey, table.outKey(session.index));
            assertTrue(ports.isUsed(session.poolIndex, session.protocolSlot, session.port));
        }
        for (int pool = 0; pool < POOL.length; pool++) {
            for (int slot = 0; slot < PROTOCOLS.length; slot++) {
                assertEquals(portsInUse[pool][slot], ports.inUse(pool, slot), "ports in use");
            }
        }
    }
}
