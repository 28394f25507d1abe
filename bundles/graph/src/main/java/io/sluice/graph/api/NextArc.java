package io.sluice.graph.api;

import java.util.List;

/**
 * A node's next arc, declared as a constant of a per-node enum: the constant's ordinal is the arc index the node
 * writes for a buffer, {@link #nodeName()} the node the arc leads to. This is VPP's
 * {@code .next_nodes = { [IP4_LOOKUP_NEXT_DROP] = "error-drop", ... }}: index and name are declared together, so
 * they cannot drift apart.
 *
 * <p>A node keeps the ordinals it writes in {@code static final int} fields
 * ({@code static final int NEXT_DROP = Next.DROP.ordinal();}) so the JIT folds them to constants.
 */
public interface NextArc {

    /** The name of the node this arc leads to. */
    String nodeName();

    /** The node names of an enum's arcs in ordinal order, as {@link NodeRegistration#nextNodes()} takes them. */
    static <E extends Enum<E> & NextArc> List<String> names(Class<E> arcs) {
        E[] constants = arcs.getEnumConstants();
        String[] names = new String[constants.length];
        for (int i = 0; i < constants.length; i++) {
            names[i] = constants[i].nodeName();
        }
        return List.of(names);
    }
}
