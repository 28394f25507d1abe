package io.sluice.graph.api;

import java.util.List;

/**
 * Where a feature node sits on a feature arc: the arc's name and ordering constraints against other
 * features of the same arc. A slow-path node that continues where its fast path stood names that node in
 * {@code continuesAfter}: its next feature is computed as the fast path's.
 */
public record FeatureRegistration(String arc, List<String> runsBefore, List<String> runsAfter, String continuesAfter) {

    public FeatureRegistration {
        runsBefore = List.copyOf(runsBefore);
        runsAfter = List.copyOf(runsAfter);
    }

    public static FeatureRegistration on(String arc) {
        return new FeatureRegistration(arc, List.of(), List.of(), null);
    }

    public FeatureRegistration before(String... nodes) {
        return new FeatureRegistration(arc, List.of(nodes), runsAfter, continuesAfter);
    }

    public FeatureRegistration after(String... nodes) {
        return new FeatureRegistration(arc, runsBefore, List.of(nodes), continuesAfter);
    }

    /** A node outside the arc's ordering that continues the arc as {@code node} would (a slow path). */
    public static FeatureRegistration continuing(String arc, String node) {
        return new FeatureRegistration(arc, List.of(), List.of(), node);
    }
}
