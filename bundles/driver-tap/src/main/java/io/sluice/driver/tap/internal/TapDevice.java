package io.sluice.driver.tap.internal;

import static io.sluice.nativeio.api.LinuxConstants.IFF_NO_PI;
import static io.sluice.nativeio.api.LinuxConstants.IFF_TAP;
import static io.sluice.nativeio.api.LinuxConstants.IFF_VNET_HDR;
import static io.sluice.nativeio.api.LinuxConstants.IFNAMSIZ;
import static io.sluice.nativeio.api.LinuxConstants.IFREQ_SIZE;
import static io.sluice.nativeio.api.LinuxConstants.IFREQ_UNION;
import static io.sluice.nativeio.api.LinuxConstants.O_CLOEXEC;
import static io.sluice.nativeio.api.LinuxConstants.O_RDWR;
import static io.sluice.nativeio.api.LinuxConstants.POLLFD_EVENTS;
import static io.sluice.nativeio.api.LinuxConstants.POLLFD_FD;
import static io.sluice.nativeio.api.LinuxConstants.POLLFD_SIZE;
import static io.sluice.nativeio.api.LinuxConstants.POLLIN;
import static io.sluice.nativeio.api.LinuxConstants.TUNGETVNETHDRSZ;
import static io.sluice.nativeio.api.LinuxConstants.TUNSETIFF;
import static io.sluice.nativeio.api.LinuxConstants.TUNSETPERSIST;
import static io.sluice.nativeio.api.LinuxConstants.TUNSETOFFLOAD;
import static io.sluice.nativeio.api.LinuxConstants.TUN_F_CSUM;

import io.sluice.driver.tap.api.PodSide;
import io.sluice.nativeio.api.Errno;
import io.sluice.nativeio.api.Libc;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Checksum;
import io.sluice.packet.api.Opaque;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A TAP device (Documentation/networking/tuntap.rst) opened with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and a
 * non-blocking descriptor: one read(2) is one Ethernet frame behind a {@link VirtioNetHeader}, one
 * write(2) is one frame behind a zero header.
 *
 * <p>Receive reads header and frame in one call into the buffer's headroom and data, so that the frame
 * starts at current data 0 and the header sits just before it. Transmit writes a zero header into the 10
 * bytes of headroom before current data and sends both in one call: no copy either way.
 *
 * <p>Checksum offload ({@code TUNSETOFFLOAD(TUN_F_CSUM)}) is optional. With it, the pod's kernel skips the
 * TCP/UDP checksum of what it sends and marks the frame {@link VirtioNetHeader#F_NEEDS_CSUM}; this device
 * then completes the checksum itself. The sum is the same work either way (the kernel's is vectorised),
 * so the default is off; it is there for peers that send partial checksums. TSO/UFO are never enabled:
 * a GSO frame would not fit a 2 KiB buffer.
 *
 * <p>One thread drives the data path (receive, transmit, awaitReadable); counters may be read from any
 * thread (plain long reads, exact on x86-64).
 */
public final class TapDevice implements AutoCloseable {

    /** Frame bytes a read may deliver: the data area of a buffer. */
    private static final int MAX_FRAME = BufferPool.DATA_SIZE;
    private static final int ETHERNET_HEADER = 14;

    private static final ValueLayout.OfShort U16_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final String name;
    private final boolean checksumOffload;
    private final int fd;
    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment pollfd;
    private boolean closed;

    private long rxPackets;
    private long rxBytes;
    private long rxErrors;
    private long rxRunts;
    private long rxChecksumsCompleted;
    private long txPackets;
    private long txBytes;
    private long txErrors;

    private TapDevice(String name, boolean checksumOffload, int fd) {
        this.name = name;
        this.checksumOffload = checksumOffload;
        this.fd = fd;
        this.arena = Arena.ofShared();
        this.callState = Libc.newCallState(arena);
        this.pollfd = arena.allocate(POLLFD_SIZE, 4);
        pollfd.set(ValueLayout.JAVA_INT, POLLFD_FD, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, POLLFD_EVENTS, (short) POLLIN);
    }

    /**
     * Creates the TAP {@code name} (kernel side in the caller's namespace, link down), or attaches to the
     * persistent TAP of that name there, and opens it non-blocking. Unless made persistent, the device lives as
     * long as this object: {@link #close()} removes it.
     */
    public static TapDevice create(String name, boolean checksumOffload) {
        if (name.isEmpty() || name.length() >= IFNAMSIZ) {
            throw new IllegalArgumentException("TAP name must be 1.." + (IFNAMSIZ - 1) + " characters: " + name);
        }
        int fd = Libc.open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ifreq = scratch.allocate(IFREQ_SIZE);
            ifreq.setString(0, name);
            ifreq.set(ValueLayout.JAVA_SHORT, IFREQ_UNION, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
            Libc.ioctl(fd, TUNSETIFF, ifreq, '"' + name + '"');
            MemorySegment headerSize = scratch.allocate(ValueLayout.JAVA_INT);
            Libc.ioctl(fd, TUNGETVNETHDRSZ, headerSize, '"' + name + '"');
            if (headerSize.get(ValueLayout.JAVA_INT, 0) != VirtioNetHeader.SIZE) {
                throw new IllegalStateException("TAP " + name + " uses a " + headerSize.get(ValueLayout.JAVA_INT, 0)
                        + "-byte virtio-net header, expected " + VirtioNetHeader.SIZE);
            }
            Libc.ioctl(fd, TUNSETOFFLOAD, checksumOffload ? TUN_F_CSUM : 0, '"' + name + '"');
            Libc.setNonBlocking(fd);
            return new TapDevice(name, checksumOffload, fd);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /**
     * A persistent TAP (TUNSETPERSIST, Documentation/networking/tuntap.rst) outlives this descriptor: its kernel
     * side, with its addresses and routes, stays where it is, link down, until a descriptor attaches to it again
     * by name ({@link #create} in the namespace it lives in) or it is made transient and closed.
     */
    public void setPersistent(boolean persistent) {
        Libc.ioctl(fd, TUNSETPERSIST, persistent ? 1 : 0, '"' + name + '"');
    }

    /** The name the TAP was created with (its kernel side may have been renamed in a pod's namespace). */
    public String name() {
        return name;
    }

    public boolean checksumOffload() {
        return checksumOffload;
    }

    public int fd() {
        return fd;
    }

    /**
     * Moves the kernel side into {@code pod.namespace()}, renames it, sets MAC and MTU, brings it up, adds
     * the addresses and routes. The descriptor keeps working across the move.
     */
    public void configureInNamespace(PodSide pod) {
        String ns = pod.namespace();
        IpCommand.run("link", "set", "dev", name, "netns", ns);
        IpCommand.run("-n", ns, "link", "set", "dev", name, "name", pod.ifName());
        if (pod.mac() != null) {
            IpCommand.run("-n", ns, "link", "set", "dev", pod.ifName(), "address", pod.mac());
        }
        if (pod.mtu() > 0) {
            IpCommand.run("-n", ns, "link", "set", "dev", pod.ifName(), "mtu", Integer.toString(pod.mtu()));
        }
        IpCommand.run("-n", ns, "link", "set", "dev", pod.ifName(), "up");
        for (String address : pod.addresses()) {
            IpCommand.run("-n", ns, "address", "add", address, "dev", pod.ifName());
        }
        for (String route : pod.routes()) {
            String[] words = route.trim().split("\\s+");
            String[] command = new String[words.length + 6];
            command[0] = "-n";
            command[1] = ns;
            command[2] = "route";
            command[3] = "add";
            System.arraycopy(words, 0, command, 4, words.length);
            command[words.length + 4] = "dev";
            command[words.length + 5] = pod.ifName();
            IpCommand.run(command);
        }
    }

    /** Brings the kernel side up in the caller's namespace (when it was not moved to a pod). */
    public void setUpInCurrentNamespace() {
        IpCommand.run("link", "set", "dev", name, "up");
    }

    /**
     * Reads one frame into buffer {@code bi}: its Ethernet header at current data 0, its length set, the
     * virtio-net header in the 10 bytes of headroom before it and packed into {@code Opaque.DRIVER}. A
     * partial checksum is completed. Returns the frame length, 0 when nothing is waiting, or -1 on an
     * error (counted).
     */
    public int receive(BufferPool pool, int bi) {
        int length = readFrame(pool, bi);
        if (length > 0) {
            rxPackets++;
            rxBytes += length;
        } else if (length < 0) {
            rxErrors++;
        }
        return length;
    }

    /**
     * Receives up to {@code max} frames into buffers allocated from {@code pool}, stored at
     * {@code buffers[from..]}; stops at the first EAGAIN or when the pool runs dry. Returns how many.
     */
    public int receive(BufferPool pool, int[] buffers, int from, int max) {
        int received = 0;
        long bytes = 0;
        long errors = 0;
        while (received < max) {
            int bi = pool.alloc();
            if (bi < 0) {
                break;
            }
            int length = readFrame(pool, bi);
            if (length > 0) {
                buffers[from + received++] = bi;
                bytes += length;
            } else {
                pool.free(bi);
                if (length == 0) {
                    break;
                }
                errors++;
            }
        }
        rxPackets += received;
        rxBytes += bytes;
        rxErrors += errors;
        return received;
    }

    /** One read(2): the frame length, 0 on EAGAIN, -1 on an error; counts only completed checksums. */
    private int readFrame(BufferPool pool, int bi) {
        MemorySegment segment = pool.segment();
        long header = BufferPool.dataStart(bi) - VirtioNetHeader.SIZE;
        long n = Libc.read(callState, fd, segment, header, VirtioNetHeader.SIZE + MAX_FRAME);
        if (n <= 0) {
            return n == -Errno.EAGAIN ? 0 : -1;
        }
        int length = (int) n - VirtioNetHeader.SIZE;
        if (length < ETHERNET_HEADER) {
            rxRunts++;
            return -1;
        }
        pool.setData(bi, 0, length);
        int packed = VirtioNetHeader.packed(segment, header);
        pool.setOpaque(bi, Opaque.DRIVER, packed);
        if ((packed & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
            if (!completeChecksum(segment, header, BufferPool.dataStart(bi), length)) {
                return -1;
            }
            rxChecksumsCompleted++;
            pool.orFlags(bi, BufferPool.FLAG_L4_CHECKSUM_COMPUTED | BufferPool.FLAG_L4_CHECKSUM_CORRECT);
        }
        return length;
    }

    /**
     * Writes buffer {@code bi}'s current data as one frame behind a zero virtio-net header placed in its
     * headroom. The buffer is not freed: the caller owns it. Returns false when the write failed (counted).
     */
    public boolean transmit(BufferPool pool, int bi) {
        int length = writeFrame(pool, bi);
        if (length < 0) {
            txErrors++;
            return false;
        }
        txPackets++;
        txBytes += length;
        return true;
    }

    /** Transmits {@code buffers[from..from+n)}; returns how many were written. Buffers stay the caller's. */
    public int transmit(BufferPool pool, int[] buffers, int from, int n) {
        int sent = 0;
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            int length = writeFrame(pool, buffers[from + i]);
            if (length >= 0) {
                sent++;
                bytes += length;
            }
        }
        txPackets += sent;
        txBytes += bytes;
        txErrors += n - sent;
        return sent;
    }

    /** One write(2): the frame length, or -1 when it failed or the headroom has no room for the header. */
    private int writeFrame(BufferPool pool, int bi) {
        MemorySegment segment = pool.segment();
        long header = pool.dataOffset(bi) - VirtioNetHeader.SIZE;
        int length = pool.length(bi);
        if (header < BufferPool.base(bi) + BufferPool.METADATA_SIZE) {
            return -1; // a node prepended more than HEADROOM - 10 bytes: nowhere to put the header
        }
        VirtioNetHeader.clear(segment, header);
        long n = Libc.write(callState, fd, segment, header, VirtioNetHeader.SIZE + length);
        return n == VirtioNetHeader.SIZE + length ? length : -1;
    }

    /** Blocks up to {@code timeoutMillis} (-1: no limit) until a frame can be read; true when one can. */
    public boolean awaitReadable(int timeoutMillis) {
        int ready = Libc.poll(callState, pollfd, 1, timeoutMillis);
        return ready > 0;
    }

    /**
     * Completes a partial L4 checksum (CHECKSUM_PARTIAL in the kernel's terms): the field at
     * csum_start + csum_offset holds the pseudo-header sum; the ones-complement sum (RFC 1071) of
     * everything from csum_start to the end of the frame, folded and inverted, replaces it. A result of 0
     * is stored as 0xffff, as the kernel's skb_checksum_help does (0 means "no checksum" to UDP).
     */
    static boolean completeChecksum(MemorySegment segment, long header, long frame, int length) {
        int start = VirtioNetHeader.csumStart(segment, header);
        int field = start + VirtioNetHeader.csumOffset(segment, header);
        if (field + 2 > length) {
            return false;
        }
        int checksum = ~Checksum.sum(segment, frame + start, length - start) & 0xffff;
        segment.set(U16_BE, frame + field, (short) (checksum == 0 ? 0xffff : checksum));
        return true;
    }

    public long rxPackets() {
        return rxPackets;
    }

    public long rxBytes() {
        return rxBytes;
    }

    public long rxErrors() {
        return rxErrors;
    }

    /** Of {@link #rxErrors()}, the frames shorter than an Ethernet header (14 bytes). */
    public long rxRunts() {
        return rxRunts;
    }

    /** Frames that arrived with NEEDS_CSUM and whose checksum this device completed. */
    public long rxChecksumsCompleted() {
        return rxChecksumsCompleted;
    }

    public long txPackets() {
        return txPackets;
    }

    public long txBytes() {
        return txBytes;
    }

    public long txErrors() {
        return txErrors;
    }

    /** Closes the descriptor, which removes the (non-persistent) TAP wherever its kernel side is. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(fd);
        arena.close();
    }
}
