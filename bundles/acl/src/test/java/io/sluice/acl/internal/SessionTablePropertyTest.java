package io.sluice.acl.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.acl.api.AclSessions.SessionTimeouts;
import io.sluice.graph.testkit.FuzzChoices;
import io.sluice.packet.api.Ipv4;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property test (issue 18) of the ACL's reflect session table against a HashMap model: sessions created, found,
 * touched, swept and cleared while the clock moves past their idle timeouts. {@value #MAX_SESSIONS} sessions at
 * most over a key space larger than that, so the table fills, reuses expired slots and leaves tombstones. The
 * model holds each session's key, slot and last activity; after every step: a session the model holds unexpired
 * is found in its slot, a key it does not hold is not found, a session gone from the table had expired, and the
 * live count (in all and per interface) agrees. TCP sessions here never see a SYN-ACK both ways, so their
 * timeout is the transient one. Runs over 300 seeded inputs in CI and under Jazzer with {@code JAZZER_FUZZ=1}.
 */
class SessionTablePropertyTest {
    static final int MAX_SESSIONS = 12;
    static final SessionTimeouts TIMEOUTS = new SessionTimeouts(30, 2, 1);
    static final long SECOND = 1_000_000_000L;

    /** The model of one session. */
    private record Session(long key0, long key1, int slot, int sw, long lastActive) {
        long timeout() {
            int protocol = (int) (key1 >>> 24) & 0xff;
            return (protocol == Ipv4.PROTOCOL_TCP ? TIMEOUTS.tcpTransientSeconds() : TIMEOUTS.udpIdleSeconds())
                    * SECOND;
        }

        boolean expiredAt(long now) {
            return now - lastActive > timeout();
        }
    }

    @Test
    void seededSequencesAgreeWithTheModel() {
        for (byte[] input : FuzzChoices.seeded(18, 300, 600)) {
            sessionsAgreeWithAModel(input);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void sessionsAgreeWithAModel(byte[] input) {
        FuzzChoices choices = new FuzzChoices(input);
        Map<String, Session> model = new HashMap<>();
        long now = 5 * SECOND;
        try (SessionTable table = new SessionTable(MAX_SESSIONS, TIMEOUTS)) {
            while (choices.more()) {
                long key0 = SessionTable.key0(0x0a010100 + choices.below(6), 0x08080800 + choices.below(2));
                int sw = 1 + choices.below(2);
                long key1 = SessionTable.key1(1000 + choices.below(2), 53 + choices.below(2),
                        choices.below(2) == 0 ? Ipv4.PROTOCOL_TCP : Ipv4.PROTOCOL_UDP, sw);
                String key = key0 + "/" + key1;
                switch (choices.below(6)) {
                    case 0 -> {
                        Session known = model.get(key);
                        int slot = table.insert(key0, key1, sw, true, 0, 60, now);
                        if (known != null && !known.expiredAt(now)) {
                            assertEquals(known.slot, slot, "the live session is returned");
                            break;
                        }
                        if (slot == SessionTable.REFUSED_FULL) {
                            reconcile(table, model, now);
                            assertTrue(model.size() >= MAX_SESSIONS, "refused with " + model.size() + " live");
                            break;
                        }
                        assertTrue(slot >= 0, "created or refused as full, got " + slot);
                        for (Session other : new ArrayList<>(model.values())) {
                            if (other.slot == slot) {
                                assertTrue(other.expiredAt(now), "slot " + slot + " reused while its session lived");
                                model.remove(other.key0 + "/" + other.key1);
                            }
                        }
                        model.put(key, new Session(key0, key1, slot, sw, now));
                    }
                    case 1 -> {
                        Session known = model.get(key);
                        int expected = known == null || known.expiredAt(now) ? -1 : known.slot;
                        assertEquals(expected, table.find(key0, key1, now), "find " + key);
                        if (expected >= 0 && choices.below(2) == 0) {
                            table.touch(expected, true, 0, 60, now);
                            model.put(key, new Session(key0, key1, known.slot, sw, now));
                        }
                    }
                    case 2 -> {
                        int removed = table.sweep(now, 1 + choices.below(128));
                        assertEquals(removed, reconcile(table, model, now), "swept the expired");
                    }
                    case 3 -> now += choices.below(4) * SECOND / 2;
                    case 4 -> now += choices.below(100);
                    default -> {
                        if (choices.below(8) == 0) {
                            assertEquals(model.size(), table.clear());
                            model.clear();
                        }
                    }
                }
                reconcile(table, model, now);
                assertEquals(model.size(), table.live(), "live sessions");
                for (int port = 1; port <= 2; port++) {
                    int on = port;
                    assertEquals(model.values().stream().filter(s -> s.sw == on).count(), table.liveOn(port),
                            "live sessions on " + port);
                }
            }
        }
    }

    /**
     * Drops from the model the sessions the table no longer holds (swept, or reused by a full table's sweep),
     * failing if one of them had not expired; returns how many.
     */
    private static int reconcile(SessionTable table, Map<String, Session> model, long now) {
        int gone = 0;
        for (Session session : new ArrayList<>(model.values())) {
            if (table.find(session.key0, session.key1, session.lastActive) != session.slot) {
                assertTrue(session.expiredAt(now), "session in slot " + session.slot + " lost before it expired");
                model.remove(session.key0 + "/" + session.key1);
                gone++;
            }
        }
        return gone;
    }
}
