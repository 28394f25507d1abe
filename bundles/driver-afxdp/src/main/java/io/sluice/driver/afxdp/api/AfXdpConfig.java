package io.sluice.driver.afxdp.api;

/**
 * The queue, ring sizes and bind mode of one host port's AF_XDP socket (Documentation/networking/af_xdp.rst).
 *
 * @param queueId   the netdev's receive queue the socket binds to (the XSK map's key in libxdp's program)
 * @param rxSize    descriptors of the RX ring; the fill ring and the receive half of the UMEM have as many
 * @param txSize    descriptors of the TX ring; the completion ring and the transmit half of the UMEM have as many
 * @param frameSize bytes of one UMEM frame: 2048 or 4096 (aligned chunk mode needs a power of two); the
 *                  kernel keeps XDP_PACKET_HEADROOM (256 bytes) of it, so 2048 takes frames up to 1792 bytes
 * @param bindMode  copy or zero-copy (XDP_COPY, XDP_ZEROCOPY), or zero-copy with copy as the fallback
 */
public record AfXdpConfig(int queueId, int rxSize, int txSize, int frameSize, BindMode bindMode) {

    /** How the socket binds (sxdp_flags in struct sockaddr_xdp, include/uapi/linux/if_xdp.h). */
    public enum BindMode {
        /** XDP_COPY: the kernel copies each frame between its buffers and the UMEM; any netdev with XDP. */
        COPY,
        /** XDP_ZEROCOPY: the NIC writes into the UMEM; only drivers with AF_XDP zero-copy support. */
        ZERO_COPY,
        /** Zero-copy where the driver supports it, else copy (VPP's af_xdp default). */
        AUTO
    }

    /** XDP_PACKET_HEADROOM (include/uapi/linux/bpf.h): the kernel keeps it at the start of every frame. */
    public static final int XDP_PACKET_HEADROOM = 256;

    public AfXdpConfig {
        if (queueId < 0) {
            throw new IllegalArgumentException("queue id must not be negative: " + queueId);
        }
        if (!powerOfTwo(rxSize) || !powerOfTwo(txSize)) {
            throw new IllegalArgumentException("ring sizes must be powers of two (xsk_queue.c): rx " + rxSize
                    + ", tx " + txSize);
        }
        if (frameSize != 2048 && frameSize != 4096) {
            throw new IllegalArgumentException("frame size must be 2048 or 4096: " + frameSize);
        }
        if (bindMode == null) {
            throw new IllegalArgumentException("bind mode must be given");
        }
    }

    private static boolean powerOfTwo(int n) {
        return n > 0 && (n & (n - 1)) == 0;
    }

    /** The largest frame a UMEM frame holds after the kernel's headroom. */
    public int maxFrameLength() {
        return frameSize - XDP_PACKET_HEADROOM;
    }

    /**
     * Queue 0, 2048 descriptors each way with 2 KiB frames (8 MiB of UMEM), auto bind: enough for a burst of a
     * few ms at a million frames a second, and a veth falls back to copy mode (it has native XDP, no zero-copy).
     */
    public static AfXdpConfig defaults() {
        return new AfXdpConfig(0, 2048, 2048, 2048, BindMode.AUTO);
    }
}
