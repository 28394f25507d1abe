package io.sluice.packet.api;

/**
 * Slots of the per-feature scratch area in a buffer's metadata ({@link BufferPool#opaque(int, int)}).
 * One table so that two features never reuse a slot by accident.
 */
public final class Opaque {
    /** ip4-lookup to ip4-rewrite: the adjacency (dpo) index chosen. */
    public static final int ADJACENCY = 0;
    /** FIB table the packet is looked up in (0 by default). */
    public static final int FIB_INDEX = 1;
    /** The flow hash ip4-lookup computed (0 when not load-balancing). */
    public static final int FLOW_HASH = 2;
    /**
     * ip4-sv-reassembly to the ACL and NAT features of the same arc ({@link BufferPool#setReassembledL4}): the
     * first fragment's first 4 L4 bytes. Shares the slot with {@link #FIB_INDEX}, which only ip4-lookup writes and
     * reads, between the two arcs (VPP's {@code ip.reass} in a union with {@code fib_index}).
     */
    public static final int REASSEMBLY_PORTS = FIB_INDEX;
    /** With {@link #REASSEMBLY_PORTS}: TCP flags or ICMP echo identifier. Shares {@link #FLOW_HASH}'s slot. */
    public static final int REASSEMBLY_EXTRA = FLOW_HASH;
    /** acl-plugin: session index of the matched or created session, -1 for none. */
    public static final int ACL_SESSION = 3;
    /** nat44: session index of the translation applied, -1 for none. */
    public static final int NAT_SESSION = 4;
    /** driver scratch: e.g. the virtio-net header flags or the rx queue. */
    public static final int DRIVER = 5;
    /** Free for a node to hand a value to its own slow path. */
    public static final int NODE_SCRATCH_0 = 6;
    public static final int NODE_SCRATCH_1 = 7;

    private Opaque() {
    }
}
