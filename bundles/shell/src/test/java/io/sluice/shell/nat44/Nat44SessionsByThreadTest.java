package io.sluice.shell.nat44;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.nat44.api.SessionInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** nat44:sessions with several workers: each session under the thread that owns it, as VPP's listing. */
class Nat44SessionsByThreadTest {

    private static SessionInfo session(int index, int outsidePort) {
        return new SessionInfo(index, 17, 0x0a010103, 40000 + index, 0xc0a81001, outsidePort, 0xcb007133, 7, false, "",
                0, 0, 0, 0, 1);
    }

    @Test
    void eachSessionIsListedUnderItsOwnerInTheOrderGiven() {
        SessionInfo a = session(0, 1100);
        SessionInfo b = session(1, 40000);
        SessionInfo c = session(2, 1200);
        List<List<SessionInfo>> threads = Nat44Sessions.byThread(List.of(a, b, c), 2, s -> s.outsidePort() < 32768 ? 0 : 1);
        assertEquals(List.of(List.of(a, c), List.of(b)), threads);
    }

    @Test
    void aThreadWithoutSessionsIsStillListed() {
        SessionInfo a = session(0, 1100);
        assertEquals(List.of(List.of(a), List.of(), List.of()), Nat44Sessions.byThread(List.of(a), 3, s -> 0));
    }
}
