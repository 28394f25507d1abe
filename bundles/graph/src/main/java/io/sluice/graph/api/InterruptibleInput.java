package io.sluice.graph.api;

/**
 * An input node that can tell its worker what to sleep on (VPP's {@code rx-mode interrupt}, and {@code adaptive}
 * which switches between the two): the file descriptors that poll(2) reports readable (POLLIN) when the node has
 * frames to take. A worker in rx-mode adaptive that has found no work for a while sleeps in poll(2) on the
 * descriptors of all its input nodes instead of polling them, and polls again from the first frame on. An input
 * node that does not implement this, or answers {@link #POLLING_ONLY}, keeps its worker polling (DPDK's poll mode
 * driver has no descriptor). Called on the worker's thread, only when it is about to sleep, never per packet.
 */
public interface InterruptibleInput {

    /** The node cannot be waited for: its worker keeps polling. */
    int POLLING_ONLY = -1;

    /**
     * Writes the descriptors worker {@code worker} waits on for this node into {@code fds[from..]} (all of the
     * node's, unless it is a {@link QueuePlacedInput}: those of the queues placed on that worker). Returns how many
     * it wrote (0: nothing to wait for now, such as a driver with no port), or {@link #POLLING_ONLY} when one of them
     * has no descriptor or they do not fit in {@code fds}.
     */
    int rxFds(int worker, int[] fds, int from);
}
