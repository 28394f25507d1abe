package io.sluice.common;

import java.util.Comparator;

/**
 * One feature node enabled on one interface's feature arc: what a capability asks the graph for
 * ({@code GraphRuntime.enableFeature(arc, node, swIfIndex, enable)}) and remembers it has, so the set it wants
 * and the set it has are compared as values, not as strings to split again.
 */
public record FeatureKey(String arc, String node, int swIfIndex) implements Comparable<FeatureKey> {

    private static final Comparator<FeatureKey> ORDER = Comparator.comparing(FeatureKey::arc)
            .thenComparing(FeatureKey::node).thenComparingInt(FeatureKey::swIfIndex);

    @Override
    public int compareTo(FeatureKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return node + " on " + arc + " of sw_if_index " + swIfIndex;
    }
}
