package io.sluice.vnet.api;

/** What {@link PortAttachment} needs of a driver's checked port configuration. */
public interface PortConfig {

    /** The configuration's key for the interface name, the same for every driver. */
    String NAME = "name";
    /** The configuration's key for the port's MAC. */
    String MAC = "mac";
    /** The configuration's key for the admin state a fresh interface gets. */
    String ADMIN_UP = "admin.up";
    /** The configuration's key for the port's rx-mode (polling, interrupt, adaptive; absent: its worker's). */
    String RX_MODE = "rx-mode";
    /**
     * The configuration's key for the workers that poll the port's receive queues, one or more separated by commas or
     * spaces, queue q on the (q mod n)-th (VPP's {@code dev { workers }}; absent: after its input node's worker).
     */
    String RX_PLACEMENT = "rx-placement";

    /** The configuration's PID, quoted in messages. */
    String pid();

    /** Admin state given to the interface when it is first registered. */
    boolean adminUp();

    /**
     * The placement of the port's receive queues on a graph of {@code workers} workers when its file has no
     * {@link #RX_PLACEMENT} (queue q on {@code placement[q % length]}), or null for the interface table's default: a
     * driver that knows whose flows a queue carries (a queue steered to worker q, a pod's port) says so here.
     */
    default int[] rxPlacement(int workers) {
        return null;
    }
}
