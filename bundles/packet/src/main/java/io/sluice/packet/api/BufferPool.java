package io.sluice.packet.api;

import io.sluice.nativeio.api.Libc;
import io.sluice.nativeio.api.LinuxConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Packet buffers cut from one native {@link MemorySegment}, each named by an {@code int} index.
 *
 * <pre>
 *  buffer i, at i * STRIDE:
 *  +----------------------+-----------------------+--------------------------------------+
 *  | metadata (64 B)      | headroom (128 B)      | data (2048 B)                        |
 *  | one cache line, see  | room to prepend an L2 |                                      |
 *  | the META_* offsets   | header without a copy |                                      |
 *  +----------------------+-----------------------+--------------------------------------+
 *                                                 ^ data start: current data 0
 * </pre>
 *
 * <p>The current data offset is relative to the data start and may go negative into the headroom, as
 * VPP's {@code current_data} does.
 *
 * <pre>
 *  metadata, bytes 0..31 (then 32 bytes of per-feature scratch, {@link Opaque}):
 *   0 current data (i32)     4 length (i32)        8 rx sw_if_index (i32)   12 tx sw_if_index (i32)
 *  16 flags (u16)           18 ip protocol (u8)   19 l4 info (u8, L4_*)
 *  20 l2 offset (i16)       22 l3 offset (i16)    24 l4 offset (i16)       26 feature index (i16;
 *                                                                              on the way to error-drop:
 *                                                                              the dropping node's error
 *                                                                              index, or else its slot)
 *  28 trace handle (i32)
 * </pre>
 *
 * <p>Bytes 18 to 24 are the one parse of a packet's IPv4 header ({@link #setIp4Header}): ip4-input writes them
 * (as VPP's {@code l3_hdr_offset}, {@code l4_hdr_offset} and {@code VNET_BUFFER_F_L4_HDR_OFFSET_VALID}); a node that
 * makes a packet the graph did not parse (ip4-icmp-error) writes them too. Later nodes find the headers with
 * {@link #l3Header} and {@link #l4Header} and read the protocol and the L4 facts here instead of from the header
 * length and fragment fields again. Addresses and ports stay in the packet only: NAT rewrites those, not these.
 * The flags are 16 bits wide so that the parse result shares their four bytes, cleared in one write when a
 * buffer is handed out. The free list is a stack of ints (ixy's mempool shape). A pool is
 * owned by one worker: allocation and free are not thread-safe; {@link #outstanding()} may be read from
 * any thread.
 *
 * <p>The pools of a graph's workers ({@link #shared}) are ranges of one native segment, as VPP's threads take their
 * buffers from one buffer memory: buffer indices are global, so every pool's {@link #segment()} reads any of them,
 * and a buffer handed to another worker is processed where it lies (decision 0002). A pool's free stack only ever
 * holds its own range: a buffer of another pool freed here is kept on a list of foreign frees that its worker sends
 * home ({@link #drainForeign}), since a pool is touched by its own worker only.
 */
public final class BufferPool extends BufferPoolPadded implements AutoCloseable {

    public static final int METADATA_SIZE = 64;
    public static final int HEADROOM = 128;
    public static final int DATA_SIZE = 2048;
    public static final int STRIDE = METADATA_SIZE + HEADROOM + DATA_SIZE;

    /** Offsets inside the metadata cache line. */
    public static final int META_CURRENT_DATA = 0;    // int, relative to data start
    public static final int META_LENGTH = 4;          // int, bytes from current data
    public static final int META_RX_SW_IF_INDEX = 8;  // int
    public static final int META_TX_SW_IF_INDEX = 12; // int, -1 until chosen
    public static final int META_FLAGS = 16;          // u16, FLAG_*
    public static final int META_IP_PROTOCOL = 18;    // u8, the IPv4 protocol field ip4-input read
    public static final int META_L4_INFO = 19;        // u8, L4_*
    public static final int META_L2_OFFSET = 20;      // short, relative to data start
    public static final int META_L3_OFFSET = 22;      // short
    public static final int META_L4_OFFSET = 24;      // short
    public static final int META_FEATURE_INDEX = 26;  // short, position on the current feature arc
    public static final int META_TRACE_HANDLE = 28;   // int, -1 when not traced
    public static final int META_OPAQUE = 32;         // 32 bytes of per-feature scratch
    public static final int OPAQUE_SIZE = 32;

    // META_FLAGS: bits 0..7 are the pool's and the drivers' (below, as VPP's VLIB_BUFFER_* flags); bits 8..15
    // belong to vnet and the features above it (io.sluice.vnet.api.VnetBufferFlags, as VNET_BUFFER_F_*).
    public static final int FLAG_L4_CHECKSUM_COMPUTED = 1;
    public static final int FLAG_L4_CHECKSUM_CORRECT = 1 << 1;
    public static final int FLAG_IP4_CHECKSUM_VERIFIED = 1 << 2;
    public static final int FLAG_TRACED = 1 << 4;
    /**
     * The box itself made this packet (an echo reply, an ICMP error): ip4-rewrite forwards it without the TTL
     * check and decrement that only forwarded packets get (RFC 1812 section 5.3.1; RFC 792's TTL starts here).
     */
    public static final int FLAG_LOCALLY_ORIGINATED = 1 << 5;
    /**
     * The node that sent this packet to error-drop wrote into the feature-index field the global index of the
     * error counter that counts it ({@link #setError}), as VPP keeps {@code b->error}: a capture of drops names
     * the counter, as {@code errors:show} does. The index is the node's error base (bound into its NodeContext
     * when the graph is built) plus the ordinal of its error enum.
     */
    public static final int FLAG_ERROR_KNOWN = 1 << 6;
    /**
     * The runtime wrote into the feature-index field the slot of the node that sent this packet to error-drop
     * ({@link #setDroppedBy}): a dropped packet is on no feature arc any more, so the field is free to say who
     * dropped it (a pcap capture of drops names that node).
     */
    public static final int FLAG_DROPPED_BY_KNOWN = 1 << 7;
    /** The first flag bit that is vnet's to assign. */
    public static final int FIRST_VNET_FLAG = 1 << 8;

    /**
     * The L4 header the 5-tuple uses is there: TCP, UDP or ICMP, not a later fragment, and its ports (TCP: up to
     * and with the flags, 14 bytes; UDP and ICMP: 4 bytes) within the IPv4 total length. Ports, ICMP type and
     * code may be read at {@link #l4Header} only then (VPP acl-plugin's {@code l4_valid}).
     */
    public static final int L4_VALID = 1;
    /**
     * A fragment with a non-zero offset (RFC 791): there is no L4 header at {@link #l4Header}, only payload
     * bytes of the middle or the end of one, so ports must not be read.
     */
    public static final int L4_NON_FIRST_FRAGMENT = 1 << 1;
    /**
     * With {@link #L4_NON_FIRST_FRAGMENT}: ip4-sv-reassembly (input or output feature) stamped this fragment with
     * the L4 facts of its datagram's first fragment ({@link #setReassembledL4}), which the ACL and the NAT read with
     * {@link #reassembledPorts} and {@link #reassembledExtra} instead of the header this fragment does not carry.
     * Valid on the arc it was stamped on: ip4-lookup reuses the two slots (as VPP's {@code vnet_buffer(b)->ip.reass}
     * shares its union with {@code fib_index} and {@code flow_hash}), and the output feature stamps again.
     */
    public static final int L4_REASSEMBLED = 1 << 2;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final VarHandle OUTSTANDING;

    static {
        try {
            OUTSTANDING = MethodHandles.lookup().findVarHandle(BufferPoolCounters.class, "outstanding", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Memory memory;
    private final MemorySegment segment;
    /** This pool's range of the memory: buffers first .. first + capacity - 1. */
    private final int first;
    private final int capacity;
    private final int[] freeStack;
    /** Buffers of the memory's other pools freed here, not yet sent home: the first foreignCount entries. */
    private final int[] foreign;

    /** A pool with a memory of its own. */
    public BufferPool(int capacity) {
        this(new Memory(checkedCapacity(capacity), 1), 0, capacity, 0);
    }

    private BufferPool(Memory memory, int first, int capacity, int foreignCapacity) {
        this.memory = memory;
        this.segment = memory.segment;
        this.first = first;
        this.capacity = capacity;
        this.freeStack = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeStack[i] = first + capacity - 1 - i; // low indices come out first
        }
        this.freeCount = capacity;
        this.foreign = new int[foreignCapacity];
    }

    /**
     * {@code pools} pools of {@code capacity} buffers each over one memory, pool p the buffers p * capacity ..
     * (p + 1) * capacity - 1; each keeps room for {@code foreignCapacity} foreign frees between two
     * {@link #drainForeign} calls (the most buffers the other pools may have in its worker's hands at once: the
     * handoff bound per pair times the other workers). The memory is unmapped when the last of them closes.
     */
    public static BufferPool[] shared(int pools, int capacity, int foreignCapacity) {
        if (pools <= 0) {
            throw new IllegalArgumentException("pools sharing a buffer memory must be at least 1, got " + pools);
        }
        checkedCapacity(capacity);
        if ((long) pools * capacity > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException(pools + " pools of " + capacity + " buffers are too many buffer indices");
        }
        if (foreignCapacity < 0) {
            throw new IllegalArgumentException("foreign capacity must not be negative, got " + foreignCapacity);
        }
        Memory memory = new Memory(pools * capacity, pools);
        BufferPool[] made = new BufferPool[pools];
        for (int p = 0; p < pools; p++) {
            made[p] = new BufferPool(memory, p * capacity, capacity, foreignCapacity);
        }
        return made;
    }

    private static int checkedCapacity(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("buffer pool capacity must be positive, got " + capacity);
        }
        return capacity;
    }

    /** The native memory of one or more pools, unmapped when the last of them closes. */
    private static final class Memory {
        final Arena arena = Arena.ofShared();
        final MemorySegment segment;
        private int open;

        Memory(int buffers, int pools) {
            // Anonymous pages, zero-filled by the kernel at first touch: Arena.allocate would zero (and so make
            // resident) every buffer at once, while a box that forwards little uses only the low buffers of each
            // pool, which its free stack hands out first. Unmapped when the arena closes.
            long bytes = (long) buffers * STRIDE;
            this.segment = Libc.mmap(bytes, LinuxConstants.PROT_READ | LinuxConstants.PROT_WRITE,
                    LinuxConstants.MAP_PRIVATE | LinuxConstants.MAP_ANONYMOUS, -1, 0)
                    .reinterpret(bytes, arena, Libc::munmap);
            this.open = pools;
        }

        synchronized void release() {
            if (open > 0 && --open == 0) {
                arena.close();
            }
        }
    }

    /** The native memory every buffer lives in; flyweights read it at {@link #dataOffset(int)}. */
    public MemorySegment segment() {
        return segment;
    }

    public int capacity() {
        return capacity;
    }

    public int freeCount() {
        return freeCount;
    }

    /** Buffers handed out and not yet freed: a leak shows here. Safe to read from any thread. */
    public int outstanding() {
        return (int) OUTSTANDING.getOpaque(this);
    }

    /** Allocations refused because the pool was empty. */
    public long allocFailures() {
        return allocFailures;
    }

    /** One buffer with fresh metadata, or -1 when the pool is empty (counted). */
    public int alloc() {
        if (freeCount == 0) {
            allocFailures++;
            return -1;
        }
        int bi = freeStack[--freeCount];
        reset(bi);
        OUTSTANDING.setOpaque(this, capacity - freeCount);
        return bi;
    }

    /** Fills {@code out[from..from+n)} with buffers; returns how many it got (short when the pool runs dry). */
    public int alloc(int[] out, int from, int n) {
        int got = Math.min(n, freeCount);
        for (int i = 0; i < got; i++) {
            int bi = freeStack[--freeCount];
            reset(bi);
            out[from + i] = bi;
        }
        if (got < n) {
            allocFailures++;
        }
        OUTSTANDING.setOpaque(this, capacity - freeCount);
        return got;
    }

    /** Frees {@code bi}: onto the free stack when it is this pool's, else onto the foreign frees. */
    public void free(int bi) {
        if (owns(bi)) {
            freeStack[freeCount++] = bi;
            OUTSTANDING.setOpaque(this, capacity - freeCount);
        } else {
            freeForeign(bi);
        }
    }

    public void free(int[] buffers, int from, int n) {
        int end = from + n;
        int local = from;
        while (local < end && owns(buffers[local])) {
            local++;
        }
        System.arraycopy(buffers, from, freeStack, freeCount, local - from);
        freeCount += local - from;
        for (int i = local; i < end; i++) {
            int bi = buffers[i];
            if (owns(bi)) {
                freeStack[freeCount++] = bi;
            } else {
                freeForeign(bi);
            }
        }
        OUTSTANDING.setOpaque(this, capacity - freeCount);
    }

    private void freeForeign(int bi) {
        if (bi < 0 || (long) bi * STRIDE >= segment.byteSize()) {
            throw new IllegalArgumentException("buffer " + bi + " is in no pool of this buffer memory");
        }
        if (foreignCount == foreign.length) {
            throw new IllegalStateException("buffer " + bi + " of another pool freed here, but " + foreign.length
                    + " foreign frees are already waiting to go home");
        }
        foreign[foreignCount++] = bi;
    }

    /** True when {@code bi} is in this pool's range (its free stack takes it back). */
    public boolean owns(int bi) {
        return bi - first >= 0 && bi - first < capacity;
    }

    /** The pool, by its index in what {@link #shared} made, whose range holds buffer {@code bi}. */
    public int owner(int bi) {
        return bi / capacity;
    }

    /** How many foreign frees this pool holds between two {@link #drainForeign} calls. */
    public int foreignCapacity() {
        return foreign.length;
    }

    /** Foreign frees waiting to go home. */
    public int foreignCount() {
        return foreignCount;
    }

    /**
     * Moves the foreign frees into {@code out} (at least {@link #foreignCount()} long) and forgets them: the caller
     * sends each to its owner ({@link #owner}). Returns how many.
     */
    public int drainForeign(int[] out) {
        int n = foreignCount;
        System.arraycopy(foreign, 0, out, 0, n);
        foreignCount = 0;
        return n;
    }

    private void reset(int bi) {
        long m = base(bi);
        segment.set(INT, m + META_CURRENT_DATA, 0);
        segment.set(INT, m + META_LENGTH, 0);
        segment.set(INT, m + META_RX_SW_IF_INDEX, -1);
        segment.set(INT, m + META_TX_SW_IF_INDEX, -1);
        segment.set(INT, m + META_FLAGS, 0); // flags, ip protocol and l4 info
        segment.set(SHORT, m + META_L2_OFFSET, (short) 0);
        segment.set(SHORT, m + META_L3_OFFSET, (short) 0);
        segment.set(SHORT, m + META_L4_OFFSET, (short) 0);
        segment.set(SHORT, m + META_FEATURE_INDEX, (short) 0);
        segment.set(INT, m + META_TRACE_HANDLE, -1);
    }

    /** Offset of buffer {@code bi}'s metadata in {@link #segment()}. */
    public static long base(int bi) {
        return (long) bi * STRIDE;
    }

    /** Offset of buffer {@code bi}'s data start (current data 0) in {@link #segment()}. */
    public static long dataStart(int bi) {
        return (long) bi * STRIDE + METADATA_SIZE + HEADROOM;
    }

    /** Offset of the first byte of current data in {@link #segment()}. */
    public long dataOffset(int bi) {
        return dataStart(bi) + segment.get(INT, base(bi) + META_CURRENT_DATA);
    }

    public int currentData(int bi) {
        return segment.get(INT, base(bi) + META_CURRENT_DATA);
    }

    public int length(int bi) {
        return segment.get(INT, base(bi) + META_LENGTH);
    }

    public void setLength(int bi, int length) {
        segment.set(INT, base(bi) + META_LENGTH, length);
    }

    /** Moves current data by {@code delta} bytes (positive strips a header, negative prepends into headroom). */
    public void advance(int bi, int delta) {
        long m = base(bi);
        segment.set(INT, m + META_CURRENT_DATA, segment.get(INT, m + META_CURRENT_DATA) + delta);
        segment.set(INT, m + META_LENGTH, segment.get(INT, m + META_LENGTH) - delta);
    }

    /** Sets current data and length at once (a driver after receive). */
    public void setData(int bi, int currentData, int length) {
        long m = base(bi);
        segment.set(INT, m + META_CURRENT_DATA, currentData);
        segment.set(INT, m + META_LENGTH, length);
    }

    public int rxSwIfIndex(int bi) {
        return segment.get(INT, base(bi) + META_RX_SW_IF_INDEX);
    }

    public void setRxSwIfIndex(int bi, int swIfIndex) {
        segment.set(INT, base(bi) + META_RX_SW_IF_INDEX, swIfIndex);
    }

    public int txSwIfIndex(int bi) {
        return segment.get(INT, base(bi) + META_TX_SW_IF_INDEX);
    }

    public void setTxSwIfIndex(int bi, int swIfIndex) {
        segment.set(INT, base(bi) + META_TX_SW_IF_INDEX, swIfIndex);
    }

    public int flags(int bi) {
        return segment.get(SHORT, base(bi) + META_FLAGS) & 0xffff;
    }

    public void setFlags(int bi, int flags) {
        segment.set(SHORT, base(bi) + META_FLAGS, (short) flags);
    }

    public void orFlags(int bi, int flags) {
        long m = base(bi) + META_FLAGS;
        segment.set(SHORT, m, (short) (segment.get(SHORT, m) | flags));
    }

    /**
     * Records the parse of the IPv4 header at {@code l3Offset} (relative to the data start, as current data):
     * where its payload starts, its protocol field and its {@code L4_*} facts ({@link Ipv4#l4Info}).
     */
    public void setIp4Header(int bi, int l3Offset, int l4Offset, int protocol, int l4Info) {
        long m = base(bi);
        segment.set(BYTE, m + META_IP_PROTOCOL, (byte) protocol);
        segment.set(BYTE, m + META_L4_INFO, (byte) l4Info);
        segment.set(SHORT, m + META_L3_OFFSET, (short) l3Offset);
        segment.set(SHORT, m + META_L4_OFFSET, (short) l4Offset);
    }

    /** The IPv4 protocol field as ip4-input read it ({@link Ipv4#PROTOCOL_TCP}, ...). */
    public int ipProtocol(int bi) {
        return segment.get(BYTE, base(bi) + META_IP_PROTOCOL) & 0xff;
    }

    /** The {@code L4_*} bits of the last {@link #setIp4Header}. */
    public int l4Info(int bi) {
        return segment.get(BYTE, base(bi) + META_L4_INFO) & 0xff;
    }

    /**
     * Stamps a non-first fragment with its first fragment's L4 facts: {@code ports} is that fragment's first 4 L4
     * bytes as one big-endian word (TCP/UDP: source port in the high half, destination port in the low; ICMP: type,
     * code, checksum), {@code extra} its TCP flags (bits 0..7) or ICMP echo identifier (bits 16..31). Sets
     * {@link #L4_REASSEMBLED}.
     */
    public void setReassembledL4(int bi, int ports, int extra) {
        long m = base(bi);
        segment.set(INT, m + META_OPAQUE + 4L * Opaque.REASSEMBLY_PORTS, ports);
        segment.set(INT, m + META_OPAQUE + 4L * Opaque.REASSEMBLY_EXTRA, extra);
        segment.set(BYTE, m + META_L4_INFO, (byte) (segment.get(BYTE, m + META_L4_INFO) | L4_REASSEMBLED));
    }

    /** Clears {@link #L4_REASSEMBLED}: a fragment the output feature could not stamp keeps no stale facts. */
    public void clearReassembledL4(int bi) {
        long m = base(bi);
        segment.set(BYTE, m + META_L4_INFO, (byte) (segment.get(BYTE, m + META_L4_INFO) & ~L4_REASSEMBLED));
    }

    /** The first 4 L4 bytes of the datagram's first fragment ({@link #setReassembledL4}); valid with L4_REASSEMBLED. */
    public int reassembledPorts(int bi) {
        return segment.get(INT, base(bi) + META_OPAQUE + 4L * Opaque.REASSEMBLY_PORTS);
    }

    /** TCP flags (bits 0..7) or ICMP echo identifier (bits 16..31) of the datagram's first fragment. */
    public int reassembledExtra(int bi) {
        return segment.get(INT, base(bi) + META_OPAQUE + 4L * Opaque.REASSEMBLY_EXTRA);
    }

    /** Offset in {@link #segment()} of the IPv4 header: the one way every node after ip4-input finds it. */
    public long l3Header(int bi) {
        return dataStart(bi) + segment.get(SHORT, base(bi) + META_L3_OFFSET);
    }

    /** Offset in {@link #segment()} of the IPv4 payload (the L4 header unless {@link #L4_NON_FIRST_FRAGMENT}). */
    public long l4Header(int bi) {
        return dataStart(bi) + segment.get(SHORT, base(bi) + META_L4_OFFSET);
    }

    public int l2Offset(int bi) {
        return segment.get(SHORT, base(bi) + META_L2_OFFSET);
    }

    public void setL2Offset(int bi, int offset) {
        segment.set(SHORT, base(bi) + META_L2_OFFSET, (short) offset);
    }

    public int l3Offset(int bi) {
        return segment.get(SHORT, base(bi) + META_L3_OFFSET);
    }

    public void setL3Offset(int bi, int offset) {
        segment.set(SHORT, base(bi) + META_L3_OFFSET, (short) offset);
    }

    public int l4Offset(int bi) {
        return segment.get(SHORT, base(bi) + META_L4_OFFSET);
    }

    public void setL4Offset(int bi, int offset) {
        segment.set(SHORT, base(bi) + META_L4_OFFSET, (short) offset);
    }

    public int featureIndex(int bi) {
        return segment.get(SHORT, base(bi) + META_FEATURE_INDEX);
    }

    public void setFeatureIndex(int bi, int index) {
        segment.set(SHORT, base(bi) + META_FEATURE_INDEX, (short) index);
    }

    /**
     * Marks {@code bi} as dropped by the node in graph slot {@code slot} (see {@link #FLAG_DROPPED_BY_KNOWN}); an
     * error stamp ({@link #setError}) the field held is gone, so the flag saying it is cleared.
     */
    public void setDroppedBy(int bi, int slot) {
        long m = base(bi);
        segment.set(SHORT, m + META_FEATURE_INDEX, (short) slot);
        segment.set(SHORT, m + META_FLAGS, (short) ((segment.get(SHORT, m + META_FLAGS) | FLAG_DROPPED_BY_KNOWN)
                & ~FLAG_ERROR_KNOWN));
    }

    /**
     * Stamps {@code bi} with global error index {@code errorIndex} (see {@link #FLAG_ERROR_KNOWN}): a node calls
     * it, through {@code NodeContext.stampError}, beside the line that sends the packet to its drop arc.
     */
    public void setError(int bi, int errorIndex) {
        long m = base(bi);
        segment.set(SHORT, m + META_FEATURE_INDEX, (short) errorIndex);
        segment.set(SHORT, m + META_FLAGS, (short) ((segment.get(SHORT, m + META_FLAGS) | FLAG_ERROR_KNOWN)
                & ~FLAG_DROPPED_BY_KNOWN));
    }

    /** The global error index {@link #setError} stamped on {@code bi}, or -1 when there is none. */
    public int error(int bi) {
        long m = base(bi);
        return (segment.get(SHORT, m + META_FLAGS) & FLAG_ERROR_KNOWN) != 0
                ? segment.get(SHORT, m + META_FEATURE_INDEX) & 0xffff : -1;
    }

    /** The graph slot of the node that dropped {@code bi}, or -1 when the runtime did not record it. */
    public int droppedBy(int bi) {
        long m = base(bi);
        return (segment.get(SHORT, m + META_FLAGS) & FLAG_DROPPED_BY_KNOWN) != 0
                ? segment.get(SHORT, m + META_FEATURE_INDEX) : -1;
    }

    public int traceHandle(int bi) {
        return segment.get(INT, base(bi) + META_TRACE_HANDLE);
    }

    public void setTraceHandle(int bi, int handle) {
        segment.set(INT, base(bi) + META_TRACE_HANDLE, handle);
    }

    /** Reads the int at {@code slot} (0..7) of the per-feature scratch area. */
    public int opaque(int bi, int slot) {
        return segment.get(INT, base(bi) + META_OPAQUE + 4L * slot);
    }

    public void setOpaque(int bi, int slot, int value) {
        segment.set(INT, base(bi) + META_OPAQUE + 4L * slot, value);
    }

    /** Copies {@code n} bytes from a heap array into the buffer at current data and sets the length. */
    public void write(int bi, byte[] bytes, int n) {
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, dataOffset(bi), n);
        setLength(bi, n);
    }

    /** A heap copy of the buffer's current data: for tests and the control plane, never the forwarding path. */
    public byte[] toBytes(int bi) {
        return segment.asSlice(dataOffset(bi), length(bi)).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        memory.release();
    }
}
