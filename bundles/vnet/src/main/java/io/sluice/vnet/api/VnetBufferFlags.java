package io.sluice.vnet.api;

import io.sluice.packet.api.BufferPool;

/**
 * Buffer flags that features set for other features to read (VPP's {@code VNET_BUFFER_F_*}, src/vnet/buffer.h),
 * in {@link BufferPool#META_FLAGS} from {@link BufferPool#FIRST_VNET_FLAG} up; the bits below are the pool's.
 */
public final class VnetBufferFlags {

    /**
     * NAT44 translated the packet (VPP's {@code VNET_BUFFER_F_IS_NATED}): ip4-icmp-error quotes no such packet,
     * its inner header would show the translated address to the wrong side.
     */
    public static final int NATED = BufferPool.FIRST_VNET_FLAG;

    private VnetBufferFlags() {
    }
}
