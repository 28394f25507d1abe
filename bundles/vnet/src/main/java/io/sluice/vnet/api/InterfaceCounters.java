package io.sluice.vnet.api;

/**
 * One worker's per-interface counters, indexed by sw_if_index. Nodes add their frame's totals once per
 * frame; the control plane sums the workers when it reads (under the barrier).
 */
public final class InterfaceCounters {
    public static final int MAX_INTERFACES = 1024;

    public final long[] rxPackets = new long[MAX_INTERFACES];
    public final long[] rxBytes = new long[MAX_INTERFACES];
    public final long[] txPackets = new long[MAX_INTERFACES];
    public final long[] txBytes = new long[MAX_INTERFACES];
    public final long[] drops = new long[MAX_INTERFACES];
    public final long[] txErrors = new long[MAX_INTERFACES];
    public final long[] rxErrors = new long[MAX_INTERFACES];

    public void clear() {
        java.util.Arrays.fill(rxPackets, 0);
        java.util.Arrays.fill(rxBytes, 0);
        java.util.Arrays.fill(txPackets, 0);
        java.util.Arrays.fill(txBytes, 0);
        java.util.Arrays.fill(drops, 0);
        java.util.Arrays.fill(txErrors, 0);
        java.util.Arrays.fill(rxErrors, 0);
    }
}
