package io.sluice.nat44.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.graph.testkit.FuzzChoices;
import io.sluice.nat44.api.Timeouts;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property test (issues 18 and 17) of the NAT44-ED session store as the slow path and the expiry use it: the
 * dataplane's sessions (one per flow), its endpoint mappings and its port allocator against a HashMap model. Flows
 * of {@value #ENDPOINTS} inside endpoints to a few remotes are created, looked up both ways, deleted, expired by the
 * scan, recycled when the table of {@value #CAPACITY} records or an inside address's quota of {@value #PER_USER} is
 * full, and reattached by a pool change (as after a restart). After every step: each live flow is found by its
 * inside and its outside 5-tuple and nothing else is; every flow of one inside endpoint has the same outside
 * endpoint (RFC 4787 REQ-1) and no two inside endpoints share one; the ports in use are the mappings' and no more;
 * a session recycled or refused had to be. Runs over 300 seeded inputs in CI and under Jazzer with
 * {@code JAZZER_FUZZ=1}.
 */
class SessionTablePropertyTest {
    static final int CAPACITY = 16;
    static final int PER_USER = 6;
    static final int ENDPOINTS = 4 * 4;
    static final int[] POOL = {0xc0a81001, 0xc0a81002};
    static final int[] PROTOCOLS = {Ipv4.PROTOCOL_TCP, Ipv4.PROTOCOL_UDP, Ipv4.PROTOCOL_ICMP};

    /** A flow: inside endpoint and remote endpoint. */
    private record Flow(long inKey, int remoteAddress, int remotePort) {
    }

    /** The model of one session. */
    private record Session(int index, long outKey, long expiresAt) {
    }

    @Test
    void seededSequencesAgreeWithTheModel() {
        for (byte[] input : FuzzChoices.seeded(17, 300, 600)) {
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
        Map<Flow, Session> flows = new LinkedHashMap<>();
        long[] now = {1_000};
        try (Nat44Dataplane dp = new Nat44Dataplane(SessionTable.anonymous(CAPACITY), () -> now[0])) {
            dp.setAddresses(POOL, new SplittableRandom(input.length));
            dp.setPolicy(new Nat44Policy(new byte[0], Timeouts.DEFAULTS, PER_USER, StaticMappings.NONE));
            SessionTable table = dp.table();
            while (choices.more()) {
                synchronized (table.lock()) {
                    switch (choices.below(6)) {
                        case 0 -> create(dp, choices, flows, now[0]);
                        case 1 -> {
                            Flow flow = flow(choices);
                            Session session = flows.get(flow);
                            assertEquals(session == null ? -1 : session.index,
                                    table.lookupIn2Out(flow.inKey, flow.remoteAddress, flow.remotePort));
                        }
                        case 2 -> {
                            if (!flows.isEmpty()) {
                                Flow flow = new ArrayList<>(flows.keySet()).get(choices.below(flows.size()));
                                dp.delete(flows.remove(flow).index);
                            }
                        }
                        case 3 -> {
                            dp.expireSome(now[0], 1 + choices.below(CAPACITY * 2));
                            forgetGone(table, flows, now[0]);
                        }
                        case 4 -> now[0] += choices.below(100_000);
                        default -> {
                            dp.setAddresses(POOL, new SplittableRandom(choices.int32()));
                            forgetGone(table, flows, now[0]);
                            for (Session session : flows.values()) {
                                assertTrue(session.expiresAt > now[0], "a reattached session is not expired");
                            }
                        }
                    }
                    agree(dp, flows);
                }
            }
        }
    }

    private static Flow flow(FuzzChoices choices) {
        int protocol = PROTOCOLS[choices.below(PROTOCOLS.length)];
        long inKey = SessionTable.key(0x0a010100 + choices.below(4), 1000 + choices.below(4), protocol);
        int remotePort = protocol == Ipv4.PROTOCOL_ICMP ? 0 : 53 + choices.below(2);
        return new Flow(inKey, 0x08080800 + choices.below(3), remotePort);
    }

    private static void create(Nat44Dataplane dp, FuzzChoices choices, Map<Flow, Session> flows, long now) {
        Flow flow = flow(choices);
        if (flows.containsKey(flow)) {
            return;
        }
        int user = SessionTable.keyAddress(flow.inKey);
        boolean tableFull = flows.size() == CAPACITY;
        boolean userFull = flows.keySet().stream().filter(f -> SessionTable.keyAddress(f.inKey) == user).count()
                >= PER_USER;
        boolean anyExpired = flows.values().stream().anyMatch(s -> s.expiresAt <= now);
        long mappedBefore = mappedOutside(flows, flow.inKey);
        int protocol = SessionTable.keyProtocol(flow.inKey);
        int s = dp.createDynamic(dp.policy(), user, SessionTable.keyPort(flow.inKey), protocol, flow.remoteAddress,
                flow.remotePort, 6, now);
        List<Flow> recycled = forgetGone(dp.table(), flows, now);
        for (Flow gone : recycled) {
            assertTrue(tableFull || userFull, "a session is recycled only when the table or its address is full");
            assertTrue(!userFull || tableFull || SessionTable.keyAddress(gone.inKey) == user,
                    "a full address recycles its own session");
        }
        if (s < 0) {
            assertTrue(s == Nat44Dataplane.TABLE_FULL && tableFull && !anyExpired
                    || s == Nat44Dataplane.USER_LIMIT && userFull, "refused (" + s + ") only when full");
            assertTrue(recycled.isEmpty() || s == Nat44Dataplane.USER_LIMIT, "nothing recycled for a refusal");
            return;
        }
        assertFalse(tableFull && recycled.isEmpty(), "a full table made room by recycling");
        long outKey = dp.table().outKey(s);
        if (mappedBefore != -1 && mappedOutside(flows, flow.inKey) != -1) {
            assertEquals(mappedBefore, outKey, "the inside endpoint keeps its outside endpoint");
        }
        for (Session other : flows.values()) {
            assertNotEquals(other.index, s, "record " + s + " given to two sessions");
        }
        flows.put(flow, new Session(s, outKey, now + dp.policy().timeoutMillis(protocol, 0)));
    }

    /** The outside endpoint of the model's flows of {@code inKey}, or -1. */
    private static long mappedOutside(Map<Flow, Session> flows, long inKey) {
        for (Map.Entry<Flow, Session> e : flows.entrySet()) {
            if (e.getKey().inKey == inKey) {
                return e.getValue().outKey;
            }
        }
        return -1;
    }

    /** Takes out of the model the flows the table no longer has; each had to be expired. Returns them. */
    private static List<Flow> forgetGone(SessionTable table, Map<Flow, Session> flows, long now) {
        List<Flow> gone = new ArrayList<>();
        for (Map.Entry<Flow, Session> e : new ArrayList<>(flows.entrySet())) {
            Flow flow = e.getKey();
            if (table.lookupIn2Out(flow.inKey, flow.remoteAddress, flow.remotePort) != e.getValue().index) {
                assertTrue(e.getValue().expiresAt <= now, "only an expired session goes by itself");
                flows.remove(flow);
                gone.add(flow);
            }
        }
        return gone;
    }

    private static void agree(Nat44Dataplane dp, Map<Flow, Session> flows) {
        SessionTable table = dp.table();
        PortAllocator ports = dp.ports();
        assertEquals(flows.size(), table.count(), "sessions");
        for (int protocol : PROTOCOLS) {
            assertEquals(flows.keySet().stream().filter(f -> SessionTable.keyProtocol(f.inKey) == protocol).count(),
                    table.count(protocol), "sessions of protocol " + protocol);
        }
        Map<Long, Long> outsideOf = new HashMap<>();
        Map<Long, Long> insideOf = new HashMap<>();
        for (Map.Entry<Flow, Session> e : flows.entrySet()) {
            Flow flow = e.getKey();
            Session session = e.getValue();
            assertEquals(session.index, table.lookupIn2Out(flow.inKey, flow.remoteAddress, flow.remotePort),
                    "found by its inside 5-tuple");
            assertEquals(session.index, table.lookupOut2In(session.outKey, flow.remoteAddress, flow.remotePort),
                    "found by its outside 5-tuple");
            assertEquals(-1, table.lookupOut2In(session.outKey, flow.remoteAddress + 0x100, flow.remotePort),
                    "not by another remote's");
            assertEquals(flow.inKey, table.inKey(session.index));
            Long known = outsideOf.putIfAbsent(flow.inKey, session.outKey);
            assertTrue(known == null || known == session.outKey, "one inside endpoint, one outside endpoint");
            Long owner = insideOf.putIfAbsent(session.outKey, flow.inKey);
            assertTrue(owner == null || owner == flow.inKey, "one outside endpoint, one inside endpoint");
        }
        assertEquals(outsideOf.size(), dp.mappingCount(), "a mapping per inside endpoint with sessions");
        int[][] portsInUse = new int[POOL.length][PROTOCOLS.length];
        for (long outKey : insideOf.keySet()) {
            int pool = ports.indexOf(SessionTable.keyAddress(outKey));
            int slot = PortAllocator.protocolSlot(SessionTable.keyProtocol(outKey));
            assertTrue(ports.isUsed(pool, slot, SessionTable.keyPort(outKey)));
            portsInUse[pool][slot]++;
        }
        for (int pool = 0; pool < POOL.length; pool++) {
            for (int slot = 0; slot < PROTOCOLS.length; slot++) {
                assertEquals(portsInUse[pool][slot], ports.inUse(pool, slot), "ports in use are the mappings'");
            }
        }
    }
}
