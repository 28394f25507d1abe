package io.sluice.graph.api;

import java.util.Locale;

/**
 * One error counter of a node, shown as {@code /err/<node>/<counter-name>}. Implemented by each node's error
 * enum, whose ordinal is the counter's index in {@link NodeContext#countError(int, long)}.
 */
public interface NodeError {
    /** The enum constant's name; the counter is shown by {@link #counterName()}. */
    String name();

    /** What happened, in the words an engineer reads in {@code errors:show} (VPP's wording where one exists). */
    String description();

    /** Lower case words joined by hyphens, VPP-style: NO_ROUTE becomes no-route. */
    default String counterName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
