package io.sluice.graph.runtime;

/** An immutable graph: what every worker runs until the next one is published. */
final class GraphSnapshot {
    final long version;
    final SlotPlan[] plans;
    final int[] inputSlots;

    GraphSnapshot(long version, SlotPlan[] plans, int[] inputSlots) {
        this.version = version;
        this.plans = plans;
        this.inputSlots = inputSlots;
    }
}
