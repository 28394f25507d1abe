package io.sluice.driver.afpacket.internal;

import static io.sluice.driver.afpacket.internal.Tpacket.*;
import static io.sluice.nativeio.api.LinuxConstants.*;

import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.nativeio.api.Libc;
import io.sluice.packet.api.BufferPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One receive queue of an {@link AfPacketDevice}: a packet socket bound to ETH_P_ALL with its TPACKET_V2 or V3 ring
 * (packet(7), Documentation/networking/packet_mmap.rst), the ring's cursor and its counters. A device with several
 * queues has one per queue, all in one fanout group (PACKET_FANOUT), so the kernel hands each frame to one of them:
 * by flow hash, or as a steering program says. Driven by the one worker its queue is placed on; counters may be read
 * from any thread.
 */
final class AfPacketRxRing {

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final VarHandle STATUS = ValueLayout.JAVA_INT.varHandle();
    private static final int FRAME_SIZE = AfPacketDevice.FRAME_SIZE;
    private static final int RING_HEADER_SIZE = AfPacketDevice.RING_HEADER_SIZE;
    private static final int VLAN_TAG = 4;
    private static final int MAC_ADDRESSES = 12;
    private static final int ETH_P_8021Q = 0x8100;

    private final String ifName;
    private final int ifIndex;
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

    private long rxPackets;
    private long rxBytes;
    private long rxErrors;
    private long rxKernelDrops;
    private long checksumsCompleted;
    private boolean closed;

    /** Opens the socket and its ring on {@code ifName} (in the calling thread's network namespace) and binds it. */
    AfPacketRxRing(String ifName, int ifIndex, AfPacketConfig config) {
        this.ifName = ifName;
        this.ifIndex = ifIndex;
        this.rxBlockSize = config.rxBlockSize();
        this.rxBlockCount = config.rxBlockCount();
        this.rxV2 = config.rxRing() == AfPacketConfig.RxRing.V2;
        this.rxSlots = (int) ((long) rxBlockSize * rxBlockCount / FRAME_SIZE);
        this.arena = Arena.ofShared();
        int fd = -1;
        MemorySegment mapping = null;
        try {
            this.callState = Libc.newCallState(arena);
            fd = Libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
            mapping = openReceiveRing(fd, config);
        } catch (RuntimeException e) {
            if (mapping != null) {
                Libc.munmap(mapping);
            }
            if (fd >= 0) {
                Libc.close(fd);
            }
            arena.close();
            throw e;
        }
        this.rxFd = fd;
        this.rxRing = mapping;
        this.pollfd = arena.allocate(POLLFD_SIZE, 4);
        pollfd.set(U32, POLLFD_FD, rxFd);
        pollfd.set(U16, POLLFD_EVENTS, (short) (POLLIN | POLLERR));
    }

    /**
     * Joins fanout group {@code group} of this socket's device in {@code mode} (packet(7), PACKET_FANOUT): from now on
     * the kernel hands each frame to one socket of the group. Sockets join in queue order, so a steering program's
     * answer i names queue i.
     */
    void joinFanout(int group, int mode) {
        Libc.setsockopt(rxFd, SOL_PACKET, PACKET_FANOUT, (group & 0xffff) | (mode << 16),
                "PACKET_FANOUT, \"" + ifName + "\" group " + group);
    }

    /** Gives the group this socket joined the classic BPF program {@code program} (PACKET_FANOUT_DATA). */
    void setFanoutProgram(MemorySegment program) {
        Libc.setsockopt(rxFd, SOL_PACKET, PACKET_FANOUT_DATA, program, "PACKET_FANOUT_DATA, \"" + ifName + "\"");
    }

    int rxFd() {
        return rxFd;
    }

    /**
     * Copies up to {@code max} received frames into buffers allocated from {@code pool}, stored at
     * {@code buffers[from..]}, current data 0 at the Ethernet header; with {@code keepRingHeaders}, each frame's
     * tpacket3_hdr is also copied into the buffer's headroom (what a trace shows of the ring). Returns how many; 0
     * when the ring holds nothing. Stops early when the pool runs dry (the rest stays in the ring).
     */
    int receive(BufferPool pool, int[] buffers, int from, int max, boolean keepRingHeaders) {
        return rxV2 ? receiveSlots(pool, buffers, from, max, keepRingHeaders)
                : receiveBlocks(pool, buffers, from, max, keepRingHeaders);
    }

    private MemorySegment openReceiveRing(int fd, AfPacketConfig config) {
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
        AfPacketDevice.bind(fd, ifIndex, ifName, ETH_P_ALL);
        return ring;
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
        if ((status & TP_STATUS_CSUMNOTREADY) != 0 && AfPacketDevice.completeChecksum(data, target, length)) {
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

    /** Blocks up to {@code timeoutMillis} (-1: no limit) until a receive slot or block is ready; true if one is. */
    boolean awaitReadable(int timeoutMillis) {
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
    synchronized long rxKernelDrops() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment stats = scratch.allocate(STATS_V3_SIZE, 4);
            Libc.getsockopt(rxFd, SOL_PACKET, PACKET_STATISTICS, stats, "PACKET_STATISTICS");
            rxKernelDrops += stats.get(U32, STATS_DROPS) & 0xffffffffL;
        }
        return rxKernelDrops;
    }

    long rxPackets() {
        return rxPackets;
    }

    long rxBytes() {
        return rxBytes;
    }

    long rxErrors() {
        return rxErrors;
    }

    long rxChecksumsCompleted() {
        return checksumsCompleted;
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.munmap(rxRing);
        Libc.close(rxFd);
        arena.close();
    }
}
