package io.sluice.shell.monitor;

import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rates per interface from two readings of the interface counters: what moved between them divided by the time
 * between them. A counter lower than before (the interface was removed and added again) counts as no traffic
 * for that interval, never as a negative rate.
 */
final class InterfaceRates {

    /** One interface over one interval: packets and bits per second, drops per second, and the totals now. */
    record Rate(String name, double rxPacketsPerSecond, double rxBitsPerSecond, double txPacketsPerSecond,
                double txBitsPerSecond, double dropsPerSecond, long rxPackets, long txPackets) {
    }

    private InterfaceRates() {
    }

    /**
     * The rates of every named interface of {@code after} (only {@code only}'s when it is not null) over
     * {@code elapsedNanos}; an interface {@code before} did not have starts from zero.
     */
    static List<Rate> between(List<InterfaceStats> before, List<InterfaceStats> after, long elapsedNanos, String only) {
        Map<Integer, InterfaceStats> earlier = new HashMap<>();
        for (InterfaceStats s : before) {
            earlier.put(s.swIfIndex(), s);
        }
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        List<Rate> rates = new ArrayList<>();
        for (InterfaceStats now : after) {
            if (now.name() == null || (only != null && !only.equals(now.name()))) {
                continue;
            }
            InterfaceStats then = earlier.get(now.swIfIndex());
            rates.add(new Rate(now.name(),
                    delta(now.rxPackets(), then == null ? 0 : then.rxPackets()) / seconds,
                    delta(now.rxBytes(), then == null ? 0 : then.rxBytes()) * 8 / seconds,
                    delta(now.txPackets(), then == null ? 0 : then.txPackets()) / seconds,
                    delta(now.txBytes(), then == null ? 0 : then.txBytes()) * 8 / seconds,
                    delta(now.drops(), then == null ? 0 : then.drops()) / seconds,
                    now.rxPackets(), now.txPackets()));
        }
        return rates;
    }

    static long delta(long now, long then) {
        return now >= then ? now - then : 0;
    }
}
