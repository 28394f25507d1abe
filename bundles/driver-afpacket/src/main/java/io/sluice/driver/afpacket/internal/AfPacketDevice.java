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
 * <p>One thread drives the data path; counters may be read from any thread.
 */
public final class AfPacketDevice implements HostInterfacePort.Socket {

    /**
     * Bytes of the ring's struct tpacket3_hdr that {@link #receive(BufferPool, int[], int, int, boolean)} can
     * keep in a buffer's headroom, ending right before the frame (for the input node's trace).
     */
    public static final int RING_HEADER_SIZE = V3_SIZE;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final VarHandle STATUS = ValueLayout.JAVA_INT.varHandle();
    private long checksumsCompleted;
    static final int FRAME_SIZE = 2048;
    private static final int TX_BLOCK_SIZE = 64 * 1024;
    private static final int MAX_TX_FRAME = FRAME_SIZE - V2_TX_DATA;
    private static final int VLAN_TAG = 4;
    private static final int MAC_ADDRESSES = 12;
    private static final int ETH_P_8021Q = 0x8100;

    private final String ifName;
    private final int ifIndex;
    private final AfPacketConfig config;
    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment pollfd;

    private final int rxFd;
    private final MemorySegment rxRing;
    private final int rxBlockSize;
    private final int rxBlockCount;
    private final boolean rxV2;
    private final int rxSlots;
    private int rxBlock;
    private int rxSlot;
    private int rxPacketsLeftInBlock;
    private long rxNextPacket;

    private final int txFd;
    private final MemorySegment txRing;
    private final int txSlots;
    private int txHead;
    private final MemorySegment txMessages;
    private final MemorySegment txIovecs;

    private long rxPackets;
    private long rxBytes;
    private long rxErrors;
    private long rxKernelDrops;
    private long txPackets;
    private long txBytes;
    private long txErrors;
    private long txRingFull;
    private long txFlushFailures;
    private boolean closed;

    private AfPacketDevice(String ifName, AfPacketConfig config) {
        this.ifName = ifName;
        this.config = config;
        this.ifIndex = Libc.ifNameToIndex(ifName);
        this.arena = Arena.ofShared();
        this.callState = Libc.newCallState(arena);
        this.rxBlockSize = config.rxBlockSize();
        this.rxBlockCount = config.rxBlockCount();
        this.txSlots = config.txFrames();
        this.rxV2 = config.rxRing() == AfPacketConfig.RxRing.V2;
        this.rxSlots = (int) ((long) rxBlockSize * rxBlockCount / FRAME_SIZE);

        int rx = -1;
        int tx = -1;
        MemorySegment rxMapping = null;
        MemorySegment txMapping = null;
        try {
            rx = Libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
            rxMapping = openReceiveRing(rx);
            tx = Libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
            if (config.txMode() == AfPacketConfig.TxMode.TX_RING) {
                txMapping = openTransmitRing(tx);
            }
            bind(tx, 0);
        } catch (RuntimeException e) {
            if (rxMapping != null) {
                Libc.munmap(rxMapping);
            }
            if (txMapping != null) {
                Libc.munmap(txMapping);
            }
            if (rx >= 0) {
                Libc.close(rx);
            }
            if (tx >= 0) {
                Libc.close(tx);
            }
            arena.close();
            throw e;
        }
        this.rxFd = rx;
        this.rxRing = rxMapping;
        this.txFd = tx;
        this.txRing = txMapping;

        this.pollfd = arena.allocate(POLLFD_SIZE, 4);
        pollfd.set(U32, POLLFD_FD, rxFd);
        pollfd.set(U16, POLLFD_EVENTS, (short) (POLLIN | POLLERR));

        this.txMessages = arena.allocate((long) txSlots * MMSGHDR_SIZE, 8);
        this.txIovecs = arena.allocate((long) txSlots * IOVEC_SIZE, 8);
        for (int i = 0; i < txSlots; i++) {
            long message = (long) i * MMSGHDR_SIZE;
            txMessages.set(ValueLayout.JAVA_LONG, message + MSG_IOV, txIovecs.address() + (long) i * IOVEC_SIZE);
            txMessages.set(ValueLayout.JAVA_LONG, message + MSG_IOVLEN, 1L);
        }
    }

    /** Binds {@code ifName} (in the calling thread's network namespace) with the given rings. */
    public static AfPacketDevice open(String ifName, AfPacketConfig config) {
        return new AfPacketDevice(ifName, config);
    }

    private MemorySegment openReceiveRing(int fd) {
        try (Arena scratch = Arena.ofConfined()) {
            if (rxV2) {
                Libc.setsockopt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2, "PACKET_VERSION, TPACKET_V2");
                MemorySegment req = scratch.allocate(REQ_SIZE, 4);
                req.set(U32, REQ_BLOCK_SIZE, rxBlockSize);
                req.set(U32, REQ_BLOCK_NR, rxBlockCount);
                req.set(U32, REQ_FRAME_SIZE, FRAME_SIZE);
                req.set(U32, REQ_FRAME_NR, rxSlots);
                Libc.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req, "PACKET_RX_RING");
            } else {
                Libc.setsockopt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3, "PACKET_VERSION, TPACKET_V3");
                MemorySegment req = scratch.allocate(REQ3_SIZE, 4);
                req.set(U32, REQ3_BLOCK_SIZE, rxBlockSize);
                req.set(U32, REQ3_BLOCK_NR, rxBlockCount);
                req.set(U32, REQ3_FRAME_SIZE, FRAME_SIZE);
                req.set(U32, REQ3_FRAME_NR, rxSlots);
                req.set(U32, REQ3_RETIRE_BLK_TOV, config.rxBlockTimeoutMillis());
                Libc.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req, "PACKET_RX_RING");
            }

            MemorySegment mreq = scratch.allocate(PACKET_MREQ_SIZE, 4);
            mreq.set(U32, 0, ifIndex);
            mreq.set(U16, 4, (short) PACKET_MR_PROMISC);
            Libc.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, "PACKET_ADD_MEMBERSHIP, \"" + ifName + "\"");
        }
        Libc.setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
        MemorySegment ring = Libc.mmap((long) rxBlockSize * rxBlockCount, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_POPULATE, fd, 0);
        // bound last, with the protocol, so that no frame is queued before the ring exists
        bind(fd, ETH_P_ALL);
        return ring;
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
        return rxV2 ? receiveSlots(pool, buffers, from, max, keepRingHeaders)
                : receiveBlocks(pool, buffers, from, max, keepRingHeaders);
    }

    /** The file descriptor a poll(2) waits on for received frames (the input node's interrupt mode). */
    @Override
    public int rxFd() {
        return rxFd;
    }

    /**
     * TPACKET_V2: one frame per 2 KiB slot, taken in ring order while its tp_status has TP_STATUS_USER. For the
     * trace the slot's tpacket2_hdr is kept in the headroom in tpacket3_hdr's layout, so af-packet-input's
     * record and its lines are the same whichever ring the port maps.
     */
    private int receiveSlots(BufferPool pool, int[] buffers, int from, int max, boolean keepRingHeaders) {
        MemorySegment ring = rxRing;
        MemorySegment data = pool.segment();
        int received = 0;
        long bytes = 0;
        int errors = 0;
        int slotIndex = rxSlot;
        while (received < max) {
            long slot = (long) slotIndex * FRAME_SIZE;
            int status = (int) STATUS.getAcquire(ring, slot + V2_STATUS);
            if ((status & TP_STATUS_USER) == 0) {
                break;
            }
            if (ring.get(ValueLayout.JAVA_BYTE, slot + V2_SLL_PKTTYPE) != PACKET_OUTGOING) {
                int bi = copyIn(pool, ring, slot + (ring.get(U16, slot + V2_MAC) & 0xffff),
                        ring.get(U32, slot + V2_SNAPLEN), status, slot + V2_VLAN_TPID, slot + V2_VLAN_TCI, false);
                if (bi == NO_BUFFER) {
                    break; // left in the ring for the next call
                }
                if (bi == UNFIT) {
                    errors++;
                } else {
                    if (keepRingHeaders) {
                        keepV2HeaderAsV3(ring, slot, data, BufferPool.dataStart(bi) - RING_HEADER_SIZE);
                    }
                    buffers[from + received++] = bi;
                    bytes += pool.length(bi);
                }
            }
            STATUS.setRelease(ring, slot + V2_STATUS, TP_STATUS_KERNEL);
            slotIndex = slotIndex + 1 == rxSlots ? 0 : slotIndex + 1;
        }
        rxSlot = slotIndex;
        rxPackets += received;
        rxBytes += bytes;
        rxErrors += errors;
        return received;
    }

    /** {@link #copyIn}: no buffer was free; the frame stays in the ring for the next call. */
    private static final int NO_BUFFER = -1;
    /** {@link #copyIn}: the frame cannot be a buffer (longer than one, or shorter than two MAC addresses). */
    private static final int UNFIT = -2;

    /**
     * One received frame into a new buffer, for both ring versions: the VLAN tag the kernel took out put back
     * (its TPID and TCI read at {@code tpidAt} and {@code tciAt}, the TCI a u16 in tpacket2_hdr and a u32 in
     * tpacket3_hdr), the length set, a checksum left to the NIC completed. Returns the buffer, {@link #NO_BUFFER}
     * or {@link #UNFIT}.
     */
    private int copyIn(BufferPool pool, MemorySegment ring, long source, int snaplen, int status, long tpidAt,
                       long tciAt, boolean tci32) {
        boolean tagged = (status & TP_STATUS_VLAN_VALID) != 0;
        int length = tagged ? snaplen + VLAN_TAG : snaplen;
        if (length > BufferPool.DATA_SIZE || snaplen < MAC_ADDRESSES) {
            return UNFIT;
        }
        int bi = pool.alloc();
        if (bi < 0) {
            return NO_BUFFER;
        }
        MemorySegment data = pool.segment();
        long target = BufferPool.dataStart(bi);
        if (tagged) {
            int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? ring.get(U16, tpidAt) & 0xffff : ETH_P_8021Q;
            int tci = tci32 ? ring.get(U32, tciAt) : ring.get(U16, tciAt) & 0xffff;
            copyReinsertingTag(ring, source, snaplen, data, target, tpid, tci);
        } else {
            MemorySegment.copy(ring, source, data, target, snaplen);
        }
        pool.setData(bi, 0, length);
        if ((status & TP_STATUS_CSUMNOTREADY) != 0 && completeChecksum(data, target, length)) {
            checksumsCompleted++;
        }
        return bi;
    }

    /** tpacket2_hdr's fields written where tpacket3_hdr keeps them (include/uapi/linux/if_packet.h). */
    private static void keepV2HeaderAsV3(MemorySegment ring, long slot, MemorySegment data, long header) {
        data.set(U32, header + V3_STATUS, ring.get(U32, slot + V2_STATUS));
        data.set(U32, header + V3_LEN, ring.get(U32, slot + V2_LEN));
        data.set(U32, header + V3_SNAPLEN, ring.get(U32, slot + V2_SNAPLEN));
        data.set(U16, header + V3_MAC, ring.get(U16, slot + V2_MAC));
        data.set(U16, header + V3_NET, ring.get(U16, slot + V2_NET));
        data.set(U32, header + V3_SEC, ring.get(U32, slot + V2_SEC));
        data.set(U32, header + V3_NSEC, ring.get(U32, slot + V2_NSEC));
        data.set(U32, header + V3_VLAN_TCI, ring.get(U16, slot + V2_VLAN_TCI) & 0xffff);
        data.set(U16, header + V3_VLAN_TPID, ring.get(U16, slot + V2_VLAN_TPID));
    }

    /** TPACKET_V3: the frames of each retired block in turn, the block given back after its last frame. */
    private int receiveBlocks(BufferPool pool, int[] buffers, int from, int max, boolean keepRingHeaders) {
        MemorySegment ring = rxRing;
        MemorySegment data = pool.segment();
        int received = 0;
        long bytes = 0;
        int errors = 0;
        while (received < max) {
            long block = (long) rxBlock * rxBlockSize;
            if (rxPacketsLeftInBlock == 0) {
                if (((int) STATUS.getAcquire(ring, block + BLOCK_STATUS) & TP_STATUS_USER) == 0) {
                    break;
                }
                rxPacketsLeftInBlock = ring.get(U32, block + BLOCK_NUM_PKTS);
                rxNextPacket = block + ring.get(U32, block + BLOCK_OFFSET_TO_FIRST);
                if (rxPacketsLeftInBlock == 0) {
                    releaseBlock(ring, block);
                    continue;
                }
            }
            long packet = rxNextPacket;
            if (ring.get(ValueLayout.JAVA_BYTE, packet + V3_SLL_PKTTYPE) != PACKET_OUTGOING) {
                int bi = copyIn(pool, ring, packet + (ring.get(U16, packet + V3_MAC) & 0xffff),
                        ring.get(U32, packet + V3_SNAPLEN), ring.get(U32, packet + V3_STATUS), packet + V3_VLAN_TPID,
                        packet + V3_VLAN_TCI, true);
                if (bi == NO_BUFFER) {
                    break; // left in the ring for the next call
                }
                if (bi == UNFIT) {
                    errors++;
                } else {
                    if (keepRingHeaders) {
                        MemorySegment.copy(ring, packet, data, BufferPool.dataStart(bi) - RING_HEADER_SIZE,
                                RING_HEADER_SIZE);
                    }
                    buffers[from + received++] = bi;
                    bytes += pool.length(bi);
                }
            }
            rxNextPacket = packet + ring.get(U32, packet + V3_NEXT_OFFSET);
            if (--rxPacketsLeftInBlock == 0) {
                releaseBlock(ring, block);
            }
        }
        rxPackets += received;
        rxBytes += bytes;
        rxErrors += errors;
        return received;
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
        return checksumsCompleted;
    }

    private void releaseBlock(MemorySegment ring, long block) {
        STATUS.setRelease(ring, block + BLOCK_STATUS, TP_STATUS_KERNEL);
        rxBlock = rxBlock + 1 == rxBlockCount ? 0 : rxBlock + 1;
    }

    /** The kernel moved the 802.1Q tag into tp_vlan_tci: put it back after the MAC addresses. */
    private static void copyReinsertingTag(MemorySegment ring, long source, int snaplen, MemorySegment data,
                                           long target, int tpid, int tci) {
        MemorySegment.copy(ring, source, data, target, MAC_ADDRESSES);
        data.set(U16_BE, target + MAC_ADDRESSES, (short) tpid);
        data.set(U16_BE, target + MAC_ADDRESSES + 2, (short) tci);
        MemorySegment.copy(ring, source + MAC_ADDRESSES, data, target + MAC_ADDRESSES + VLAN_TAG,
                snaplen - MAC_ADDRESSES);
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

    /** Blocks up to {@code timeoutMillis} (-1: no limit) until a receive slot or block is ready; true if one is. */
    public boolean awaitReadable(int timeoutMillis) {
        if (rxV2) {
            long slot = (long) rxSlot * FRAME_SIZE;
            if (((int) STATUS.getAcquire(rxRing, slot + V2_STATUS) & TP_STATUS_USER) != 0) {
                return true;
            }
            return Libc.poll(callState, pollfd, 1, timeoutMillis) > 0;
        }
        long block = (long) rxBlock * rxBlockSize;
        if (rxPacketsLeftInBlock > 0 || ((int) STATUS.getAcquire(rxRing, block + BLOCK_STATUS) & TP_STATUS_USER) != 0) {
            return true;
        }
        return Libc.poll(callState, pollfd, 1, timeoutMillis) > 0;
    }

    /**
     * Frames the kernel dropped because the receive ring was full (tp_drops of PACKET_STATISTICS, which
     * resets on read, summed here). A control-plane call: it makes a system call.
     */
    public synchronized long rxKernelDrops() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment stats = scratch.allocate(STATS_V3_SIZE, 4);
            Libc.getsockopt(rxFd, SOL_PACKET, PACKET_STATISTICS, stats, "PACKET_STATISTICS");
            rxKernelDrops += stats.get(U32, STATS_DROPS) & 0xffffffffL;
        }
        return rxKernelDrops;
    }

    public long rxPackets() {
        return rxPackets;
    }

    public long rxBytes() {
        return rxBytes;
    }

    /** Frames too large for a buffer (or shorter than two MAC addresses). */
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
        Libc.munmap(rxRing);
        if (txRing != null) {
            Libc.munmap(txRing);
        }
        Libc.close(rxFd);
        Libc.close(txFd);
        arena.close();
    }
}
