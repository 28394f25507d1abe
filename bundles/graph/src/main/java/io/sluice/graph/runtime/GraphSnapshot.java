package io.sluice.graph.runtime;

/**
 * An immutable graph: what every worker runs until the next one is published. Each slot's error counters have
 * a global index here, {@code errorBase[slot] + ordinal} (VPP's error heap index), which a node stamps on a
 * buffer it drops and a capture of drops resolves back to the counter's name.
 */
final class GraphSnapshot {
    final long version;
    final SlotPlan[] plans;
    final int[] inputSlots;
    /** Global index of each slot's first error counter; a slot owns {@code plans[slot].errorCount()} of them. */
    final int[] errorBase;

    GraphSnapshot(long version, SlotPlan[] plans, int[] inputSlots) {
        this.version = version;
        this.plans = plans;
        this.inputSlots = inputSlots;
        this.errorBase = new int[plans.length];
        int next = 0;
        for (int slot = 0; slot < plans.length; slot++) {
            errorBase[slot] = next;
            next += plans[slot].errorCount();
        }
    }

    /** True when global error index {@code error} is one of slot {@code slot}'s counters. */
    boolean ownsError(int slot, int error) {
        return error >= errorBase[slot] && error < errorBase[slot] + plans[slot].errorCount();
    }

    /** The counter global index {@code error} names, as errors:show prints it: "node: counter"; null if none. */
    String errorName(int error) {
        for (int slot = 0; slot < plans.length; slot++) {
            if (ownsError(slot, error)) {
                return plans[slot].name + ": "
                        + plans[slot].registration.errors().get(error - errorBase[slot]).counterName();
            }
        }
        return null;
    }
}
