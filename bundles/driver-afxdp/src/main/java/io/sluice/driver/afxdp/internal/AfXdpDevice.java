package io.sluice.driver.afxdp.internal;

import static io.sluice.driver.afxdp.internal.Xsk.*;
import static io.sluice.nativeio.api.LinuxConstants.*;

import io.sluice.driver.afxdp.api.AfXdpConfig;
import io.sluice.nativeio.api.Errno;
import io.sluice.nativeio.api.Libc;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.HostInterfacePort;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A Linux netdev driven through an AF_XDP socket (Documentation/networking/af_xdp.rst), made with libxdp.
 *
 * <pre>
 *  UMEM, (rxSize + txSize) frames of frameSize bytes, anonymous memory mapped and pinned by the kernel:
 *  +---------------------------------------------+---------------------------------------------+
 *  | frames 0 .. rxSize-1: receive               | frames rxSize .. rxSize+txSize-1: transmit  |
 *  | each in the fill ring, the kernel or the    | each on the free stack, in the TX ring or   |
 *  | RX ring; given back to the fill ring at once| in the completion ring                      |
 *  +---------------------------------------------+---------------------------------------------+
 *  a frame: XDP_PACKET_HEADROOM (256 B) the kernel keeps, then the Ethernet frame
 * </pre>
 *
 * <p>Receive: {@link #receive} takes the RX ring's descriptors in one pass, copies each frame into a pool buffer
 * and writes the frame's address back to the fill ring, publishing both rings once per batch (a release store
 * of the consumer and of the producer index; the kernel reads them with acquire loads, xsk_queue.h). The fill
 * ring has as many entries as receive frames exist, so it always has room for those given back.
 *
 * <p>Transmit: completions are reclaimed first (one pass over the completion ring), then each buffer is copied
 * into a free transmit frame and described in the TX ring, published once; when the kernel asks for it
 * (XDP_RING_NEED_WAKEUP, always in copy mode) sendto(2) kicks it, repeated while it answers EAGAIN (a copy-mode
 * call sends at most 32 frames, TX_BATCH_SIZE in net/xdp/xsk.c).
 *
 * <p>Why copies: a pool belongs to one worker and is made by the graph, after the port is opened; the UMEM
 * must exist before the socket binds. Using the pool's own memory as the UMEM needs the graph to hand a
 * port its worker's pool at attach time. On a veth the kernel copies anyway (copy mode).
 *
 * <p>One thread drives the data path; the counters may be read from any thread (a stale value at worst).
 */
public final class AfXdpDevice implements HostInterfacePort.Socket {

    /** Bytes before a traced buffer's data where {@link #receive} keeps the frame's descriptor (addr, len). */
    public static final int DESC_KEPT = DESC_SIZE;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final VarHandle INDEX = ValueLayout.JAVA_INT.varHandle();
    private static final int MAC_ADDRESSES = 12;
    /** Kernel statistics are read once every this many receive calls (a getsockopt each time). */
    private static final int STATS_INTERVAL = 4096;

    private final String ifName;
    private final AfXdpConfig config;
    private final AfXdpConfig.BindMode boundMode;
    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment pollfd;
    private final MemorySegment umem;
    private final long frameMask;
    private final int frameShift;
    private final MemorySegment umemHandle;
    private final MemorySegment socketHandle;
    private final int fd;
    private final MemorySegment stats;

    private final Ring fill;
    private final Ring completion;
    private final Ring rx;
    private final Ring tx;

    private final int[] txFree;
    private int txFreeCount;

    private long rxPackets;
    private long rxBytes;
    private long rxErrors;
    private long txPackets;
    private long txBytes;
    private long txOversize;
    private long txRingFull;
    private long txKickFailures;
    private int statsCountdown = STATS_INTERVAL;
    private long kernelRxDropped;
    private long kernelRxRingFull;
    private long kernelTxInvalid;
    private long kernelFillRingEmpty;
    /** Of the kernel's counts, what af_xdp-input has already counted as its errors (worker thread only). */
    long countedRxDropped;
    long countedRxRingFull;
    long countedTxInvalid;
    private boolean closed;

    /**
     * A ring as libxdp mapped it: the kernel's producer and consumer indices, its entries, its flags, and this
     * side's cached copy of the index the other side owns (xsk.h's cached_prod and cached_cons).
     */
    private static final class Ring {
        final MemorySegment producer;
        final MemorySegment consumer;
        final MemorySegment flags;
        final MemorySegment entries;
        final int mask;
        final int size;
        int cachedProducer;
        int cachedConsumer;

        Ring(MemorySegment handle, int entrySize) {
            this.mask = handle.get(U32, RING_MASK);
            this.size = handle.get(U32, RING_ENTRIES);
            this.producer = handle.get(ValueLayout.ADDRESS, RING_PRODUCER).reinterpret(4);
            this.consumer = handle.get(ValueLayout.ADDRESS, RING_CONSUMER).reinterpret(4);
            this.flags = handle.get(ValueLayout.ADDRESS, RING_FLAGS).reinterpret(4);
            this.entries = handle.get(ValueLayout.ADDRESS, RING_DESCRIPTORS).reinterpret((long) size * entrySize);
            this.cachedProducer = handle.get(U32, RING_CACHED_PROD);
            this.cachedConsumer = handle.get(U32, RING_CACHED_CONS);
        }

        boolean needsWakeup() {
            return (flags.get(U32, 0) & XDP_RING_NEED_WAKEUP) != 0;
        }

        /** Producer side: free entries, re-reading the kernel's consumer only when the cache shows fewer than wanted. */
        int free(int wanted) {
            int free = cachedConsumer - cachedProducer;
            if (free >= wanted) {
                return free;
            }
            cachedConsumer = (int) INDEX.getAcquire(consumer, 0L) + size;
            return cachedConsumer - cachedProducer;
        }

        /** Consumer side: entries ready, re-reading the kernel's producer only when the cache is used up. */
        int available() {
            int ready = cachedProducer - cachedConsumer;
            if (ready == 0) {
                cachedProducer = (int) INDEX.getAcquire(producer, 0L);
                ready = cachedProducer - cachedConsumer;
            }
            return ready;
        }
    }

    private AfXdpDevice(String ifName, AfXdpConfig config, AfXdpConfig.BindMode mode) {
        this.ifName = ifName;
        this.config = config;
        this.boundMode = mode;
        this.frameMask = ~((long) config.frameSize() - 1);
        this.frameShift = Integer.numberOfTrailingZeros(config.frameSize());
        long umemBytes = (long) (config.rxSize() + config.txSize()) * config.frameSize();
        this.arena = Arena.ofShared();
        MemorySegment area = null;
        MemorySegment umemOut = arena.allocate(ValueLayout.ADDRESS);
        MemorySegment socketOut = arena.allocate(ValueLayout.ADDRESS);
        MemorySegment fillHandle = arena.allocate(RING_SIZE, 8);
        MemorySegment completionHandle = arena.allocate(RING_SIZE, 8);
        MemorySegment rxHandle = arena.allocate(RING_SIZE, 8);
        MemorySegment txHandle = arena.allocate(RING_SIZE, 8);
        try {
            area = Libc.mmap(umemBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
            MemorySegment umemConfig = arena.allocate(UMEM_CONFIG_SIZE, 4);
            umemConfig.set(U32, UMEM_FILL_SIZE, config.rxSize());
            umemConfig.set(U32, UMEM_COMP_SIZE, config.txSize());
            umemConfig.set(U32, UMEM_FRAME_SIZE, config.frameSize());
            umemConfig.set(U32, UMEM_FRAME_HEADROOM, 0);
            umemConfig.set(U32, UMEM_FLAGS, 0);
            int result = LibXdp.umemCreate(umemOut, area, umemBytes, fillHandle, completionHandle, umemConfig);
            if (result != 0) {
                throw new IllegalStateException("xsk_umem__create for \"" + ifName + "\": " + LibXdp.describe(result));
            }
            MemorySegment socketConfig = arena.allocate(SOCKET_CONFIG_SIZE, 4);
            socketConfig.set(U32, SOCKET_RX_SIZE, config.rxSize());
            socketConfig.set(U32, SOCKET_TX_SIZE, config.txSize());
            socketConfig.set(U32, SOCKET_LIBXDP_FLAGS, 0);  // libxdp loads its default program
            socketConfig.set(U32, SOCKET_XDP_FLAGS, 0);     // native XDP where the driver has it, else generic
            int bind = (mode == AfXdpConfig.BindMode.ZERO_COPY ? XDP_ZEROCOPY : XDP_COPY) | XDP_USE_NEED_WAKEUP;
            socketConfig.set(ValueLayout.JAVA_SHORT, SOCKET_BIND_FLAGS, (short) bind);
            result = LibXdp.socketCreate(socketOut, arena.allocateFrom(ifName), config.queueId(),
                    umemOut.get(ValueLayout.ADDRESS, 0), rxHandle, txHandle, socketConfig);
            if (result != 0) {
                throw new BindRefused("xsk_socket__create on \"" + ifName + "\" queue " + config.queueId()
                        + ", " + (mode == AfXdpConfig.BindMode.ZERO_COPY ? "XDP_ZEROCOPY" : "XDP_COPY") + ": "
                        + LibXdp.describe(result), -result);
            }
        } catch (RuntimeException e) {
            MemorySegment umemPointer = umemOut.get(ValueLayout.ADDRESS, 0);
            if (!umemPointer.equals(MemorySegment.NULL)) {
                LibXdp.umemDelete(umemPointer);
            }
            if (area != null) {
                Libc.munmap(area);
            }
            arena.close();
            throw e;
        }
        this.umem = area;
        this.umemHandle = umemOut.get(ValueLayout.ADDRESS, 0);
        this.socketHandle = socketOut.get(ValueLayout.ADDRESS, 0);
        this.fd = LibXdp.socketFd(socketHandle);
        this.callState = Libc.newCallState(arena);
        this.stats = arena.allocate(STATS_SIZE, 8);
        this.fill = new Ring(fillHandle, ADDR_SIZE);
        this.completion = new Ring(completionHandle, ADDR_SIZE);
        this.rx = new Ring(rxHandle, DESC_SIZE);
        this.tx = new Ring(txHandle, DESC_SIZE);

        // every receive frame goes to the kernel now; every transmit frame is free
        for (int i = 0; i < config.rxSize(); i++) {
            fill.entries.set(U64, (long) ((fill.cachedProducer + i) & fill.mask) * ADDR_SIZE, (long) i << frameShift);
        }
        fill.cachedProducer += config.rxSize();
        INDEX.setRelease(fill.producer, 0L, fill.cachedProducer);
        this.txFree = new int[config.txSize()];
        for (int i = 0; i < config.txSize(); i++) {
            txFree[i] = config.rxSize() + config.txSize() - 1 - i;
        }
        this.txFreeCount = config.txSize();

        this.pollfd = arena.allocate(POLLFD_SIZE, 4);
        pollfd.set(U32, POLLFD_FD, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, POLLFD_EVENTS, (short) (POLLIN | POLLERR));
    }

    /** xsk_socket__create failed with {@code errno}. */
    static final class BindRefused extends IllegalStateException {
        final int errno;

        BindRefused(String message, int errno) {
            super(message);
            this.errno = errno;
        }
    }

    /** How long a bind waits for the queue's previous socket to let go (EBUSY). */
    private static final long BUSY_WAIT_NANOS = 5_000_000_000L;

    /**
     * Binds queue {@code config.queueId()} of {@code ifName} (in the calling thread's network namespace). AUTO
     * tries zero-copy first and binds in copy mode when the driver refuses it (a veth does). A queue whose
     * previous socket was just closed answers EBUSY for a moment: the kernel unbinds it from a work queue
     * (xp_put_pool, net/xdp/xsk_buff_pool.c), so the bind is tried again for up to 5 s.
     */
    public static AfXdpDevice open(String ifName, AfXdpConfig config) {
        long deadline = System.nanoTime() + BUSY_WAIT_NANOS;
        while (true) {
            try {
                return openOnce(ifName, config);
            } catch (BindRefused e) {
                if (e.errno != Errno.EBUSY || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted binding \"" + ifName + "\"", e);
            }
        }
    }

    private static AfXdpDevice openOnce(String ifName, AfXdpConfig config) {
        if (config.bindMode() != AfXdpConfig.BindMode.AUTO) {
            return new AfXdpDevice(ifName, config, config.bindMode());
        }
        try {
            return new AfXdpDevice(ifName, config, AfXdpConfig.BindMode.ZERO_COPY);
        } catch (BindRefused zeroCopyRefused) {
            if (zeroCopyRefused.errno == Errno.EBUSY) {
                throw zeroCopyRefused;
            }
            return new AfXdpDevice(ifName, config, AfXdpConfig.BindMode.COPY);
        }
    }

    public String ifName() {
        return ifName;
    }

    public AfXdpConfig config() {
        return config;
    }

    /** COPY or ZERO_COPY: how the socket is bound (AUTO resolved). */
    public AfXdpConfig.BindMode boundMode() {
        return boundMode;
    }

    /** The socket: poll(2) reports it readable when the RX ring holds descriptors (xsk_poll). */
    @Override
    public int rxFd() {
        return fd;
    }

    /**
     * Copies up to {@code max} received frames into buffers from {@code pool}, stored at {@code buffers[from..]},
     * current data 0 at the Ethernet header; returns how many. Stops early when the pool runs dry (the rest stays
     * in the RX ring). With {@code keepDescriptors} each buffer's descriptor (addr, len) is also written
     * {@link #DESC_KEPT} bytes before its data (for the trace).
     */
    @Override
    public int receive(BufferPool pool, int[] buffers, int from, int max, boolean keepDescriptors) {
        if (--statsCountdown <= 0) {
            readKernelStatistics();
        }
        if (tx.cachedProducer != (int) INDEX.getAcquire(tx.consumer, 0L)) {
            // frames a kick left in the TX ring (the kernel's queue was busy) go now, not with the next transmit
            kick(tx.cachedProducer - (int) INDEX.getAcquire(tx.consumer, 0L));
        }
        Ring ring = rx;
        int ready = ring.available();
        if (ready == 0) {
            return 0;
        }
        int batch = Math.min(ready, max);
        Ring fillRing = fill;
        fillRing.free(batch); // as many fill entries as receive frames: the room is there
        MemorySegment descriptors = ring.entries;
        MemorySegment fillEntries = fillRing.entries;
        MemorySegment data = pool.segment();
        MemorySegment area = umem;
        int maxLength = Math.min(BufferPool.DATA_SIZE, config.maxFrameLength());
        int consumed = 0;
        int received = 0;
        long bytes = 0;
        int errors = 0;
        int consumer = ring.cachedConsumer;
        int producer = fillRing.cachedProducer;
        while (consumed < batch) {
            long descriptor = (long) ((consumer + consumed) & ring.mask) * DESC_SIZE;
            long address = descriptors.get(U64, descriptor + DESC_ADDR);
            int length = descriptors.get(U32, descriptor + DESC_LEN);
            if (length < MAC_ADDRESSES || length > maxLength) {
                errors++;
            } else {
                int bi = pool.alloc();
                if (bi < 0) {
                    break; // left in the ring for the next call
                }
                long target = BufferPool.dataStart(bi);
                MemorySegment.copy(area, (address & UNALIGNED_ADDR_MASK) + (address >>> UNALIGNED_OFFSET_SHIFT),
                        data, target, length);
                pool.setData(bi, 0, length);
                if (keepDescriptors) {
                    data.set(ValueLayout.JAVA_LONG_UNALIGNED, target - DESC_KEPT, address);
                    data.set(ValueLayout.JAVA_INT_UNALIGNED, target - DESC_KEPT + DESC_LEN, length);
                }
                buffers[from + received++] = bi;
                bytes += length;
            }
            fillEntries.set(U64, (long) ((producer + consumed) & fillRing.mask) * ADDR_SIZE,
                    (address & UNALIGNED_ADDR_MASK) & frameMask);
            consumed++;
        }
        if (consumed > 0) {
            ring.cachedConsumer = consumer + consumed;
            INDEX.setRelease(ring.consumer, 0L, ring.cachedConsumer);
            fillRing.cachedProducer = producer + consumed;
            INDEX.setRelease(fillRing.producer, 0L, fillRing.cachedProducer);
            if (fillRing.needsWakeup()) {
                // zero-copy drivers wait for a syscall to look at the refilled ring (need_wakeup)
                Libc.poll(callState, pollfd, 1, 0);
            }
        }
        rxPackets += received;
        rxBytes += bytes;
        rxErrors += errors;
        return received;
    }

    /**
     * Queues {@code buffers[from..from+n)} (each buffer's current data is one frame) and kicks the kernel.
     * Returns how many were queued; the others (longer than a frame, or no free frame or TX ring entry) are
     * counted. The buffers stay the caller's to free: their bytes are in the UMEM now.
     */
    @Override
    public int transmit(BufferPool pool, int[] buffers, int from, int n) {
        reclaimCompletions();
        Ring ring = tx;
        int room = Math.min(ring.free(n), txFreeCount);
        int count = Math.min(n, room);
        MemorySegment descriptors = ring.entries;
        MemorySegment data = pool.segment();
        MemorySegment area = umem;
        int maxLength = config.maxFrameLength();
        int producer = ring.cachedProducer;
        int queued = 0;
        int oversize = 0;
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            int bi = buffers[from + i];
            int length = pool.length(bi);
            if (length > maxLength) {
                oversize++;
                continue;
            }
            long address = (long) txFree[--txFreeCount] << frameShift;
            MemorySegment.copy(data, pool.dataOffset(bi), area, address, length);
            long descriptor = (long) ((producer + queued) & ring.mask) * DESC_SIZE;
            descriptors.set(U64, descriptor + DESC_ADDR, address);
            descriptors.set(U32, descriptor + DESC_LEN, length);
            descriptors.set(U32, descriptor + DESC_OPTIONS, 0);
            queued++;
            bytes += length;
        }
        if (queued > 0) {
            ring.cachedProducer = producer + queued;
            INDEX.setRelease(ring.producer, 0L, ring.cachedProducer);
            kick(queued);
        }
        txPackets += queued;
        txBytes += bytes;
        txOversize += oversize;
        txRingFull += n - count;
        return queued;
    }

    /**
     * sendto(2) with no data tells the kernel to send what the TX ring holds; in copy mode one call sends up to
     * 32 frames and answers EAGAIN while more wait. Bounded: frames still in the ring go with the next kick.
     */
    private void kick(int queued) {
        if (!tx.needsWakeup()) {
            return;
        }
        int attempts = queued / 32 + 2;
        for (int i = 0; i < attempts; i++) {
            long result = Libc.sendto(callState, fd, umem, 0, 0, MSG_DONTWAIT, MemorySegment.NULL, 0);
            if (result >= 0 && (int) INDEX.getAcquire(tx.consumer, 0L) == tx.cachedProducer) {
                return;
            }
            if (result < 0 && result != -Errno.EAGAIN && result != -Errno.EBUSY && result != -Errno.ENOBUFS) {
                txKickFailures++;
                return;
            }
        }
    }

    /** Frames the kernel has sent go back on the free stack, in one pass over the completion ring. */
    private void reclaimCompletions() {
        Ring ring = completion;
        int done = ring.available();
        if (done == 0) {
            return;
        }
        MemorySegment entries = ring.entries;
        int consumer = ring.cachedConsumer;
        for (int i = 0; i < done; i++) {
            long address = entries.get(U64, (long) ((consumer + i) & ring.mask) * ADDR_SIZE);
            txFree[txFreeCount++] = (int) ((address & UNALIGNED_ADDR_MASK) >>> frameShift);
        }
        ring.cachedConsumer = consumer + done;
        INDEX.setRelease(ring.consumer, 0L, ring.cachedConsumer);
    }

    /** Blocks up to {@code timeoutMillis} (-1: no limit) until the RX ring holds a descriptor; true if it does. */
    public boolean awaitReadable(int timeoutMillis) {
        if (rx.available() > 0) {
            return true;
        }
        return Libc.poll(callState, pollfd, 1, timeoutMillis) > 0;
    }

    /**
     * XDP_STATISTICS (the kernel's counts since the socket was bound) into the fields; the input node turns the
     * increase into its error counters. A system call: made once every {@value #STATS_INTERVAL} receive calls.
     */
    void readKernelStatistics() {
        statsCountdown = STATS_INTERVAL;
        if (closed) {
            return;
        }
        Libc.getsockopt(fd, SOL_XDP, XDP_STATISTICS, stats, "XDP_STATISTICS");
        kernelRxDropped = stats.get(U64, STATS_RX_DROPPED);
        kernelRxRingFull = stats.get(U64, STATS_RX_RING_FULL);
        kernelTxInvalid = stats.get(U64, STATS_TX_INVALID_DESCS);
        kernelFillRingEmpty = stats.get(U64, STATS_RX_FILL_RING_EMPTY);
    }

    public long rxPackets() {
        return rxPackets;
    }

    public long rxBytes() {
        return rxBytes;
    }

    /** Descriptors whose length cannot be a buffer (shorter than two MAC addresses, longer than a buffer). */
    @Override
    public long rxErrors() {
        return rxErrors;
    }

    public long txPackets() {
        return txPackets;
    }

    public long txBytes() {
        return txBytes;
    }

    /** Frames longer than a UMEM frame holds, not sent. */
    public long txOversize() {
        return txOversize;
    }

    /** Frames not sent because the TX ring or the free transmit frames were used up. */
    public long txRingFull() {
        return txRingFull;
    }

    /** sendto(2) kicks that failed with something other than EAGAIN, EBUSY or ENOBUFS. */
    public long txKickFailures() {
        return txKickFailures;
    }

    /** Kernel: frames dropped for want of a fill-ring frame or for being longer than a frame (rx_dropped). */
    public long kernelRxDropped() {
        return kernelRxDropped;
    }

    /** Kernel: frames dropped because the RX ring was full (rx_ring_full). */
    public long kernelRxRingFull() {
        return kernelRxRingFull;
    }

    /** Kernel: TX descriptors it refused (tx_invalid_descs). */
    public long kernelTxInvalid() {
        return kernelTxInvalid;
    }

    /** Kernel: times it found the fill ring empty (rx_fill_ring_empty_descs; those frames are in rx_dropped). */
    public long kernelFillRingEmpty() {
        return kernelFillRingEmpty;
    }

    /**
     * Deletes the socket (the netdev's last one detaches libxdp's program: call it in the netdev's namespace), the
     * UMEM and its memory.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibXdp.socketDelete(socketHandle);
        LibXdp.umemDelete(umemHandle);
        Libc.munmap(umem);
        arena.close();
    }
}
