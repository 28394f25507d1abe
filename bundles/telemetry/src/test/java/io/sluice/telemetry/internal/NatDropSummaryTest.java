package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.nat44.api.Nat44DropEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The NAT drop summary with its clock driven by the test: one entry per (reason, source) with the interval's count,
 * the most packets first, the cap counted as suppressed, a fresh interval after each close.
 */
class NatDropSummaryTest {
    private static final long T0 = 1_717_236_000_000L;
    private static final int NO_SESSION = 1 << 8 | 11;
    private static final int OUT_OF_WINDOW = 1 << 8 | 9;
    private static final int INTERNET = 0xcb007133;     // 203.0.113.51
    private static final int BOX = 0xc0a81001;          // 192.168.16.1

    private static long[] drops(int reason, int source, int count) {
        long[] r = new long[count * Nat44DropEvent.LONGS];
        for (int i = 0; i < count; i++) {
            Nat44DropEvent.pack(r, i * Nat44DropEvent.LONGS, T0 + i, reason, 1, source, 3, BOX, 3);
        }
        return r;
    }

    private static void add(NatDropSummary summary, int reason, int source, int count) {
        long[] r = drops(reason, source, count);
        for (int i = 0; i < count; i++) {
            summary.add(r, i);
        }
    }

    @Test
    void dropsAreCountedPerReasonAndSourceOverTheInterval() {
        NatDropSummary summary = new NatDropSummary(10_000, 100, T0);
        add(summary, NO_SESSION, INTERNET, 5);
        add(summary, NO_SESSION, INTERNET + 1, 2);
        add(summary, OUT_OF_WINDOW, INTERNET, 1);
        assertFalse(summary.due(T0 + 9_999), "the interval is not over");
        assertTrue(summary.due(T0 + 10_000));

        NatDropSummary.Interval interval = summary.close(T0 + 10_000);
        assertEquals(T0, interval.startMillis());
        assertEquals(T0 + 10_000, interval.endMillis());
        assertEquals(List.of(
                new NatDropSummary.Entry(NO_SESSION, INTERNET, 5, BOX, 1, 3, 3),
                new NatDropSummary.Entry(NO_SESSION, INTERNET + 1, 2, BOX, 1, 3, 3),
                new NatDropSummary.Entry(OUT_OF_WINDOW, INTERNET, 1, BOX, 1, 3, 3)), interval.entries());
        assertEquals(0, interval.suppressedPairs());

        assertFalse(summary.due(T0 + 19_999), "a new interval from the close");
        NatDropSummary.Interval quiet = summary.close(T0 + 20_000);
        assertEquals(List.of(), quiet.entries(), "counts start again at each interval");
    }

    @Test
    void theCapKeepsTheBiggestAndCountsTheRestAsSuppressed() {
        NatDropSummary summary = new NatDropSummary(60_000, 2, T0);
        for (int source = 0; source < 5; source++) {
            add(summary, NO_SESSION, INTERNET + source, 10 + source);
        }
        NatDropSummary.Interval interval = summary.close(T0 + 60_000);
        assertEquals(2, interval.entries().size());
        assertEquals(INTERNET + 4, interval.entries().get(0).source(), "the most packets first");
        assertEquals(14, interval.entries().get(0).packets());
        assertEquals(INTERNET + 3, interval.entries().get(1).source());
        assertEquals(3, interval.suppressedPairs());
        assertEquals(10 + 11 + 12, interval.suppressedPackets());
        assertEquals(3, summary.suppressedLines());

        add(summary, NO_SESSION, INTERNET, 1);
        add(summary, OUT_OF_WINDOW, INTERNET, 1);
        add(summary, NO_SESSION, INTERNET + 9, 1);
        summary.close(T0 + 120_000);
        assertEquals(4, summary.suppressedLines(), "summed over intervals");
    }

    @Test
    void theLinesNameTheReasonTheSourceTheCountAndTheLastPacket() {
        NatDropSyslogFormat format = new NatDropSyslogFormat(16, "box",
                reason -> reason == NO_SESSION ? "nat44-out2in/icmp-no-session" : "reason " + reason);
        NatDropSummary summary = new NatDropSummary(10_000, 1, T0);
        add(summary, NO_SESSION, INTERNET, 5);
        long[] udp = new long[Nat44DropEvent.LONGS];
        Nat44DropEvent.pack(udp, 0, T0, OUT_OF_WINDOW, 17, INTERNET, 5353, BOX, 40000);
        summary.add(udp, 0);
        NatDropSummary.Interval interval = summary.close(T0 + 10_000);
        assertEquals("<132>1 2024-06-01T10:00:10.000Z box NAT - DROP - NAT drop nat44-out2in/icmp-no-session from"
                + " 203.0.113.51: 5 packets in 10 s, last icmp 203.0.113.51 -> 192.168.16.1 type 3 code 3",
                format.entry(interval, interval.entries().getFirst()));
        assertEquals("<132>1 2024-06-01T10:00:10.000Z box NAT - DROP - NAT drop summary: 1 more (reason, source)"
                + " pairs suppressed, 1 packets in 10 s (max-lines 1)", format.suppressed(interval, 1));
        NatDropSummary.Entry single = new NatDropSummary.Entry(OUT_OF_WINDOW, INTERNET, 1, BOX, 17, 5353, 40000);
        assertEquals("<132>1 2024-06-01T10:00:10.000Z box NAT - DROP - NAT drop reason 265 from 203.0.113.51:"
                + " 1 packet in 10 s, last udp 203.0.113.51:5353 -> 192.168.16.1:40000", format.entry(interval, single));
        assertEquals(null, format.suppressed(summary.close(T0 + 20_000), 1), "nothing suppressed, no line");
    }
}
