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

    /**
     * nat44-out2in to ip4-icmp-error: the destination address a packet arrived with, before out2in translated it
     * (valid only while the buffer is {@code VnetBufferFlags.NATED} on the ip4-unicast arc, with
     * {@link #NAT_ARRIVED_DST_PORT}), so that an ICMP error the box builds about it quotes what its sender sent
     * (RFC 5508 section 4.2, REQ-4) rather than the inside address. Shares {@link #DRIVER}'s slot: a driver's
     * scratch is read by its own input node only, which has run before any ip4 feature.
     */
    public static final int NAT_ARRIVED_DST_ADDRESS = DRIVER;
    /**
     * With {@link #NAT_ARRIVED_DST_ADDRESS}: the destination port (or ICMP echo identifier) the packet arrived with,
     * or -1 when out2in rewrote more than the destination (hairpinning also rewrites the source) and no error may
     * quote it. Shares {@link #NODE_SCRATCH_1}: between ip4-unicast and ip4-icmp-error no node uses that slot
     * (ip4-lookup's resolve and ip4-icmp-error's request sit in {@link #NODE_SCRATCH_0}).
     */
    public static final int NAT_ARRIVED_DST_PORT = NODE_SCRATCH_1;

    private Opaque() {
    }
}
