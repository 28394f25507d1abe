package io.sluice.vnet.api;

import io.sluice.packet.api.BufferPool;

/**
 * Buffer flags that features set for other features to read (VPP's {@code VNET_BUFFER_F_*}, src/vnet/buffer.h),
 * in {@link BufferPool#META_FLAGS} from {@link BufferPool#FIRST_VNET_FLAG} up; the bits below are the pool's.
 */
public final class VnetBufferFlags {

    /**
     * NAT44 translated the packet (VPP's {@code VNET_BUFFER_F_IS_NATED}): ip4-icmp-error quotes such a packet only
     * as its sender sent it, with the destination nat44-out2in left in {@code Opaque.NAT_ARRIVED_DST_*} put back
     * (the translated header would show the inside address to the outside), and not at all without one.
     */
    public static final int NATED = BufferPool.FIRST_VNET_FLAG;

    private VnetBufferFlags() {
    }
}
