package io.sluice.driver.dpdk.internal;

/**
 * Offsets and sizes of the DPDK 22.11 structures the driver reads and writes directly, from the headers of
 * Debian's dpdk-dev 22.11 (x86-64, RTE_IOVA_AS_PA, RTE_ETHDEV_RXTX_CALLBACKS, RTE_MAX_ETHPORTS 32). They
 * change between DPDK releases: {@link #checkVersion} refuses any other version, and {@link MbufPool}
 * checks the mbuf offsets against a live mbuf before a port is opened.
 */
final class RteLayout {

    /** What rte_version() starts with for the layouts below. */
    static final String SUPPORTED_VERSION = "DPDK 22.11";

    // struct rte_mbuf (rte_mbuf_core.h), 128 bytes, two cache lines
    static final int MBUF_SIZE = 128;
    static final long MBUF_BUF_ADDR = 0;        // void *
    static final long MBUF_BUF_IOVA = 8;        // rte_iova_t
    static final long MBUF_DATA_OFF = 16;       // uint16_t
    static final long MBUF_REFCNT = 18;         // uint16_t
    static final long MBUF_NB_SEGS = 20;        // uint16_t
    static final long MBUF_PORT = 22;           // uint16_t
    static final long MBUF_OL_FLAGS = 24;       // uint64_t
    static final long MBUF_PACKET_TYPE = 32;    // uint32_t
    static final long MBUF_PKT_LEN = 36;        // uint32_t
    static final long MBUF_DATA_LEN = 40;       // uint16_t
    static final long MBUF_VLAN_TCI = 42;       // uint16_t
    static final long MBUF_VLAN_TCI_OUTER = 52; // uint16_t
    static final long MBUF_BUF_LEN = 54;        // uint16_t
    static final long MBUF_POOL = 56;           // struct rte_mempool *
    static final long MBUF_NEXT = 64;           // struct rte_mbuf *
    static final long MBUF_TX_OFFLOAD = 72;     // uint64_t: l2_len:7 l3_len:9 l4_len:8 tso_segsz:16 outer_l3_len:9 outer_l2_len:7

    /** RTE_PKTMBUF_HEADROOM of Debian's build. */
    static final int PKTMBUF_HEADROOM = 128;
    /** RTE_MBUF_PORT_INVALID: the port of an mbuf that was not received. */
    static final short MBUF_PORT_INVALID = (short) 0xffff;
    /** RTE_MBUF_F_EXTERNAL: the one ol_flags bit rte_pktmbuf_reset keeps. */
    static final long MBUF_F_EXTERNAL = 1L << 61;

    // struct rte_mempool (rte_mempool.h)
    static final long MEMPOOL_OPS_INDEX = 88;   // int32_t
    // struct rte_mempool_ops_table: spinlock, num_ops, then cache-aligned ops[RTE_MEMPOOL_MAX_OPS_IDX]
    static final long OPS_TABLE_NUM_OPS = 4;    // uint32_t
    static final long OPS_TABLE_OPS = 64;
    static final int OPS_SIZE = 128;
    static final int MEMPOOL_MAX_OPS_IDX = 16;
    static final long OPS_NAME = 0;             // char[32]
    static final long OPS_ENQUEUE = 48;         // int (*)(struct rte_mempool *, void * const *, unsigned)
    static final long OPS_DEQUEUE = 56;         // int (*)(struct rte_mempool *, void **, unsigned)

    // struct rte_eth_fp_ops (rte_ethdev_core.h), one per port, 128 bytes
    static final int MAX_ETHPORTS = 32;
    static final int FP_OPS_SIZE = 128;
    static final long FP_RX_PKT_BURST = 0;      // eth_rx_burst_t
    static final long FP_RXQ_DATA = 24;         // void **data (per queue)
    static final long FP_RXQ_CLBK = 32;         // void **clbk (per queue)
    static final long FP_TX_PKT_BURST = 64;     // eth_tx_burst_t
    static final long FP_TXQ_DATA = 88;

    // sizes of structures passed by pointer
    static final int ETH_CONF_SIZE = 2272;      // struct rte_eth_conf: all zero is the default configuration
    static final int ETH_STATS_SIZE = 704;      // struct rte_eth_stats
    static final long STATS_IPACKETS = 0;
    static final long STATS_OPACKETS = 8;
    static final long STATS_IBYTES = 16;
    static final long STATS_OBYTES = 24;
    static final long STATS_IMISSED = 32;
    static final long STATS_IERRORS = 40;
    static final long STATS_OERRORS = 48;
    static final long STATS_RX_NOMBUF = 56;
    static final int ETH_LINK_SIZE = 8;         // struct rte_eth_link: link_speed u32, then duplex:1 autoneg:1 status:1
    static final long LINK_FLAGS = 4;
    static final int LINK_STATUS_BIT = 1 << 2;

    private RteLayout() {
    }

    /**
     * Refuses a DPDK whose version is not the one these offsets were taken from.
     *
     * @throws DpdkUnavailableException naming the version found and the one supported
     */
    static void checkVersion(String version) {
        if (!version.equals(SUPPORTED_VERSION) && !version.startsWith(SUPPORTED_VERSION + ".")) {
            throw new DpdkUnavailableException("DPDK version '" + version + "' found, but this driver knows the "
                    + "structure layouts (rte_mbuf, rte_eth_fp_ops, rte_mempool) of " + SUPPORTED_VERSION
                    + " only: refusing to bind", null);
        }
    }
}
