package io.sluice.telemetry.internal;

import io.sluice.nat44.api.Nat44DropEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * NAT44 drops summarised per (reason, source address) over an interval, so that a flood of unsolicited packets is
 * a line per sender and reason, with a count, instead of a line per packet: the control-plane half of NAT drop
 * logging. Its clock is the caller's ({@link #add}, {@link #due}, {@link #close} take the time), so tests drive it.
 * At the interval's end {@link #close} hands back at most {@code maxLines} entries, the most packets first, and
 * counts the rest as suppressed.
 */
final class NatDropSummary {

    /**
     * One (reason, source) of an interval: how many packets, and the last one's destination, protocol and ports
     * (for ICMP: type and code), as an example of what the source sent.
     */
    record Entry(int reason, int source, long packets, int destination, int protocol, int sourcePort,
                 int destinationPort) {
    }

    /** What one interval closed with: the entries to log, and the (reason, source) pairs and packets left out. */
    record Interval(long startMillis, long endMillis, List<Entry> entries, int suppressedPairs,
                    long suppressedPackets) {
    }

    private static final Comparator<Entry> MOST_PACKETS_FIRST = Comparator.comparingLong(Entry::packets).reversed()
            .thenComparingInt(Entry::reason).thenComparingInt(e -> e.source());

    private final long intervalMillis;
    private final int maxLines;
    private final Map<Long, Entry> entries = new HashMap<>();
    private long start;
    private long suppressedLines;

    NatDropSummary(long intervalMillis, int maxLines, long startMillis) {
        this.intervalMillis = intervalMillis;
        this.maxLines = maxLines;
        this.start = startMillis;
    }

    /** Counts drop event {@code i} of {@code records} ({@link Nat44DropEvent}'s layout). */
    void add(long[] records, int i) {
        int reason = Nat44DropEvent.reason(records, i);
        int source = Nat44DropEvent.sourceAddress(records, i);
        long key = (long) reason << 32 | (source & 0xffffffffL);
        Entry before = entries.get(key);
        entries.put(key, new Entry(reason, source, before == null ? 1 : before.packets() + 1,
                Nat44DropEvent.destinationAddress(records, i), Nat44DropEvent.protocol(records, i),
                Nat44DropEvent.sourcePort(records, i), Nat44DropEvent.destinationPort(records, i)));
    }

    /** Whether the interval that began at the last close has ended by {@code now}. */
    boolean due(long now) {
        return now - start >= intervalMillis;
    }

    /** Ends the interval at {@code now}: what to log, and a fresh interval from {@code now}. */
    Interval close(long now) {
        List<Entry> all = new ArrayList<>(entries.values());
        all.sort(MOST_PACKETS_FIRST);
        List<Entry> logged = List.copyOf(all.subList(0, Math.min(maxLines, all.size())));
        long suppressedPackets = 0;
        for (Entry e : all.subList(logged.size(), all.size())) {
            suppressedPackets += e.packets();
        }
        int suppressed = all.size() - logged.size();
        suppressedLines += suppressed;
        Interval interval = new Interval(start, now, logged, suppressed, suppressedPackets);
        entries.clear();
        start = now;
        return interval;
    }

    /** Lines left out by the cap since this summary began (sluice_nat44_drop_lines_suppressed_total). */
    long suppressedLines() {
        return suppressedLines;
    }
}
