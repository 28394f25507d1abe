package io.sluice.driver.dpdk.internal;

import static io.sluice.driver.dpdk.internal.Rte.NATIVE;
import static io.sluice.driver.dpdk.internal.RteLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * DPDK's packet mbuf pool (rte_pktmbuf_pool_create), shared by every port: the PMDs fill receive rings
 * from it and transmit takes mbufs from it. Allocation for transmit goes through the mempool driver's
 * dequeue function (what the static inline rte_pktmbuf_alloc_bulk does from a thread that is not an EAL
 * lcore, which has no per-lcore cache), followed by rte_pktmbuf_reset's field writes.
 */
final class MbufPool {

    static final String NAME = "sluice_mbufs";
    /** RTE_MBUF_DEFAULT_BUF_SIZE: 2048 bytes of data after the 128-byte headroom; buf_len 2176 in traces. */
    static final int DATA_ROOM = 2048 + PKTMBUF_HEADROOM;
    /** Per-lcore cache; unused by the Java workers (not EAL threads), used by EAL's own threads. */
    private static final int CACHE_SIZE = 256;

    private final Rte rte;
    private final long pool;
    private final MethodHandle dequeue;

    private MbufPool(Rte rte, long pool, MethodHandle dequeue) {
        this.rte = rte;
        this.pool = pool;
        this.dequeue = dequeue;
    }

    /**
     * The pool named {@link #NAME}: found when an earlier instance of the driver made it in this process,
     * created otherwise. Checks the mbuf layout against a live mbuf.
     *
     * @throws DpdkUnavailableException when it cannot be created or the layout does not match
     */
    static MbufPool open(Rte rte, int count) {
        long address;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment name = scratch.allocateFrom(NAME);
            address = ((MemorySegment) rte.mempoolLookup.invokeExact(name)).address();
            if (address == 0) {
                int socket = (int) rte.socketId.invokeExact();
                address = ((MemorySegment) rte.pktmbufPoolCreate.invokeExact(name, count, CACHE_SIZE, (short) 0,
                        (short) DATA_ROOM, socket)).address();
            }
        } catch (Throwable t) {
            throw new DpdkUnavailableException("rte_pktmbuf_pool_create: " + t, t);
        }
        if (address == 0) {
            throw new DpdkUnavailableException("rte_pktmbuf_pool_create of " + count + " mbufs of " + DATA_ROOM
                    + " bytes failed: the EAL has too little memory (-m, or hugepages)", null);
        }
        MbufPool mbufs = new MbufPool(rte, address, bindDequeue(rte, address));
        mbufs.checkLayout();
        return mbufs;
    }

    private static MethodHandle bindDequeue(Rte rte, long pool) {
        long table = rte.mempoolOpsTable.address();
        int opsIndex = NATIVE.get(ValueLayout.JAVA_INT, pool + MEMPOOL_OPS_INDEX);
        int opsCount = NATIVE.get(ValueLayout.JAVA_INT, table + OPS_TABLE_NUM_OPS);
        if (opsIndex < 0 || opsIndex >= opsCount || opsCount > MEMPOOL_MAX_OPS_IDX) {
            throw new DpdkUnavailableException("mempool layout check failed: ops_index " + opsIndex + " of "
                    + opsCount + " registered mempool drivers", null);
        }
        long ops = table + OPS_TABLE_OPS + (long) opsIndex * OPS_SIZE;
        long function = NATIVE.get(ValueLayout.JAVA_LONG, ops + OPS_DEQUEUE);
        if (function == 0) {
            throw new DpdkUnavailableException("mempool driver '" + NATIVE.getString(ops + OPS_NAME)
                    + "' has no dequeue function", null);
        }
        // int (*rte_mempool_dequeue_t)(struct rte_mempool *mp, void **obj_table, unsigned int n)
        return Rte.downcall(MemorySegment.ofAddress(function), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                Rte.ADDRESS_VALUE, Rte.ADDRESS_VALUE, ValueLayout.JAVA_INT));
    }

    /** Takes one mbuf and checks that the fields rte_pktmbuf_init set sit where {@link RteLayout} says. */
    private void checkLayout() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment table = scratch.allocate(ValueLayout.JAVA_LONG, 1);
            if (allocBulk(table.address(), 1) != 1) {
                throw new DpdkUnavailableException("mbuf layout check: the new pool gave no mbuf", null);
            }
            long mbuf = table.get(ValueLayout.JAVA_LONG, 0);
            try {
                expect("pool", MBUF_POOL, NATIVE.get(ValueLayout.JAVA_LONG, mbuf + MBUF_POOL), pool);
                expect("buf_addr", MBUF_BUF_ADDR, NATIVE.get(ValueLayout.JAVA_LONG, mbuf + MBUF_BUF_ADDR),
                        mbuf + MBUF_SIZE);
                expect("buf_len", MBUF_BUF_LEN, NATIVE.get(ValueLayout.JAVA_SHORT, mbuf + MBUF_BUF_LEN) & 0xffff,
                        DATA_ROOM);
                expect("data_off", MBUF_DATA_OFF, NATIVE.get(ValueLayout.JAVA_SHORT, mbuf + MBUF_DATA_OFF) & 0xffff,
                        PKTMBUF_HEADROOM);
                expect("refcnt", MBUF_REFCNT, NATIVE.get(ValueLayout.JAVA_SHORT, mbuf + MBUF_REFCNT), 1);
                expect("nb_segs", MBUF_NB_SEGS, NATIVE.get(ValueLayout.JAVA_SHORT, mbuf + MBUF_NB_SEGS), 1);
                expect("next", MBUF_NEXT, NATIVE.get(ValueLayout.JAVA_LONG, mbuf + MBUF_NEXT), 0);
            } finally {
                freeBulk(table.address(), 1);
            }
        }
    }

    private static void expect(String field, long offset, long found, long expected) {
        if (found != expected) {
            throw new DpdkUnavailableException("mbuf layout check failed: " + field + " at offset " + offset
                    + " reads 0x" + Long.toHexString(found) + ", expected 0x" + Long.toHexString(expected)
                    + " (not the DPDK 22.11 layout): refusing to bind", null);
        }
    }

    long address() {
        return pool;
    }

    /**
     * Fills the pointer array at {@code table} with {@code n} fresh mbufs (reset as rte_pktmbuf_reset does)
     * and returns n, or returns 0 when the pool holds fewer (the ring's dequeue is all or nothing).
     */
    int allocBulk(long table, int n) {
        int result;
        try {
            result = (int) dequeue.invokeExact(pool, table, n);
        } catch (Throwable t) {
            throw new IllegalStateException("mempool dequeue", t);
        }
        if (result < 0) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            reset(NATIVE.get(ValueLayout.JAVA_LONG, table + 8L * i));
        }
        return n;
    }

    /** rte_pktmbuf_reset (rte_mbuf.h): one segment, no offloads, headroom restored, empty. */
    private static void reset(long m) {
        NATIVE.set(ValueLayout.JAVA_LONG, m + MBUF_NEXT, 0);
        NATIVE.set(ValueLayout.JAVA_INT, m + MBUF_PKT_LEN, 0);
        NATIVE.set(ValueLayout.JAVA_LONG, m + MBUF_TX_OFFLOAD, 0);
        NATIVE.set(ValueLayout.JAVA_SHORT, m + MBUF_VLAN_TCI, (short) 0);
        NATIVE.set(ValueLayout.JAVA_SHORT, m + MBUF_VLAN_TCI_OUTER, (short) 0);
        NATIVE.set(ValueLayout.JAVA_SHORT, m + MBUF_NB_SEGS, (short) 1);
        NATIVE.set(ValueLayout.JAVA_SHORT, m + MBUF_PORT, MBUF_PORT_INVALID);
        NATIVE.set(ValueLayout.JAVA_LONG, m + MBUF_OL_FLAGS,
                NATIVE.get(ValueLayout.JAVA_LONG, m + MBUF_OL_FLAGS) & MBUF_F_EXTERNAL);
        NATIVE.set(ValueLayout.JAVA_INT, m + MBUF_PACKET_TYPE, 0);
        int bufLen = NATIVE.get(ValueLayout.JAVA_SHORT, m + MBUF_BUF_LEN) & 0xffff;
        NATIVE.set(ValueLayout.JAVA_SHORT, m + MBUF_DATA_OFF, (short) Math.min(PKTMBUF_HEADROOM, bufLen));
        NATIVE.set(ValueLayout.JAVA_SHORT, m + MBUF_DATA_LEN, (short) 0);
    }

    /** rte_pktmbuf_free_bulk of the {@code n} mbuf pointers at {@code table}. */
    void freeBulk(long table, int n) {
        try {
            rte.pktmbufFreeBulk.invokeExact(table, n);
        } catch (Throwable t) {
            throw new IllegalStateException("rte_pktmbuf_free_bulk", t);
        }
    }

    /** Mbufs free in the pool (rte_mempool_avail_count): control plane only. */
    int available() {
        try {
            return (int) rte.mempoolAvailCount.invokeExact(MemorySegment.ofAddress(pool));
        } catch (Throwable t) {
            throw new IllegalStateException("rte_mempool_avail_count", t);
        }
    }
}
