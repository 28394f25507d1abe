package io.sluice.driver.afpacket.internal;

import static io.sluice.driver.afpacket.internal.Tpacket.*;
import static io.sluice.nativeio.api.LinuxConstants.*;

import io.sluice.nativeio.api.Libc;
import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.Tcp;
import io.sluice.packet.api.Udp;
import io.sluice.vnet.api.HostInterfacePort;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A Linux netdev driven through AF_PACKET (packet(7), Documentation/networking/packet_mmap.rst).
 *
 * <p>Receive: a socket bound to ETH_P_ALL with a TPACKET_V2 ring (the default: each 2 KiB slot is handed over
 * as soon as the kernel wrote it, tp_status TP_STATUS_USER) or a TPACKET_V3 ring (variable-size frames packed
 * into fixed blocks, a block handed over when it is full or when the block timeout expires, which a quiet link
 * waits for); {@link #receive} copies each frame into a pool buffer and gives the slot or block back with a
 * release store of TP_STATUS_KERNEL. Frames this host sent (PACKET_OUTGOING) are skipped, the interface is
 * put in promiscuous mode (PACKET_ADD_MEMBERSHIP) so frames for the gateway's own MAC arrive whatever the
 * netdev's MAC, and a VLAN tag the kernel stripped into the header is put back into the frame.
 *
 * <p>Transmit: a second socket bound with protocol 0 (so it receives nothing) either with a TPACKET_V2
 * PACKET_TX_RING (frames copied into ring slots, marked TP_STATUS_SEND_REQUEST, one sendto(2) flushes the
 * batch) or with sendmmsg(2) straight from the pool's buffers; see {@link AfPacketConfig.TxMode}.
 *
 * <p>Receive queues: one socket and ring each ({@link AfPacketRxRing}); with several, they form one fanout group
 * (PACKET_FANOUT) and the kernel hands each frame to one of them, by flow hash or as a steering program says
 * ({@link AfPacketFanout}). Each queue is driven by the one worker it is placed on; transmit is taken under the
 * interface's tx lock when several workers send. Counters may be read from any thread.
 */
public final class AfPacketDevice implements HostInterfacePort.Socket {

    /**
     * Bytes of the ring's struct tpacket3_hdr that {@link #receive(BufferPool, int[], int, int, boolean)} can
     * keep in a buffer's headroom, ending right before the frame (for the input node's trace).
     */
    public static final int RING_HEADER_SIZE = V3_SIZE;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    private static final VarHandle STATUS = ValueLayout.JAVA_INT.varHandle();
    static final int FRAME_SIZE = 2048;
    private static final int TX_BLOCK_SIZE = 64 * 1024;
    private static final int MAX_TX_FRAME = FRAME_SIZE - V2_TX_DATA;

    private final String ifName;
    private final int ifIndex;
    private final AfPacketConfig config;
    private final Arena arena;
    private final MemorySegment callState;

    /** The receive queues, in fanout order: queue i is the i-th socket that joined the group. */
    private final AfPacketRxRing[] rxRings;
    private final AfPacketFanout fanout;

    private final int txFd;
    private final MemorySegment txRing;
    private final int txSlots;
    private int txHead;
    private final MemorySegment txMessages;
    private final MemorySegment txIovecs;

    private long txPackets;
    private long txBytes;
    private long txErrors;
    private long txRingFull;
    private long txFlushFailures;
    private boolean closed;

    private AfPacketDevice(String ifName, AfPacketConfig config, AfPacketFanout fanout) {
        this.ifName = ifName;
        this.config = config;
        this.fanout = fanout;
        this.ifIndex = Libc.ifNameToIndex(ifName);
        this.arena = Arena.ofShared();
        this.callState = Libc.newCallState(arena);
        this.txSlots = config.txFrames();

        AfPacketRxRing[] rings = new AfPacketRxRing[fanout.queues()];
        int tx = -1;
        MemorySegment txMapping = null;
        try {
            openReceiveQueues(rings, fanout);
            tx = Libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
            if (config.txMode() == AfPacketConfig.TxMode.TX_RING) {
                txMapping = openTransmitRing(tx);
            }
            bind(tx, 0);
        } catch (RuntimeException e) {
            for (AfPacketRxRing ring : rings) {
                if (ring != null) {
                    ring.close();
                }
            }
            if (txMapping != null) {
                Libc.munmap(txMapping);
            }
            if (tx >= 0) {
                Libc.close(tx);
            }
            arena.close();
            throw e;
        }
        this.rxRings = rings;
        this.txFd = tx;
        this.txRing = txMapping;

        this.txMessages = arena.allocate((long) txSlots * MMSGHDR_SIZE, 8);
        this.txIovecs = arena.allocate((long) txSlots * IOVEC_SIZE, 8);
        for (int i = 0; i < txSlots; i++) {
            long message = (long) i * MMSGHDR_SIZE;
            txMessages.set(ValueLayout.JAVA_LONG, message + MSG_IOV, txIovecs.address() + (long) i * IOVEC_SIZE);
            txMessages.set(ValueLayout.JAVA_LONG, message + MSG_IOVLEN, 1L);
        }
    }

    /** Binds {@code ifName} (in the calling thread's network namespace) with the given rings and one receive queue. */
    public static AfPacketDevice open(String ifName, AfPacketConfig config) {
        return new AfPacketDevice(ifName, config, AfPacketFanout.NONE);
    }

    /** As {@link #open(String, AfPacketConfig)}, with the receive queues {@code fanout} gives, in one fanout group. */
    public static AfPacketDevice open(String ifName, AfPacketConfig config, AfPacketFanout fanout) {
        return new AfPacketDevice(ifName, config, fanout);
    }

    /**
     * Opens a socket and ring per queue into {@code rings}; with more than one, each joins the device's fanout group
     * in queue order (so answer i of a steering program is queue i), the program given to the group once all are in.
     * The group's id is this process's and the netdev's (as DPDK's net_af_packet makes it), unique in the namespace.
     */
    private void openReceiveQueues(AfPacketRxRing[] rings, AfPacketFanout fanout) {
        int group = (int) ((ProcessHandle.current().pid() ^ ifIndex) & 0xffff);
        for (int q = 0; q < rings.length; q++) {
            rings[q] = new AfPacketRxRing(ifName, ifIndex, config);
            if (rings.length > 1) {
                rings[q].joinFanout(group, fanout.mode());
            }
        }
        if (rings.length > 1 && fanout.steering() != null) {
            try (Arena scratch = Arena.ofConfined()) {
                rings[0].setFanoutProgram(PortBlockSteering.program(fanout.steering(), scratch));
            }
        }
    }

    private MemorySegment openTransmitRing(int fd) {
        Libc.setsockopt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2, "PACKET_VERSION, TPACKET_V2");
        // a malformed frame is marked TP_STATUS_WRONG_FORMAT and skipped instead of stopping the ring
        Libc.setsockopt(fd, SOL_PACKET, PACKET_LOSS, 1, "PACKET_LOSS");
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment req = scratch.allocate(REQ_SIZE, 4);
            req.set(U32, REQ_BLOCK_SIZE, TX_BLOCK_SIZE);
            req.set(U32, REQ_BLOCK_NR, txSlots * FRAME_SIZE / TX_BLOCK_SIZE);
            req.set(U32, REQ_FRAME_SIZE, FRAME_SIZE);
            req.set(U32, REQ_FRAME_NR, txSlots);
            Libc.setsockopt(fd, SOL_PACKET, PACKET_TX_RING, req, "PACKET_TX_RING");
        }
        return Libc.mmap((long) txSlots * FRAME_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    }

    private void bind(int fd, int protocol) {
        bind(fd, ifIndex, ifName, protocol);
    }

    /** Binds packet socket {@code fd} to netdev {@code ifIndex} for {@code protocol} (0: receives nothing). */
    static void bind(int fd, int ifIndex, String ifName, int protocol) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment address = scratch.allocate(SOCKADDR_LL_SIZE, 4);
            address.set(U16, SLL_FAMILY, (short) AF_PACKET);
            address.set(U16, SLL_PROTOCOL, Libc.htons(protocol));
            address.set(U32, SLL_IFINDEX, ifIndex);
            Libc.bind(fd, address, "AF_PACKET, \"" + ifName + "\"");
        }
    }

    public String ifName() {
        return ifName;
    }

    public int ifIndex() {
        return ifIndex;
    }

    public AfPacketConfig config() {
        return config;
    }

    /**
     * Copies up to {@code max} received frames into buffers allocated from {@code pool}, stored at
     * {@code buffers[from..]}, current data 0 at the Ethernet header. Returns how many; 0 when the ring
     * holds no finished block. Stops early when the pool runs dry (the rest stays in the ring).
     */
    public int receive(BufferPool pool, int[] buffers, int from, int max) {
        return receive(pool, buffers, from, max, false);
    }

    /**
     * As {@link #receive(BufferPool, int[], int, int)}; with {@code keepRingHeaders}, each frame's
     * tpacket3_hdr is also copied into the buffer's headroom, at {@code dataStart(bi) - RING_HEADER_SIZE}
     * (what a trace shows of the ring). Meant for the frames being traced, not the steady state.
     */
    @Override
    public int receive(BufferPool pool, int[] buffers, int from, int max, boolean keepRingHeaders) {
        return rxRings[0].receive(pool, buffers, from, max, keepRingHeaders);
    }

    /** As {@link #receive(BufferPool, int[], int, int, boolean)}, from receive queue {@code queue}. */
    @Override
    public int receive(int queue, BufferPool pool, int[] buffers, int from, int max, boolean keepRingHeaders) {
        return rxRings[queue].receive(pool, buffers, from, max, keepRingHeaders);
    }

    /** The file descriptor a poll(2) waits on for received frames of queue 0 (the input node's interrupt mode). */
    @Override
    public int rxFd() {
        return rxRings[0].rxFd();
    }

    /** The file descriptor a poll(2) waits on for received frames of queue {@code queue}. */
    public int rxFd(int queue) {
        return rxRings[queue].rxFd();
    }

    /** The receive queues, one socket and ring each. */
    public int rxQueues() {
        return rxRings.length;
    }

    /** How the receive queues share the frames. */
    public AfPacketFanout fanout() {
        return fanout;
    }

    /** Frames refused in queue {@code queue}'s ring: longer than a buffer, shorter than two MAC addresses. */
    @Override
    public long rxErrors(int queue) {
        return rxRings[queue].rxErrors();
    }

    /** Frames received on queue {@code queue}. */
    public long rxPackets(int queue) {
        return rxRings[queue].rxPackets();
    }

    /** Blocks up to {@code timeoutMillis} (-1: no limit) until queue 0's ring holds a frame; true if it does. */
    public boolean awaitReadable(int timeoutMillis) {
        return rxRings[0].awaitReadable(timeoutMillis);
    }

    /**
     * Frames the kernel dropped because a receive ring was full (tp_drops of PACKET_STATISTICS, which resets on read,
     * summed here over the queues). A control-plane call: it makes a system call per queue.
     */
    public long rxKernelDrops() {
        long sum = 0;
        for (AfPacketRxRing ring : rxRings) {
            sum += ring.rxKernelDrops();
        }
        return sum;
    }

    /**
     * Completes the TCP or UDP checksum of an IPv4 frame the kernel handed over with TP_STATUS_CSUMNOTREADY
     * (linux/if_packet.h): a sender on this host or across a veth left it to the NIC, which here does not
     * exist, so the field holds only the pseudo-header sum. A box that forwards the frame must send it
     * complete, as a NIC would have. Returns false (frame untouched) for anything else.
     */
    static boolean completeChecksum(MemorySegment data, long frame, int length) {
        if (length < Ethernet.HEADER_LENGTH + Ipv4.MIN_HEADER_LENGTH
                || Ethernet.l3EtherType(data, frame) != Ethernet.TYPE_IP4) {
            return false;
        }
        int l3 = Ethernet.l3Offset(data, frame);
        long ip = frame + l3;
        int headerLength = Ipv4.headerLength(data, ip);
        int total = Ipv4.totalLength(data, ip);
        if (Ipv4.version(data, ip) != 4 || headerLength < Ipv4.MIN_HEADER_LENGTH || total > length - l3
                || total < headerLength + 8 || Ipv4.isFragment(data, ip)) {
            return false;
        }
        int protocol = Ipv4.protocol(data, ip);
        if (protocol == Ipv4.PROTOCOL_TCP && total >= headerLength + Tcp.MIN_HEADER_LENGTH) {
            Checksum.setTcpChecksum(data, ip);
            return true;
        }
        // A UDP length below its own header's 8 bytes (RFC 768) is no datagram: a checksum over it would be wrong.
        int udpLength = Udp.length(data, ip + headerLength);
        if (protocol == Ipv4.PROTOCOL_UDP && udpLength >= Udp.HEADER_LENGTH && udpLength <= total - headerLength) {
            Checksum.setUdpChecksum(data, ip);
            return true;
        }
        return false;
    }

    /** Frames received with TP_STATUS_CSUMNOTREADY whose TCP/UDP checksum this device completed. */
    public long rxChecksumsCompleted() {
        long sum = 0;
        for (AfPacketRxRing ring : rxRings) {
            sum += ring.rxChecksumsCompleted();
        }
        return sum;
    }

    /**
     * Sends {@code buffers[from..from+n)} (each buffer's current data is one frame). Returns how many
     * left; the others were refused (ring full, oversize, or an error) and are counted. The buffers stay
     * the caller's to free.
     */
    @Override
    public int transmit(BufferPool pool, int[] buffers, int from, int n) {
        return txRing != null ? transmitThroughRing(pool, buffers, from, n) : transmitWithSendmmsg(pool, buffers, from, n);
    }

    private int transmitThroughRing(BufferPool pool, int[] buffers, int from, int n) {
        MemorySegment ring = txRing;
        MemorySegment data = pool.segment();
        int queued = 0;
        long bytes = 0;
        int errors = 0;
        int full = 0;
        int head = txHead;
        for (int i = 0; i < n; i++) {
            int bi = buffers[from + i];
            int length = pool.length(bi);
            if (length > MAX_TX_FRAME) {
                errors++;
                continue;
            }
            long slot = (long) head * FRAME_SIZE;
            int status = (int) STATUS.getAcquire(ring, slot + V2_STATUS);
            if (status == TP_STATUS_WRONG_FORMAT) {
                errors++; // an earlier frame in this slot was refused by the kernel; the slot is free again
            } else if (status != TP_STATUS_AVAILABLE) {
                full = n - i; // the kernel has not sent what this slot held: the ring is full
                break;
            }
            MemorySegment.copy(data, pool.dataOffset(bi), ring, slot + V2_TX_DATA, length);
            ring.set(U32, slot + V2_LEN, length);
            STATUS.setRelease(ring, slot + V2_STATUS, TP_STATUS_SEND_REQUEST);
            head = head + 1 == txSlots ? 0 : head + 1;
            queued++;
            bytes += length;
        }
        txHead = head;
        if (queued > 0) {
            // one call sends every slot marked SEND_REQUEST; MSG_DONTWAIT: do not wait for completions
            long result = Libc.sendto(callState, txFd, ring, 0, 0, MSG_DONTWAIT, MemorySegment.NULL, 0);
            if (result < 0) {
                txFlushFailures++; // the slots stay marked and leave with the next successful flush
            }
        }
        txPackets += queued;
        txBytes += bytes;
        txErrors += errors + full;
        txRingFull += full;
        return queued;
    }

    private int transmitWithSendmmsg(BufferPool pool, int[] buffers, int from, int n) {
        MemorySegment iovecs = txIovecs;
        long base = pool.segment().address();
        int count = Math.min(n, txSlots);
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            int bi = buffers[from + i];
            long iovec = (long) i * IOVEC_SIZE;
            int length = pool.length(bi);
            iovecs.set(ValueLayout.JAVA_LONG, iovec + IOV_BASE, base + pool.dataOffset(bi));
            iovecs.set(ValueLayout.JAVA_LONG, iovec + IOV_LEN, length);
            bytes += length;
        }
        int sent = 0;
        while (sent < count) {
            int result = Libc.sendmmsg(callState, txFd, txMessages, (long) sent * MMSGHDR_SIZE, count - sent,
                    MSG_DONTWAIT);
            if (result <= 0) {
                break;
            }
            sent += result;
        }
        if (sent < count) {
            for (int i = sent; i < count; i++) {
                bytes -= pool.length(buffers[from + i]);
            }
        }
        txPackets += sent;
        txBytes += bytes;
        txErrors += n - sent;
        return sent;
    }

    public long rxPackets() {
        long sum = 0;
        for (AfPacketRxRing ring : rxRings) {
            sum += ring.rxPackets();
        }
        return sum;
    }

    public long rxBytes() {
        long sum = 0;
        for (AfPacketRxRing ring : rxRings) {
            sum += ring.rxBytes();
        }
        return sum;
    }

    /** Frames too large for a buffer (or shorter than two MAC addresses). */
    @Override
    public long rxErrors() {
        long sum = 0;
        for (AfPacketRxRing ring : rxRings) {
            sum += ring.rxErrors();
        }
        return sum;
    }

    public long txPackets() {
        return txPackets;
    }

    public long txBytes() {
        return txBytes;
    }

    /** Frames refused: oversize, rejected by the kernel, or not taken when the ring was full. */
    public long txErrors() {
        return txErrors;
    }

    /** Of {@link #txErrors()}, the frames refused because every transmit slot was still in flight. */
    public long txRingFull() {
        return txRingFull;
    }

    /** sendto(2) calls that failed to flush the transmit ring (its frames go with the next flush). */
    public long txFlushFailures() {
        return txFlushFailures;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AfPacketRxRing ring : rxRings) {
            ring.close();
        }
        if (txRing != null) {
            Libc.munmap(txRing);
        }
        Libc.close(txFd);
        arena.close();
    }
}
