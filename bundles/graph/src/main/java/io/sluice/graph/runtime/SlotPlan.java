package io.sluice.graph.runtime;

import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeRegistration;

/**
 * One node slot of a graph snapshot: the node instance (null while absent: its frames are parked), the
 * resolved next arcs (arc to destination slot) and its feature-arc tables. Immutable once published.
 */
final class SlotPlan {
    final int slot;
    final String name;
    final Node node;
    final NodeRegistration registration;
    final int[] nextSlots;
    final String[] nextNames;
    final int[] featureNextBySw;
    final int featureNextDefault;
    final int[][] featureStartBySw;
    final int[] featureStartDefault;

    SlotPlan(int slot, String name, Node node, NodeRegistration registration, int[] nextSlots, String[] nextNames,
             int[] featureNextBySw, int featureNextDefault, int[][] featureStartBySw, int[] featureStartDefault) {
        this.slot = slot;
        this.name = name;
        this.node = node;
        this.registration = registration;
        this.nextSlots = nextSlots;
        this.nextNames = nextNames;
        this.featureNextBySw = featureNextBySw;
        this.featureNextDefault = featureNextDefault;
        this.featureStartBySw = featureStartBySw;
        this.featureStartDefault = featureStartDefault;
    }

    int errorCount() {
        return registration == null ? 0 : registration.errors().size();
    }
}
