package io.sluice.driver.dpdk.internal;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * DPDK 22.11's exported functions and data, bound with java.lang.foreign (no C). The libraries are opened by
 * their sonames (Debian bookworm's dpdk package: ABI 23); a library or symbol that is missing makes
 * {@link #bind()} throw {@link DpdkUnavailableException} with one sentence saying what and why.
 *
 * <p>The data-path entry points (rx_pkt_burst, tx_pkt_burst, the mempool's dequeue) are static inline in
 * DPDK's headers; {@link DpdkPort} and {@link MbufPool} call the function pointers behind them through
 * handles made with {@link #downcall(MemorySegment, FunctionDescriptor)}.
 */
public final class Rte {

    /** Sonames of DPDK 22.11 (ABI 23) as Debian installs them. */
    public static final String EAL = "librte_eal.so.23";
    public static final String ETHDEV = "librte_ethdev.so.23";
    public static final String MEMPOOL = "librte_mempool.so.23";
    public static final String MBUF = "librte_mbuf.so.23";

    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    static final AddressLayout POINTER = ValueLayout.ADDRESS;
    /**
     * A pointer argument passed as a raw address on the data path: the x86-64 and AArch64 C ABIs pass a
     * pointer and a 64-bit integer in the same register, and a long needs no MemorySegment per call.
     */
    static final ValueLayout.OfLong ADDRESS_VALUE = ValueLayout.JAVA_LONG;

    /**
     * Every byte of the process, for reading DPDK's structures at addresses it hands out (mbufs, the
     * fp_ops array): offsets into this segment are absolute addresses.
     */
    static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final Linker LINKER = Linker.nativeLinker();

    // rte_eal.h, rte_version.h, rte_lcore.h
    final MethodHandle ealInit;
    final MethodHandle version;
    final MethodHandle lcoreCount;
    final MethodHandle socketId;
    // rte_mempool.h, rte_mbuf.h
    final MethodHandle mempoolLookup;
    final MethodHandle mempoolAvailCount;
    final MethodHandle pktmbufPoolCreate;
    final MethodHandle pktmbufFreeBulk;
    final MemorySegment mempoolOpsTable;
    // rte_ethdev.h
    final MethodHandle ethDevCountAvail;
    final MethodHandle ethDevGetPortByName;
    final MethodHandle ethDevSocketId;
    final MethodHandle ethDevConfigure;
    final MethodHandle ethRxQueueSetup;
    final MethodHandle ethTxQueueSetup;
    final MethodHandle ethDevStart;
    final MethodHandle ethDevStop;
    final MethodHandle ethPromiscuousEnable;
    final MethodHandle ethMacaddrGet;
    final MethodHandle ethLinkGetNowait;
    final MethodHandle ethDevGetMtu;
    final MethodHandle ethStatsGet;
    final MethodHandle ethCallRxCallbacks;
    final MemorySegment ethFpOps;

    private Rte(SymbolLookup eal, SymbolLookup ethdev, SymbolLookup mempool, SymbolLookup mbuf) {
        ealInit = function(eal, EAL, "rte_eal_init", FunctionDescriptor.of(INT, INT, POINTER));
        version = function(eal, EAL, "rte_version", FunctionDescriptor.of(POINTER));
        lcoreCount = function(eal, EAL, "rte_lcore_count", FunctionDescriptor.of(INT));
        socketId = function(eal, EAL, "rte_socket_id", FunctionDescriptor.of(INT));

        mempoolLookup = function(mempool, MEMPOOL, "rte_mempool_lookup", FunctionDescriptor.of(POINTER, POINTER));
        mempoolAvailCount = function(mempool, MEMPOOL, "rte_mempool_avail_count",
                FunctionDescriptor.of(INT, POINTER));
        mempoolOpsTable = symbol(mempool, MEMPOOL, "rte_mempool_ops_table");
        // struct rte_mempool *rte_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
        //     uint16_t priv_size, uint16_t data_room_size, int socket_id)
        pktmbufPoolCreate = function(mbuf, MBUF, "rte_pktmbuf_pool_create",
                FunctionDescriptor.of(POINTER, POINTER, INT, INT, SHORT, SHORT, INT));
        pktmbufFreeBulk = critical(mbuf, MBUF, "rte_pktmbuf_free_bulk", FunctionDescriptor.ofVoid(ADDRESS_VALUE, INT));

        ethDevCountAvail = function(ethdev, ETHDEV, "rte_eth_dev_count_avail", FunctionDescriptor.of(SHORT));
        ethDevGetPortByName = function(ethdev, ETHDEV, "rte_eth_dev_get_port_by_name",
                FunctionDescriptor.of(INT, POINTER, POINTER));
        ethDevSocketId = function(ethdev, ETHDEV, "rte_eth_dev_socket_id", FunctionDescriptor.of(INT, SHORT));
        ethDevConfigure = function(ethdev, ETHDEV, "rte_eth_dev_configure",
                FunctionDescriptor.of(INT, SHORT, SHORT, SHORT, POINTER));
        ethRxQueueSetup = function(ethdev, ETHDEV, "rte_eth_rx_queue_setup",
                FunctionDescriptor.of(INT, SHORT, SHORT, SHORT, INT, POINTER, POINTER));
        ethTxQueueSetup = function(ethdev, ETHDEV, "rte_eth_tx_queue_setup",
                FunctionDescriptor.of(INT, SHORT, SHORT, SHORT, INT, POINTER));
        ethDevStart = function(ethdev, ETHDEV, "rte_eth_dev_start", FunctionDescriptor.of(INT, SHORT));
        ethDevStop = function(ethdev, ETHDEV, "rte_eth_dev_stop", FunctionDescriptor.of(INT, SHORT));
        ethPromiscuousEnable = function(ethdev, ETHDEV, "rte_eth_promiscuous_enable",
                FunctionDescriptor.of(INT, SHORT));
        ethMacaddrGet = function(ethdev, ETHDEV, "rte_eth_macaddr_get", FunctionDescriptor.of(INT, SHORT, POINTER));
        ethLinkGetNowait = function(ethdev, ETHDEV, "rte_eth_link_get_nowait",
                FunctionDescriptor.of(INT, SHORT, POINTER));
        ethDevGetMtu = function(ethdev, ETHDEV, "rte_eth_dev_get_mtu", FunctionDescriptor.of(INT, SHORT, POINTER));
        ethStatsGet = function(ethdev, ETHDEV, "rte_eth_stats_get", FunctionDescriptor.of(INT, SHORT, POINTER));
        // uint16_t rte_eth_call_rx_callbacks(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **rx_pkts,
        //     uint16_t nb_rx, uint16_t nb_pkts, void *opaque)
        ethCallRxCallbacks = function(ethdev, ETHDEV, "rte_eth_call_rx_callbacks",
                FunctionDescriptor.of(SHORT, SHORT, SHORT, ADDRESS_VALUE, SHORT, SHORT, ADDRESS_VALUE));
        ethFpOps = symbol(ethdev, ETHDEV, "rte_eth_fp_ops");
    }

    /**
     * Opens DPDK's libraries and binds every symbol the driver uses.
     *
     * @throws DpdkUnavailableException when a library or a symbol is missing
     */
    public static Rte bind() {
        return bind(EAL, ETHDEV, MEMPOOL, MBUF);
    }

    /** As {@link #bind()}, with the library names given (a test names one that does not exist). */
    static Rte bind(String eal, String ethdev, String mempool, String mbuf) {
        // The global arena: DPDK stays loaded for the life of the process (its EAL cannot be re-initialised).
        Arena arena = Arena.global();
        return new Rte(open(eal, arena), open(ethdev, arena), open(mempool, arena), open(mbuf, arena));
    }

    private static SymbolLookup open(String library, Arena arena) {
        try {
            return SymbolLookup.libraryLookup(library, arena);
        } catch (IllegalArgumentException e) {
            throw new DpdkUnavailableException(library + " could not be loaded (DPDK 22.11 is not installed: "
                    + "apt-get install dpdk, or the library path does not hold it)", e);
        }
    }

    private static MemorySegment symbol(SymbolLookup lookup, String library, String name) {
        return lookup.find(name).orElseThrow(() -> new DpdkUnavailableException(
                library + " has no symbol " + name + " (not the DPDK 22.11 ABI this driver binds)", null));
    }

    private static MethodHandle function(SymbolLookup lookup, String library, String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(lookup, library, name), fd);
    }

    private static MethodHandle critical(SymbolLookup lookup, String library, String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(lookup, library, name), fd, Linker.Option.critical(false));
    }

    /**
     * A handle on a function pointer DPDK stores in its structures (a PMD's burst function, a mempool
     * driver's dequeue). Critical: these return in microseconds, never block and never call back into Java,
     * so the thread-state transition of an ordinary downcall is skipped.
     */
    static MethodHandle downcall(MemorySegment function, FunctionDescriptor fd) {
        return LINKER.downcallHandle(function, fd, Linker.Option.critical(false));
    }

    /** rte_version(): "DPDK 22.11.11". */
    public String version() {
        try {
            return ((MemorySegment) version.invokeExact()).reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("rte_version", t);
        }
    }

    /** rte_lcore_count(): 0 until rte_eal_init has run in this process. */
    int lcoreCount() {
        try {
            return (int) lcoreCount.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("rte_lcore_count", t);
        }
    }

    static String string(MemorySegment pointer) {
        return pointer.equals(MemorySegment.NULL) ? "" : pointer.reinterpret(256).getString(0);
    }
}
