package io.sluice.driver.dpdk.internal;

import static io.sluice.driver.dpdk.internal.Rte.NATIVE;
import static io.sluice.driver.dpdk.internal.RteLayout.*;

import io.sluice.driver.dpdk.api.PortProfile;
import io.sluice.graph.api.Frame;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.api.DeviceHardware;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One DPDK ethdev port (rte_ethdev.h): configured with its queues on the shared {@link MbufPool}, started,
 * promiscuous. Receive and transmit call the PMD's burst functions found in the exported rte_eth_fp_ops
 * array (rte_eth_rx_burst and rte_eth_tx_burst are static inline) and copy between mbufs and Sluice buffers,
 * so that the rest of the graph never sees an mbuf.
 *
 * <p>Receive runs on the one worker that polls dpdk-input. Transmit may be called by any worker: queue 0
 * is taken under a spin lock, as VPP's dpdk plugin does when a port has fewer tx queues than threads.
 */
public final class DpdkPort implements Device {

    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG;
    private static final FunctionDescriptor BURST = FunctionDescriptor.of(ValueLayout.JAVA_SHORT,
            Rte.ADDRESS_VALUE, Rte.ADDRESS_VALUE, ValueLayout.JAVA_SHORT);
    private static final VarHandle TX_LOCK;

    static {
        try {
            TX_LOCK = MethodHandles.lookup().findVarHandle(DpdkPort.class, "txLock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Rte rte;
    private final MbufPool mbufs;
    private final PortProfile profile;
    private final short portId;
    private final long fpOps;
    private final long mac;
    private final int mtu;
    private final Arena arena = Arena.ofShared();
    private final MethodHandle rxBurst;
    private final MethodHandle txBurst;
    private volatile int swIfIndex = -1;
    private volatile boolean started;

    // receive side, one per rx queue: each queue may be polled by its own worker (rx placement)
    private final RxQueueState[] rxQueueStates;

    // transmit side
    @SuppressWarnings("unused") // through TX_LOCK
    private volatile int txLock;
    private final long txTable;
    private MemorySegment pendingTraceSegment;
    private final long[] pendingTraceRecords = new long[Frame.CAPACITY];
    private final int[] pendingTraceBuffers = new int[Frame.CAPACITY];
    private int pendingTraces;
    private long txNoMbuf;
    private long txOversize;

    /** True when this instance took over a port an earlier one left running, rather than starting it. */
    private boolean tookOver;

    /** errno.h: what rte_eth_dev_configure returns for a started port. */
    private static final int EBUSY = 16;

    private DpdkPort(Rte rte, MbufPool mbufs, PortProfile profile, short portId) {
        this.rte = rte;
        this.mbufs = mbufs;
        this.profile = profile;
        this.portId = portId;
        this.fpOps = rte.ethFpOps.address() + (long) portId * FP_OPS_SIZE;
        this.rxQueueStates = new RxQueueState[Math.max(1, profile.rxQueues())];
        for (int q = 0; q < rxQueueStates.length; q++) {
            rxQueueStates[q] = new RxQueueState(arena.allocate(WORD, Frame.CAPACITY).address());
        }
        this.txTable = arena.allocate(WORD, Frame.CAPACITY).address();
        try {
            if (configure()) {
                start();
            } else {
                // An earlier instance of the driver in this process left the port running across its own
                // update: take it over as it is, its queues and their mbufs, with no link change.
                started = true;
                tookOver = true;
            }
            this.mac = readMac();
            this.mtu = readMtu();
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        // filled by rte_eth_dev_start: the PMD's burst functions for this port
        this.rxBurst = Rte.downcall(MemorySegment.ofAddress(NATIVE.get(WORD, fpOps + FP_RX_PKT_BURST)), BURST);
        this.txBurst = Rte.downcall(MemorySegment.ofAddress(NATIVE.get(WORD, fpOps + FP_TX_PKT_BURST)), BURST);
    }

    /**
     * Finds the ethdev port DPDK probed for {@code profile} (by PCI address or vdev name), configures and
     * starts it.
     *
     * @throws DpdkUnavailableException when DPDK has no such port or refuses the configuration
     */
    public static DpdkPort open(Rte rte, MbufPool mbufs, PortProfile profile) {
        String device = profile.dpdkDeviceName();
        short portId;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment id = scratch.allocate(ValueLayout.JAVA_SHORT);
            int rc = (int) rte.ethDevGetPortByName.invokeExact(scratch.allocateFrom(device), id);
            if (rc != 0) {
                throw new DpdkUnavailableException("port " + profile.name() + ": DPDK has no device " + device
                        + " (rte_eth_dev_get_port_by_name: " + rc + "); is it bound to vfio-pci / given to the EAL?",
                        null);
            }
            portId = id.get(ValueLayout.JAVA_SHORT, 0);
        } catch (DpdkUnavailableException e) {
            throw e;
        } catch (Throwable t) {
            throw new DpdkUnavailableException("rte_eth_dev_get_port_by_name " + device + ": " + t, t);
        }
        if (portId < 0 || portId >= MAX_ETHPORTS) {
            throw new DpdkUnavailableException("port " + profile.name() + ": port id " + portId
                    + " beyond RTE_MAX_ETHPORTS " + MAX_ETHPORTS, null);
        }
        return new DpdkPort(rte, mbufs, profile, portId);
    }

    /**
     * Configures the port and its queues; false when the port is already started (rte_eth_dev_configure refuses a
     * started port with -EBUSY), which in this process means a previous driver instance left it running.
     */
    private boolean configure() {
        short rxQueues = (short) profile.rxQueues();
        short txQueues = (short) profile.txQueues();
        try (Arena scratch = Arena.ofConfined()) {
            // an all-zero rte_eth_conf: no RSS, no offloads, default MTU
            MemorySegment conf = scratch.allocate(ETH_CONF_SIZE, 8);
            int configured = (int) rte.ethDevConfigure.invokeExact(portId, rxQueues, txQueues, conf);
            if (configured == -EBUSY) {
                return false;
            }
            check(configured, "rte_eth_dev_configure");
            int socket = (int) rte.ethDevSocketId.invokeExact(portId);
            MemorySegment pool = MemorySegment.ofAddress(mbufs.address());
            for (short q = 0; q < rxQueues; q++) {
                check((int) rte.ethRxQueueSetup.invokeExact(portId, q, (short) profile.rxDescriptors(), socket,
                        MemorySegment.NULL, pool), "rte_eth_rx_queue_setup " + q);
            }
            for (short q = 0; q < txQueues; q++) {
                check((int) rte.ethTxQueueSetup.invokeExact(portId, q, (short) profile.txDescriptors(), socket,
                        MemorySegment.NULL), "rte_eth_tx_queue_setup " + q);
            }
            return true;
        } catch (DpdkUnavailableException e) {
            throw e;
        } catch (Throwable t) {
            throw new DpdkUnavailableException("port " + profile.name() + ": " + t, t);
        }
    }

    private void start() {
        try {
            check((int) rte.ethDevStart.invokeExact(portId), "rte_eth_dev_start");
            check((int) rte.ethPromiscuousEnable.invokeExact(portId), "rte_eth_promiscuous_enable");
        } catch (DpdkUnavailableException e) {
            throw e;
        } catch (Throwable t) {
            throw new DpdkUnavailableException("port " + profile.name() + ": " + t, t);
        }
        started = true;
    }

    private void check(int rc, String call) {
        if (rc < 0) {
            throw new DpdkUnavailableException("port " + profile.name() + " (" + profile.dpdkDeviceName() + "): "
                    + call + " failed: " + rc + " (a negative errno)", null);
        }
    }

    private long readMac() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment address = scratch.allocate(8);
            check((int) rte.ethMacaddrGet.invokeExact(portId, address), "rte_eth_macaddr_get");
            long value = 0;
            for (int i = 0; i < 6; i++) {
                value = value << 8 | (address.get(ValueLayout.JAVA_BYTE, i) & 0xff);
            }
            return value;
        } catch (DpdkUnavailableException e) {
            throw e;
        } catch (Throwable t) {
            throw new DpdkUnavailableException("rte_eth_macaddr_get: " + t, t);
        }
    }

    private int readMtu() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment value = scratch.allocate(ValueLayout.JAVA_SHORT);
            int rc = (int) rte.ethDevGetMtu.invokeExact(portId, value);
            return rc == 0 ? value.get(ValueLayout.JAVA_SHORT, 0) & 0xffff : 1500;
        } catch (Throwable t) {
            throw new DpdkUnavailableException("rte_eth_dev_get_mtu: " + t, t);
        }
    }

    public PortProfile profile() {
        return profile;
    }

    public int portId() {
        return portId;
    }

    public int swIfIndex() {
        return swIfIndex;
    }

    /** Set once the interface table has given the port its sw_if_index. */
    public void setSwIfIndex(int swIfIndex) {
        this.swIfIndex = swIfIndex;
    }

    public int rxQueues() {
        return profile.rxQueues();
    }

    // ---- receive ----

    /**
     * What one rx queue keeps between its burst and its release: the burst's mbufs, which of them each filled buffer
     * came from, and its drop counts. Touched only by the worker the queue is placed on (counts read by stats).
     */
    private static final class RxQueueState {
        final long rxTable;
        int rxHeld;
        final long[] rxMbufOfBuffer = new long[Frame.CAPACITY];
        long rxNoBuffer;
        long rxOversize;
        int lastNoBuffer;
        int lastOversize;

        RxQueueState(long rxTable) {
            this.rxTable = rxTable;
        }
    }

    /**
     * One rx burst on {@code queue}: copies each received frame into a buffer from {@code pool} at
     * {@code buffers[from..]} (current data 0 at the Ethernet header) and returns how many. The mbufs stay
     * held until {@link #releaseReceived(int)} so that a tracer can read them ({@link #receivedMbuf}).
     * Frames too long for a buffer or chained over several mbufs, and frames with no buffer left, are
     * counted ({@link #lastOversize(int)}, {@link #lastNoBuffer(int)}) and freed with the rest.
     */
    int receive(int queue, BufferPool pool, int[] buffers, int from, int max) {
        RxQueueState state = rxQueueStates[queue];
        long rxTable = state.rxTable;
        long[] rxMbufOfBuffer = state.rxMbufOfBuffer;
        long ops = fpOps;
        long queueData = NATIVE.get(WORD, NATIVE.get(WORD, ops + FP_RXQ_DATA) + 8L * queue);
        int n;
        try {
            n = (short) rxBurst.invokeExact(queueData, rxTable, (short) max) & 0xffff;
            long callbacks = NATIVE.get(WORD, ops + FP_RXQ_CLBK);
            long callback = callbacks == 0 ? 0 : NATIVE.get(WORD, callbacks + 8L * queue);
            if (callback != 0) {
                // rte_eth_rx_burst with RTE_ETHDEV_RXTX_CALLBACKS: the application's rx callbacks see the burst
                n = (short) rte.ethCallRxCallbacks.invokeExact(portId, (short) queue, rxTable, (short) n,
                        (short) max, callback) & 0xffff;
            }
        } catch (Throwable t) {
            throw new IllegalStateException("rx burst", t);
        }
        state.rxHeld = n;
        if (n == 0) {
            state.lastNoBuffer = 0;
            state.lastOversize = 0;
            return 0;
        }
        int got = pool.alloc(buffers, from, n);
        MemorySegment data = pool.segment();
        int filled = 0;
        int oversize = 0;
        for (int i = 0; i < n && filled < got; i++) {
            long m = NATIVE.get(WORD, rxTable + 8L * i);
            int length = NATIVE.get(ValueLayout.JAVA_SHORT, m + MBUF_DATA_LEN) & 0xffff;
            if (NATIVE.get(ValueLayout.JAVA_SHORT, m + MBUF_NB_SEGS) != 1 || length > BufferPool.DATA_SIZE) {
                oversize++;
                continue;
            }
            int bi = buffers[from + filled];
            long source = NATIVE.get(WORD, m + MBUF_BUF_ADDR)
                    + (NATIVE.get(ValueLayout.JAVA_SHORT, m + MBUF_DATA_OFF) & 0xffff);
            MemorySegment.copy(NATIVE, source, data, BufferPool.dataStart(bi), length);
            pool.setData(bi, 0, length);
            rxMbufOfBuffer[filled] = m;
            filled++;
        }
        if (filled < got) {
            pool.free(buffers, from + filled, got - filled);
        }
        state.lastOversize = oversize;
        state.lastNoBuffer = n - oversize - filled;
        state.rxOversize += state.lastOversize;
        state.rxNoBuffer += state.lastNoBuffer;
        return filled;
    }

    /** The mbuf the {@code k}-th buffer of {@code queue}'s last {@link #receive} came from (valid until release). */
    long receivedMbuf(int queue, int k) {
        return rxQueueStates[queue].rxMbufOfBuffer[k];
    }

    /** Frees {@code queue}'s last burst's mbufs in one call. */
    void releaseReceived(int queue) {
        RxQueueState state = rxQueueStates[queue];
        if (state.rxHeld > 0) {
            mbufs.freeBulk(state.rxTable, state.rxHeld);
            state.rxHeld = 0;
        }
    }

    int lastNoBuffer(int queue) {
        return rxQueueStates[queue].lastNoBuffer;
    }

    int lastOversize(int queue) {
        return rxQueueStates[queue].lastOversize;
    }

    // ---- transmit (Device) ----

    @Override
    public String name() {
        return profile.name();
    }

    @Override
    public long macAddress() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public boolean linkUp() {
        if (!started) {
            return false;
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment link = scratch.allocate(ETH_LINK_SIZE, 8);
            int rc = (int) rte.ethLinkGetNowait.invokeExact(portId, link);
            return rc == 0 && (link.get(ValueLayout.JAVA_SHORT, LINK_FLAGS) & LINK_STATUS_BIT) != 0;
        } catch (Throwable t) {
            throw new IllegalStateException("rte_eth_link_get_nowait", t);
        }
    }

    /**
     * Copies the frames into fresh mbufs, bursts them on queue 0, frees what the PMD did not take, and
     * frees every buffer. Frames longer than an mbuf's data room are not sent.
     */
    @Override
    public int transmit(BufferPool pool, int[] buffers, int count) {
        int sent = 0;
        while ((int) TX_LOCK.compareAndExchangeAcquire(this, 0, 1) != 0) {
            Thread.onSpinWait();
        }
        try {
            sent = started ? transmitLocked(pool, buffers, count) : 0;
        } finally {
            TX_LOCK.setRelease(this, 0);
            pendingTraces = 0;
            pool.free(buffers, 0, count);
        }
        return sent;
    }

    private int transmitLocked(BufferPool pool, int[] buffers, int count) {
        if (mbufs.allocBulk(txTable, count) == 0) {
            txNoMbuf += count;
            return 0;
        }
        MemorySegment data = pool.segment();
        int ready = 0;
        int oversize = 0;
        for (int i = 0; i < count; i++) {
            int bi = buffers[i];
            int length = pool.length(bi);
            long m = NATIVE.get(WORD, txTable + 8L * ready);
            if (length > MbufPool.DATA_ROOM - PKTMBUF_HEADROOM) {
                oversize++;
                continue;
            }
            long target = NATIVE.get(WORD, m + MBUF_BUF_ADDR) + PKTMBUF_HEADROOM;
            MemorySegment.copy(data, pool.dataOffset(bi), NATIVE, target, length);
            NATIVE.set(ValueLayout.JAVA_SHORT, m + MBUF_DATA_LEN, (short) length);
            NATIVE.set(ValueLayout.JAVA_INT, m + MBUF_PKT_LEN, length);
            if (pendingTraces > 0) {
                recordTxMbuf(bi, m);
            }
            ready++;
        }
        if (oversize > 0) {
            // the mbufs taken for frames that were skipped sit at the end of the table
            mbufs.freeBulk(txTable + 8L * ready, oversize);
            txOversize += oversize;
        }
        int sent;
        try {
            long queueData = NATIVE.get(WORD, NATIVE.get(WORD, fpOps + FP_TXQ_DATA));
            sent = (short) txBurst.invokeExact(queueData, txTable, (short) ready) & 0xffff;
        } catch (Throwable t) {
            throw new IllegalStateException("tx burst", t);
        }
        if (sent < ready) {
            mbufs.freeBulk(txTable + 8L * sent, ready - sent);
        }
        return sent;
    }

    private void recordTxMbuf(int bi, long m) {
        for (int k = 0; k < pendingTraces; k++) {
            if (pendingTraceBuffers[k] == bi) {
                DpdkTrace.writeMbuf(pendingTraceSegment, pendingTraceRecords[k], m);
            }
        }
    }

    @Override
    public boolean tracesTx() {
        return true;
    }

    /**
     * Records the buffer now; the mbuf fields are filled in by {@link #transmit} once the mbuf exists (the
     * tx node traces a frame's buffers just before it transmits them).
     */
    @Override
    public void traceTx(BufferPool pool, int bi, MemorySegment record, long offset) {
        DpdkTrace.writeBuffer(record, offset, -1, 0, pool, bi);
        DpdkTrace.writeUnsentMbuf(record, offset, pool.length(bi));
        if (pendingTraces < pendingTraceBuffers.length) {
            pendingTraceSegment = record;
            pendingTraceBuffers[pendingTraces] = bi;
            pendingTraceRecords[pendingTraces] = offset;
            pendingTraces++;
        }
    }

    @Override
    public void formatTxTrace(MemorySegment record, long offset, StringBuilder out) {
        DpdkTrace.format(record, offset, profile.name(), "tx", out);
    }

    // ---- control plane ----

    /** Counters of the port as DPDK keeps them (rte_eth_stats_get), with the driver's own. */
    private long rxNoBuffer() {
        long sum = 0;
        for (RxQueueState state : rxQueueStates) {
            sum += state.rxNoBuffer;
        }
        return sum;
    }

    private long rxOversize() {
        long sum = 0;
        for (RxQueueState state : rxQueueStates) {
            sum += state.rxOversize;
        }
        return sum;
    }

    public Stats stats() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment s = scratch.allocate(ETH_STATS_SIZE, 8);
            int rc = (int) rte.ethStatsGet.invokeExact(portId, s);
            if (rc != 0) {
                throw new IllegalStateException("rte_eth_stats_get: " + rc);
            }
            return new Stats(s.get(WORD, STATS_IPACKETS), s.get(WORD, STATS_IBYTES), s.get(WORD, STATS_OPACKETS),
                    s.get(WORD, STATS_OBYTES), s.get(WORD, STATS_IMISSED), s.get(WORD, STATS_IERRORS),
                    s.get(WORD, STATS_OERRORS), s.get(WORD, STATS_RX_NOMBUF), rxNoBuffer(), rxOversize(), txNoMbuf,
                    txOversize);
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("rte_eth_stats_get", t);
        }
    }

    /**
     * The profile's queues and descriptor rings (rte_eth_rx_queue_setup/tx_queue_setup's nb_desc) and the port's
     * counters as {@link #stats()} reads them; no offload is requested in rte_eth_conf.
     */
    @Override
    public DeviceHardware hardware() {
        String host = profile.pci() != null ? profile.pci().toString() : profile.vdev();
        Map<String, Long> counters = new LinkedHashMap<>();
        try {
            Stats s = stats();
            counters.put("ipackets", s.ipackets());
            counters.put("ibytes", s.ibytes());
            counters.put("opackets", s.opackets());
            counters.put("obytes", s.obytes());
            counters.put("imissed", s.imissed());
            counters.put("ierrors", s.ierrors());
            counters.put("oerrors", s.oerrors());
            counters.put("rx_nombuf", s.rxNoMbuf());
            counters.put("rx no buffer", s.rxNoBuffer());
            counters.put("rx oversize", s.rxOversize());
            counters.put("tx no mbuf", s.txNoMbuf());
            counters.put("tx oversize", s.txOversize());
        } catch (IllegalStateException e) {
            counters.put("stats unavailable (" + e.getMessage() + ")", 0L);
        }
        return new DeviceHardware("dpdk", host, profile.rxQueues(), profile.txQueues(), profile.rxDescriptors(),
                profile.txDescriptors(), List.of(), counters);
    }

    /**
     * DPDK's port counters and the driver's: frames with no Sluice buffer, frames too long or chained, tx
     * frames with no mbuf, tx frames too long.
     */
    public record Stats(long ipackets, long ibytes, long opackets, long obytes, long imissed, long ierrors,
                        long oerrors, long rxNoMbuf, long rxNoBuffer, long rxOversize, long txNoMbuf,
                        long txOversize) {
    }

    /** Whether this instance took over a running port (a driver update) rather than configuring and starting it. */
    public boolean tookOverRunningPort() {
        return tookOver;
    }

    /**
     * Lets the port go without stopping it, for the driver's next instance in this process to take over (an
     * update of the driver bundle): its queues keep their mbufs and a NIC its link. Called with the workers held at
     * the barrier, after the port's nodes have left the graph.
     */
    public void leaveRunning() {
        if (!started) {
            return;
        }
        started = false;
        arena.close();
    }

    /**
     * Stops the port (rte_eth_dev_stop) so that a later instance can configure it again (a changed profile);
     * called with the workers held at the barrier, after the port's nodes have left the graph.
     */
    public void stop() {
        if (!started) {
            return;
        }
        started = false;
        int rc;
        try {
            rc = (int) rte.ethDevStop.invokeExact(portId);
        } catch (Throwable t) {
            throw new IllegalStateException("rte_eth_dev_stop", t);
        } finally {
            arena.close();
        }
        if (rc < 0) {
            throw new IllegalStateException("rte_eth_dev_stop " + profile.name() + ": " + rc);
        }
    }
}
