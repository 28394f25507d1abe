package io.sluice.graph.runtime;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeKind;
import io.sluice.graph.api.NodeRegistration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles the registered nodes and the desired feature state into an immutable {@link GraphSnapshot}: each
 * slot's next arcs resolved to destination slots, and each feature arc into per-interface tables of arc indices
 * (what {@code NodeContext.featureNext}/{@code featureStart} read with one array access). A pure function of its
 * inputs: it reads the registry and changes nothing. A name that a next arc or a feature table mentions and
 * that has no slot yet gets the next free slot number in the snapshot, in order; the caller gives the registry
 * those slots when it publishes ({@link #claimNewSlots}).
 */
final class GraphBuilder {

    private GraphBuilder() {
    }

    /** Why a part of the graph cannot run yet: decides how loudly the engine reports it. */
    enum Cause {
        /** The node registered once and is away: the normal course of a bundle update. */
        BEING_REPLACED,
        /** Nothing ever registered the name: expected while the box starts, a mistake after that. */
        MISSING
    }

    /** A problem of the compiled graph, in words ({@code GraphRuntime.problems}). */
    record Problem(Cause cause, String text) {
    }

    record Result(GraphSnapshot snapshot, List<Problem> problems) {
    }

    /** One slot's next node names (registered arcs first, then those the feature tables added) and tables. */
    private record Compiled(List<String> nextNames, int[] featureNext, int featureNextDefault, int[][] featureStart,
                            int[] featureStartDefault) {
        static final Compiled EMPTY = new Compiled(List.of(), new int[0], -1, new int[0][], new int[0]);
    }

    static Result build(NodeRegistry registry, FeatureState features, int parkCapacity, long version) {
        List<Problem> problems = new ArrayList<>();
        Map<String, List<String>> orderByArc = new HashMap<>();
        for (String arc : registry.arcs().keySet()) {
            orderByArc.put(arc, FeatureState.order(arc, registry.registrations()));
        }
        int knownSlots = registry.slotCount();
        List<Compiled> compiled = new ArrayList<>(knownSlots);
        for (int slot = 0; slot < knownSlots; slot++) {
            Node node = registry.node(slot);
            compiled.add(node == null ? Compiled.EMPTY
                    : compile(registry.name(slot), node.registration(), registry, features, orderByArc, problems));
        }
        // A name no node has registered yet gets a slot now, so that buffers sent to it can park there.
        Map<String, Integer> newSlots = new HashMap<>();
        List<String> newNames = new ArrayList<>();
        for (Compiled slot : compiled) {
            for (String next : slot.nextNames()) {
                if (registry.slot(next) < 0 && !newSlots.containsKey(next)) {
                    newSlots.put(next, knownSlots + newNames.size());
                    newNames.add(next);
                }
            }
        }
        SlotPlan[] plans = new SlotPlan[knownSlots + newNames.size()];
        List<Integer> inputs = new ArrayList<>();
        for (int slot = 0; slot < knownSlots; slot++) {
            String name = registry.name(slot);
            Node node = registry.node(slot);
            NodeRegistration registration = node == null ? registry.registration(name) : node.registration();
            Compiled slotTables = compiled.get(slot);
            List<String> nextNames = slotTables.nextNames();
            int[] nextSlots = new int[nextNames.size()];
            for (int arc = 0; arc < nextSlots.length; arc++) {
                String next = nextNames.get(arc);
                int known = registry.slot(next);
                nextSlots[arc] = known >= 0 ? known : newSlots.get(next);
                if (node != null && (known < 0 || registry.node(known) == null)) {
                    Cause cause = registry.everRegistered(next) ? Cause.BEING_REPLACED : Cause.MISSING;
                    problems.add(new Problem(cause, "node '" + name + "' next arc " + arc + " '" + next + "': "
                            + (cause == Cause.BEING_REPLACED ? "node is being replaced" : "no such node is registered")
                            + "; buffers sent there are parked (at most " + parkCapacity
                            + " per worker), then dropped and counted"));
                }
            }
            if (node != null && registration.kind() == NodeKind.INPUT) {
                inputs.add(slot);
            }
            plans[slot] = new SlotPlan(slot, name, node, registration, nextSlots, nextNames.toArray(new String[0]),
                    slotTables.featureNext(), slotTables.featureNextDefault(), slotTables.featureStart(),
                    slotTables.featureStartDefault());
        }
        for (int i = 0; i < newNames.size(); i++) {
            int slot = knownSlots + i;
            plans[slot] = new SlotPlan(slot, newNames.get(i), null, null, new int[0], new String[0], new int[0], -1,
                    new int[0][], new int[0]);
        }
        for (FeatureState.Enabled feature : features.enabled()) {
            int slot = registry.slot(feature.node());
            if (slot < 0 || registry.node(slot) == null) {
                boolean away = registry.everRegistered(feature.node());
                problems.add(new Problem(away ? Cause.BEING_REPLACED : Cause.MISSING, "feature '" + feature.node()
                        + "' enabled on arc '" + feature.arc() + "' sw_if_index " + feature.swIfIndex()
                        + (away ? ": node is being replaced" : " has no registered node") + "; its buffers are parked"));
            }
        }
        int[] inputSlots = inputs.stream().mapToInt(Integer::intValue).toArray();
        return new Result(new GraphSnapshot(version, plans, inputSlots), List.copyOf(problems));
    }

    /** Gives the registry the slots {@code snapshot} handed out to names it did not know. */
    static void claimNewSlots(NodeRegistry registry, GraphSnapshot snapshot) {
        for (int slot = registry.slotCount(); slot < snapshot.plans.length; slot++) {
            int claimed = registry.slotOf(snapshot.plans[slot].name);
            if (claimed != slot) {
                throw new IllegalStateException("slot " + slot + " of '" + snapshot.plans[slot].name
                        + "' was built against another registry (it holds slot " + claimed + ")");
            }
        }
    }

    /** The next arcs of one present node, extended by the nodes its feature tables lead to. */
    private static Compiled compile(String name, NodeRegistration registration, NodeRegistry registry,
                                    FeatureState features, Map<String, List<String>> orderByArc,
                                    List<Problem> problems) {
        List<String> nextNames = new ArrayList<>(registration.nextNodes());
        int[] featureNext = new int[0];
        int featureNextDefault = -1;
        FeatureRegistration feature = registration.feature();
        if (feature != null) {
            FeatureArc arc = registry.arc(feature.arc());
            if (arc == null) {
                problems.add(new Problem(Cause.MISSING, "node '" + name + "': feature arc '" + feature.arc()
                        + "' is not started by any registered node"));
            } else {
                // A slow path continues the arc where its fast path stood.
                String position = feature.continuesAfter() == null ? name : feature.continuesAfter();
                List<String> ordered = orderByArc.get(arc.name());
                featureNext = new int[features.interfaceSpan(arc.name())];
                for (int sw = 0; sw < featureNext.length; sw++) {
                    featureNext[sw] = arcTo(nextNames, features.nextAfter(arc, ordered, position, sw));
                }
                featureNextDefault = arcTo(nextNames, arc.defaultEndNode());
            }
        }
        List<FeatureArc> started = registration.startsArcs();
        int[][] featureStart = new int[started.size()][];
        int[] featureStartDefault = new int[started.size()];
        for (int a = 0; a < started.size(); a++) {
            FeatureArc arc = started.get(a);
            List<String> ordered = orderByArc.get(arc.name());
            featureStart[a] = new int[features.interfaceSpan(arc.name())];
            for (int sw = 0; sw < featureStart[a].length; sw++) {
                featureStart[a][sw] = arcTo(nextNames, features.nextAfter(arc, ordered, null, sw));
            }
            featureStartDefault[a] = arcTo(nextNames, arc.defaultEndNode());
        }
        return new Compiled(nextNames, featureNext, featureNextDefault, featureStart, featureStartDefault);
    }

    /** The arc index of {@code node} in {@code nextNames}, appending it when the node has no arc there yet. */
    private static int arcTo(List<String> nextNames, String node) {
        int arc = nextNames.indexOf(node);
        if (arc < 0) {
            nextNames.add(node);
            arc = nextNames.size() - 1;
        }
        return arc;
    }
}
