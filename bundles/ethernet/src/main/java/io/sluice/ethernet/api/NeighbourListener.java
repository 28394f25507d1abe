package io.sluice.ethernet.api;

/**
 * Told on a control-plane thread when a neighbour appears, changes its MAC or goes away (the FIB keeps its
 * adjacencies' rewrites and its /32 neighbour routes in step).
 */
public interface NeighbourListener {

    /** {@code mac} is the new address, or {@link NeighbourTable#NO_MAC} when the entry was removed. */
    void neighbourChanged(int swIfIndex, int ip4Address, long mac);
}
