package io.sluice.shell.vnet;

import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code interface:clear-counters} clears: a baseline the console subtracts, not the dataplane's counters.
 * Those are the workers' (written once per frame, summed under the barrier) and the telemetry endpoint exports
 * them as Prometheus counters, which must never go back; so the console keeps the reading of the moment the
 * operator cleared and shows what came after it, as VPP's {@code show interface} does after
 * {@code clear interfaces}. The baseline is the shell bundle's, forgotten when the bundle restarts (the console
 * then shows the counters since the box started).
 */
public final class CounterBaseline {

    /** Per sw_if_index the counters at the last clear, with the name they were read under. */
    private static volatile Map<Integer, InterfaceStats> baseline = Map.of();

    private CounterBaseline() {
    }

    /** Takes {@code now} as the new zero of every interface in it. */
    public static void clear(List<InterfaceStats> now) {
        Map<Integer, InterfaceStats> next = new HashMap<>();
        for (InterfaceStats s : now) {
            next.put(s.swIfIndex(), s);
        }
        baseline = Map.copyOf(next);
    }

    /** Every interface's counters since the last clear. */
    public static List<InterfaceStats> sinceClear(List<InterfaceStats> now) {
        return since(baseline, now);
    }

    /**
     * {@code now} less {@code base}, per interface. An interface that has another name than at the clear, or
     * whose counter is below the baseline's (it was removed and its index given again), is shown as it is.
     */
    static List<InterfaceStats> since(Map<Integer, InterfaceStats> base, List<InterfaceStats> now) {
        List<InterfaceStats> result = new ArrayList<>(now.size());
        for (InterfaceStats s : now) {
            InterfaceStats b = base.get(s.swIfIndex());
            boolean applies = b != null && java.util.Objects.equals(b.name(), s.name()) && s.rxPackets() >= b.rxPackets()
                    && s.txPackets() >= b.txPackets() && s.rxBytes() >= b.rxBytes() && s.txBytes() >= b.txBytes()
                    && s.drops() >= b.drops() && s.rxErrors() >= b.rxErrors() && s.txErrors() >= b.txErrors();
            result.add(!applies ? s : new InterfaceStats(s.swIfIndex(), s.name(), s.mac(), s.mtu(), s.adminUp(),
                    s.linkUp(), s.ip4Addresses(), s.rxPackets() - b.rxPackets(), s.rxBytes() - b.rxBytes(),
                    s.txPackets() - b.txPackets(), s.txBytes() - b.txBytes(), s.drops() - b.drops(),
                    s.rxErrors() - b.rxErrors(), s.txErrors() - b.txErrors()));
        }
        return result;
    }
}
