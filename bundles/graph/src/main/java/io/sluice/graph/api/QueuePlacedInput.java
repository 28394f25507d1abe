package io.sluice.graph.api;

/**
 * An input node whose receive queues are placed on the workers one by one (VPP's rx placement, {@code set interface
 * rx-placement}): every worker calls it, and a call polls only the queues placed on the calling worker
 * ({@link NodeContext#workerIndex()}; {@link InterruptibleInput#rxFds} likewise names only that worker's
 * descriptors). A port's queues can so spread over the cores, or a port land on the worker that owns its flows,
 * while each queue is still polled by exactly one worker. An input node that is not one is polled by the one worker
 * its placement names.
 */
public interface QueuePlacedInput {

    /** The worker that polls queue {@code queue} of interface {@code swIfIndex}, or -1 when this node has no such queue. */
    int queueWorker(int swIfIndex, int queue);

    /**
     * Places the queues again, as their placement now says: called by the graph under its barrier
     * ({@link GraphRuntime#placeQueues}), when the node joins it (a queue listed before the node had its slot went
     * where the default put it) and when a queue is moved.
     */
    void placeQueues();
}
