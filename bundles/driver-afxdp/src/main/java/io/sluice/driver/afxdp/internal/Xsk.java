package io.sluice.driver.afxdp.internal;

/**
 * Layouts and constants of AF_XDP sockets, x86-64: include/uapi/linux/if_xdp.h (the kernel's rings, bind flags,
 * statistics) and libxdp 1.3's xdp/xsk.h (the ring handles and configurations xsk_umem__create and
 * xsk_socket__create fill in).
 *
 * <pre>
 *  struct xsk_ring_prod / xsk_ring_cons (xsk.h DEFINE_XSK_RING), 48 bytes:
 *   0 cached_prod (u32)   4 cached_cons (u32)   8 mask (u32)   12 size (u32)
 *  16 producer (u32 *)   24 consumer (u32 *)   32 ring (void *)   40 flags (u32 *)
 *
 *  struct xdp_desc (RX and TX ring entries), 16 bytes:   0 addr (u64)   8 len (u32)   12 options (u32)
 *  fill and completion ring entries: a u64 UMEM address each
 * </pre>
 */
final class Xsk {

    static final int RING_SIZE = 48;
    static final int RING_CACHED_PROD = 0;
    static final int RING_CACHED_CONS = 4;
    static final int RING_MASK = 8;
    static final int RING_ENTRIES = 12;
    static final int RING_PRODUCER = 16;
    static final int RING_CONSUMER = 24;
    static final int RING_DESCRIPTORS = 32;
    static final int RING_FLAGS = 40;

    static final int DESC_SIZE = 16;
    static final int DESC_ADDR = 0;
    static final int DESC_LEN = 8;
    static final int DESC_OPTIONS = 12;
    static final int ADDR_SIZE = 8;

    /**
     * In unaligned chunk mode the kernel hands back an address whose top 16 bits are the offset of the data in
     * the chunk (XSK_UNALIGNED_BUF_OFFSET_SHIFT); in aligned mode they are zero, so the sum works for both.
     */
    static final int UNALIGNED_OFFSET_SHIFT = 48;
    static final long UNALIGNED_ADDR_MASK = (1L << UNALIGNED_OFFSET_SHIFT) - 1;

    /** struct xsk_umem_config: fill_size, comp_size, frame_size, frame_headroom, flags (u32 each). */
    static final int UMEM_CONFIG_SIZE = 20;
    static final int UMEM_FILL_SIZE = 0;
    static final int UMEM_COMP_SIZE = 4;
    static final int UMEM_FRAME_SIZE = 8;
    static final int UMEM_FRAME_HEADROOM = 12;
    static final int UMEM_FLAGS = 16;

    /** struct xsk_socket_config: rx_size, tx_size, libxdp_flags, xdp_flags (u32), bind_flags (u16); 20 bytes. */
    static final int SOCKET_CONFIG_SIZE = 20;
    static final int SOCKET_RX_SIZE = 0;
    static final int SOCKET_TX_SIZE = 4;
    static final int SOCKET_LIBXDP_FLAGS = 8;
    static final int SOCKET_XDP_FLAGS = 12;
    static final int SOCKET_BIND_FLAGS = 16;

    /** sxdp_flags: the kernel copies (any netdev with XDP, native or generic). */
    static final int XDP_COPY = 1 << 1;
    /** sxdp_flags: the driver writes into the UMEM itself; refused with EOPNOTSUPP where it cannot. */
    static final int XDP_ZEROCOPY = 1 << 2;
    /** sxdp_flags: the kernel says in a ring's flags when it needs a syscall to go on (need_wakeup). */
    static final int XDP_USE_NEED_WAKEUP = 1 << 3;
    /** A ring's flags word: the kernel waits for sendto(2) (TX) or poll(2) (fill) to process the ring. */
    static final int XDP_RING_NEED_WAKEUP = 1;

    /** Socket option level and XDP_STATISTICS (getsockopt): struct xdp_statistics, six u64. */
    static final int SOL_XDP = 283;
    static final int XDP_STATISTICS = 7;
    static final int STATS_SIZE = 48;
    /** Frames the kernel dropped: no fill-ring buffer, or longer than a frame. */
    static final int STATS_RX_DROPPED = 0;
    static final int STATS_RX_INVALID_DESCS = 8;
    static final int STATS_TX_INVALID_DESCS = 16;
    /** Frames the kernel dropped because the RX ring was full (the driver did not keep up). */
    static final int STATS_RX_RING_FULL = 24;
    /** Times the kernel found the fill ring empty (each such frame is also in rx_dropped). */
    static final int STATS_RX_FILL_RING_EMPTY = 32;
    static final int STATS_TX_RING_EMPTY = 40;

    private Xsk() {
    }
}
