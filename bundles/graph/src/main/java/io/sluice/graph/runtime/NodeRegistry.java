package io.sluice.graph.runtime;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime.NodeInfo;
import io.sluice.graph.api.NodeKind;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeRegistration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes the graph knows, by name, and the slot each name holds. A slot is given once and never reused: a
 * node that goes away keeps its slot (its counters and the buffers parked for it) for the replacement, and a
 * name that some next arc mentions gets a slot before anything registers under it. The registration a name
 * last had is kept after its node leaves, so the graph can say "absent" rather than "unresolved", and so a
 * feature enabled on it stays a feature of its arc.
 *
 * <p>Changes are made under the engine's lock. {@link #slot} and {@link #registration} may be read without it.
 */
final class NodeRegistry {

    /** The state {@code node:list} shows for a slot. */
    static final String ACTIVE = "active";
    /** A node that registered once and left (a bundle update): its frames wait for the replacement. */
    static final String ABSENT = "absent (parking)";
    /** A name that next arcs mention and nothing has registered: its frames wait for it. */
    static final String UNRESOLVED = "unresolved (parking)";

    private final Map<String, Integer> slotByName = new ConcurrentHashMap<>();
    private final List<String> slotNames = new ArrayList<>();
    private final List<Node> nodeBySlot = new ArrayList<>();
    private final Map<String, NodeRegistration> lastRegistration = new ConcurrentHashMap<>();
    private final Map<String, FeatureArc> arcs = new LinkedHashMap<>();

    /** Puts {@code node} in its name's slot, replacing whatever held it; remembers the arcs it starts. */
    void add(Node node) {
        NodeRegistration registration = node.registration();
        int slot = slotOf(registration.name());
        nodeBySlot.set(slot, node);
        lastRegistration.put(registration.name(), registration);
        for (FeatureArc arc : registration.startsArcs()) {
            arcs.put(arc.name(), arc);
        }
    }

    /**
     * Empties the slot of {@code node} if this very instance holds it (a replacement that registered before the
     * old one left stays). Returns whether it did. The registration and the slot stay: frames park there.
     */
    boolean remove(Node node) {
        Integer slot = slotByName.get(node.registration().name());
        if (slot != null && nodeBySlot.get(slot) == node) {
            nodeBySlot.set(slot, null);
            return true;
        }
        return false;
    }

    /** The slot of {@code name}, given now if it has none. */
    int slotOf(String name) {
        Integer slot = slotByName.get(name);
        if (slot != null) {
            return slot;
        }
        int created = slotNames.size();
        slotNames.add(name);
        nodeBySlot.add(null);
        slotByName.put(name, created);
        return created;
    }

    /** The slot of {@code name}, or -1 when it has none. */
    int slot(String name) {
        Integer slot = slotByName.get(name);
        return slot == null ? -1 : slot;
    }

    int slotCount() {
        return slotNames.size();
    }

    String name(int slot) {
        return slotNames.get(slot);
    }

    /** The node in {@code slot}, or null while it is absent or unresolved. */
    Node node(int slot) {
        return nodeBySlot.get(slot);
    }

    /** The registration {@code name} had last, present or not; null when nothing ever registered it. */
    NodeRegistration registration(String name) {
        return lastRegistration.get(name);
    }

    /** Whether something registered under {@code name} once: a missing node is then being replaced. */
    boolean everRegistered(String name) {
        return lastRegistration.containsKey(name);
    }

    /** Every name's last registration (a read-only view). */
    Map<String, NodeRegistration> registrations() {
        return Collections.unmodifiableMap(lastRegistration);
    }

    /** The feature arc named {@code name}, defined by the registration of its start node; null if none. */
    FeatureArc arc(String name) {
        return arcs.get(name);
    }

    /** The feature arcs started by registered nodes, in the order they were first seen (a read-only view). */
    Map<String, FeatureArc> arcs() {
        return Collections.unmodifiableMap(arcs);
    }

    /** What {@code node:list} says of a slot whose plan holds {@code node} (null while absent). */
    String state(String name, Node node) {
        if (node != null) {
            return ACTIVE;
        }
        return everRegistered(name) ? ABSENT : UNRESOLVED;
    }

    /** {@code node:list}: every slot of {@code graph} with its kind, state, next nodes and feature arc. */
    List<NodeInfo> nodes(GraphSnapshot graph) {
        List<NodeInfo> result = new ArrayList<>();
        for (SlotPlan plan : graph.plans) {
            NodeRegistration registration = plan.registration != null ? plan.registration : registration(plan.name);
            NodeKind kind = registration == null ? NodeKind.INTERNAL : registration.kind();
            String arc = registration == null || registration.feature() == null ? "" : registration.feature().arc();
            result.add(new NodeInfo(plan.name, kind, state(plan.name, plan.node), List.of(plan.nextNames), arc));
        }
        return result;
    }
}
