package io.sluice.graph.runtime;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.NodeRegistration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The feature arcs as the control plane asked for them: which feature is enabled on which interface, and where
 * an arc ends per interface. An immutable value: every change makes a new one, which the graph compiles into the
 * next snapshot. This is desired state, not a reflection of what is registered: a feature stays enabled while
 * the node providing it is away (a bundle update), its buffers park, and it is running again as soon as the
 * replacement registers. Policy is never switched off because a component went away.
 */
final class FeatureState {

    /** Feature {@code node} of arc {@code arc} is enabled on interface {@code swIfIndex}. */
    record Enabled(String arc, String node, int swIfIndex) {
    }

    /** Arc {@code arc} ends at {@code endNode} on interface {@code swIfIndex} (rather than its default end). */
    record ArcEnd(String arc, int swIfIndex, String endNode) {
    }

    static final FeatureState EMPTY = new FeatureState(List.of(), List.of());

    private final List<Enabled> enabled;
    private final List<ArcEnd> ends;
    /** Derived from {@code enabled}: arc, then interface, then the features enabled there. */
    private final Map<String, TreeMap<Integer, Set<String>>> enabledByArc = new HashMap<>();
    /** Derived from {@code ends}: arc, then interface, then its end node. */
    private final Map<String, Map<Integer, String>> endByArc = new HashMap<>();

    private FeatureState(List<Enabled> enabled, List<ArcEnd> ends) {
        this.enabled = List.copyOf(enabled);
        this.ends = List.copyOf(ends);
        for (Enabled feature : this.enabled) {
            enabledByArc.computeIfAbsent(feature.arc(), a -> new TreeMap<>())
                    .computeIfAbsent(feature.swIfIndex(), sw -> new LinkedHashSet<>()).add(feature.node());
        }
        for (ArcEnd end : this.ends) {
            endByArc.computeIfAbsent(end.arc(), a -> new HashMap<>()).put(end.swIfIndex(), end.endNode());
        }
    }

    /** Every enabled feature, in the order they were enabled. */
    List<Enabled> enabled() {
        return enabled;
    }

    /** Every per-interface arc end that was set. */
    List<ArcEnd> ends() {
        return ends;
    }

    /** This state with {@code feature} enabled; this very instance when it already was. */
    FeatureState with(Enabled feature) {
        if (enabled.contains(feature)) {
            return this;
        }
        List<Enabled> more = new ArrayList<>(enabled);
        more.add(feature);
        return new FeatureState(more, ends);
    }

    /** This state with {@code feature} disabled; this very instance when it was not enabled. */
    FeatureState without(Enabled feature) {
        if (!enabled.contains(feature)) {
            return this;
        }
        List<Enabled> fewer = new ArrayList<>(enabled);
        fewer.remove(feature);
        return new FeatureState(fewer, ends);
    }

    /** This state with {@code end} replacing any end set before for the same arc and interface. */
    FeatureState withEnd(ArcEnd end) {
        List<ArcEnd> changed = new ArrayList<>(ends);
        changed.removeIf(e -> e.arc().equals(end.arc()) && e.swIfIndex() == end.swIfIndex());
        changed.add(end);
        return new FeatureState(enabled, changed);
    }

    /** The features enabled on {@code swIfIndex} of {@code arc}, unordered. */
    Set<String> enabledOn(String arc, int swIfIndex) {
        TreeMap<Integer, Set<String>> bySw = enabledByArc.get(arc);
        Set<String> names = bySw == null ? null : bySw.get(swIfIndex);
        return names == null ? Set.of() : names;
    }

    /** The interfaces that need a table entry on {@code arc}: one past the highest that has a feature or an end. */
    int interfaceSpan(String arc) {
        int span = 0;
        TreeMap<Integer, Set<String>> bySw = enabledByArc.get(arc);
        if (bySw != null && !bySw.isEmpty()) {
            span = bySw.lastKey() + 1;
        }
        Map<Integer, String> endBySw = endByArc.get(arc);
        if (endBySw != null) {
            for (int sw : endBySw.keySet()) {
                span = Math.max(span, sw + 1);
            }
        }
        return span;
    }

    /** Where {@code arc} ends on {@code swIfIndex}: the end set for it, or the arc's default end. */
    String end(FeatureArc arc, int swIfIndex) {
        Map<Integer, String> endBySw = endByArc.get(arc.name());
        String end = endBySw == null ? null : endBySw.get(swIfIndex);
        return end == null ? arc.defaultEndNode() : end;
    }

    /**
     * The node after {@code position} (null: the arc's start) on {@code arc} for interface {@code swIfIndex}: the
     * next enabled feature in {@code ordered}, or the arc's end.
     */
    String nextAfter(FeatureArc arc, List<String> ordered, String position, int swIfIndex) {
        Set<String> on = enabledOn(arc.name(), swIfIndex);
        int from = position == null ? 0 : ordered.indexOf(position) + 1;
        for (int i = from; i < ordered.size(); i++) {
            if (on.contains(ordered.get(i))) {
                return ordered.get(i);
            }
        }
        return end(arc, swIfIndex);
    }

    /** The features enabled on {@code swIfIndex} of {@code arc}, in the order packets pass them. */
    List<String> enabledInOrder(String arc, int swIfIndex, Map<String, NodeRegistration> registrations) {
        Set<String> on = enabledOn(arc, swIfIndex);
        List<String> result = new ArrayList<>();
        for (String name : order(arc, registrations)) {
            if (on.contains(name)) {
                result.add(name);
            }
        }
        return result;
    }

    /**
     * Every feature node of {@code arc} known by registration (present or away), ordered by their before/after
     * constraints; ties, and the members of a cycle, by name. Slow paths ({@code continuesAfter}) are no members.
     */
    static List<String> order(String arc, Map<String, NodeRegistration> registrations) {
        List<String> members = new ArrayList<>();
        for (Map.Entry<String, NodeRegistration> entry : new TreeMap<>(registrations).entrySet()) {
            FeatureRegistration feature = entry.getValue().feature();
            if (feature != null && feature.arc().equals(arc) && feature.continuesAfter() == null) {
                members.add(entry.getKey());
            }
        }
        Map<String, Set<String>> mustFollow = new HashMap<>();
        for (String name : members) {
            mustFollow.put(name, new LinkedHashSet<>());
        }
        for (String name : members) {
            FeatureRegistration feature = registrations.get(name).feature();
            for (String after : feature.runsAfter()) {
                if (mustFollow.containsKey(after)) {
                    mustFollow.get(name).add(after);
                }
            }
            for (String before : feature.runsBefore()) {
                if (mustFollow.containsKey(before)) {
                    mustFollow.get(before).add(name);
                }
            }
        }
        List<String> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (ordered.size() < members.size()) {
            boolean progress = false;
            for (String name : members) {
                if (!placed.contains(name) && placed.containsAll(mustFollow.get(name))) {
                    ordered.add(name);
                    placed.add(name);
                    progress = true;
                    break;
                }
            }
            if (!progress) {
                // A cycle: the rest in name order, so that the graph still runs (the cycle is a problem to fix).
                for (String name : members) {
                    if (placed.add(name)) {
                        ordered.add(name);
                    }
                }
            }
        }
        return ordered;
    }
}
