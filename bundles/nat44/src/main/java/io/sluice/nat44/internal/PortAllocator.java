package io.sluice.nat44.internal;

import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PortBlocks;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Outside ports (and ICMP echo identifiers) per pool address and protocol, one bit each in a 64 Ki-bit map.
 * A port is one endpoint-independent mapping's ({@link EndpointMappings}): its flows share it, so it is allocated
 * for the mapping's first session and released with its last. Allocation keeps the inside port when it is free on
 * the address (port preservation, RFC 4787 section 4.1: what an inside host chose at random, per RFC 6056, stays
 * as unpredictable); otherwise it starts at a random port in 1024..65535 and probes upward (wrapping) for a free
 * bit, so ports are not predictable from one connection to the next (RFC 6056 section 3.3.2's "random start,
 * then next free"), and never collide. Ports below 1024 are never allocated dynamically (RFC 4787 REQ-3 asks to keep the
 * well-known range apart). Used under the session table's lock.
 *
 * <p>With several workers the dynamic range is split into one contiguous block per worker, as VPP's NAT44-ED does
 * ({@code port_per_thread}): a worker allocates only from its own block, so the outside port of a returning packet
 * names the worker that owns its session ({@link #owner}), which the out2in handoff needs to send both directions
 * of a flow to one worker. Port preservation and the random start stay within the block. One worker (the default)
 * has the whole range.
 */
final class PortAllocator {
    static final int FIRST_PORT = PortBlocks.FIRST_PORT;
    static final int LAST_PORT = PortBlocks.LAST_PORT;
    static final int PORT_COUNT = PortBlocks.PORT_COUNT;

    /** Protocol slots of the bitmaps. */
    static final int TCP = 0;
    static final int UDP = 1;
    static final int ICMP = 2;
    static final int PROTOCOLS = 3;
    /** As the graph's {@code workers} key allows. */
    static final int MAX_WORKERS = PortBlocks.MAX_WORKERS;

    private final int[] addresses;
    private final long[][] bitmaps; // [address * PROTOCOLS + protocol][65536 / 64]
    private final int[] inUse;
    private final SplittableRandom random;
    private int forcedNextPort = -1;
    private final int workers;
    private final PortBlocks blocks;

    PortAllocator(int[] addresses) {
        this(addresses, new SplittableRandom(new SecureRandom().nextLong()));
    }

    PortAllocator(int[] addresses, SplittableRandom random) {
        this(addresses, random, 1);
    }

    /** An allocator whose dynamic range is split between {@code workers} workers (1..{@link #MAX_WORKERS}). */
    PortAllocator(int[] addresses, SplittableRandom random, int workers) {
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 1.." + MAX_WORKERS + ", got " + workers);
        }
        this.workers = workers;
        this.blocks = new PortBlocks(workers);
        this.addresses = addresses.clone();
        this.bitmaps = new long[addresses.length * PROTOCOLS][65536 / 64];
        this.inUse = new int[addresses.length * PROTOCOLS];
        this.random = random;
    }

    static int protocolSlot(int ipProtocol) {
        return switch (ipProtocol) {
            case Ipv4.PROTOCOL_TCP -> TCP;
            case Ipv4.PROTOCOL_UDP -> UDP;
            case Ipv4.PROTOCOL_ICMP -> ICMP;
            default -> -1;
        };
    }

    int addressCount() {
        return addresses.length;
    }

    int address(int index) {
        return addresses[index];
    }

    /** The pool index of {@code address}, or -1 when it is not a pool address. */
    int indexOf(int address) {
        for (int i = 0; i < addresses.length; i++) {
            if (addresses[i] == address) {
                return i;
            }
        }
        return -1;
    }

    /** Test hook: the next allocation returns {@code port} if it is free (the seed's golden session). */
    void forceNextPort(int port) {
        this.forcedNextPort = port;
    }

    int workers() {
        return workers;
    }

    /**
     * The worker whose block holds {@code port}: the owner of a dynamic session on it. Ports below the dynamic range
     * (static mappings) and the few the even split leaves over at the top belong to worker 0.
     */
    int owner(int port) {
        return blocks.owner(port);
    }

    /** {@link #allocate(int, int, int, int)} for worker 0. */
    int allocate(int addressIndex, int protocolSlot, int preferred) {
        return allocate(addressIndex, protocolSlot, preferred, 0);
    }

    /**
     * Allocates a port on address {@code addressIndex} from {@code worker}'s block, {@code preferred} (the inside
     * port) when it is in that block and free; returns it, or -1 when every port of the block is taken.
     */
    int allocate(int addressIndex, int protocolSlot, int preferred, int worker) {
        int map = addressIndex * PROTOCOLS + protocolSlot;
        long[] bits = bitmaps[map];
        if (inUse[map] >= PORT_COUNT) {
            return -1;
        }
        int first = blocks.first(worker);
        int last = blocks.last(worker);
        int forced = forcedNextPort;
        if (forced >= first && forced <= last) {
            forcedNextPort = -1;
            if (!isSet(bits, forced)) {
                set(bits, forced);
                inUse[map]++;
                return forced;
            }
        }
        if (preferred >= first && preferred <= last && !isSet(bits, preferred)) {
            set(bits, preferred);
            inUse[map]++;
            return preferred;
        }
        int start = first + random.nextInt(last - first + 1);
        int port = nextClear(bits, start, last);
        if (port < 0) {
            port = nextClear(bits, first, start - 1);
        }
        if (port < 0) {
            return -1;
        }
        set(bits, port);
        inUse[map]++;
        return port;
    }

    /** Marks {@code port} used (a restored session, a static mapping); false when it already was. */
    boolean reserve(int addressIndex, int protocolSlot, int port) {
        int map = addressIndex * PROTOCOLS + protocolSlot;
        if (isSet(bitmaps[map], port)) {
            return false;
        }
        set(bitmaps[map], port);
        if (port >= FIRST_PORT) {
            inUse[map]++;
        }
        return true;
    }

    void release(int addressIndex, int protocolSlot, int port) {
        int map = addressIndex * PROTOCOLS + protocolSlot;
        long[] bits = bitmaps[map];
        if (isSet(bits, port)) {
            bits[port >>> 6] &= ~(1L << (port & 63));
            if (port >= FIRST_PORT) {
                inUse[map]--;
            }
        }
    }

    boolean isUsed(int addressIndex, int protocolSlot, int port) {
        return isSet(bitmaps[addressIndex * PROTOCOLS + protocolSlot], port);
    }

    /** Dynamic-range ports in use on an address for a protocol. */
    int inUse(int addressIndex, int protocolSlot) {
        return inUse[addressIndex * PROTOCOLS + protocolSlot];
    }

    /** Bytes of the bitmaps (8 KiB per address and protocol). */
    long memoryBytes() {
        return (long) bitmaps.length * (65536 / 8);
    }

    private static boolean isSet(long[] bits, int port) {
        return (bits[port >>> 6] & (1L << (port & 63))) != 0;
    }

    private static void set(long[] bits, int port) {
        bits[port >>> 6] |= 1L << (port & 63);
    }

    /** The first clear bit in {@code from..to}, a word at a time; -1 when none. */
    private static int nextClear(long[] bits, int from, int to) {
        if (from > to) {
            return -1;
        }
        int word = from >>> 6;
        long free = ~bits[word] & (-1L << (from & 63));
        int lastWord = to >>> 6;
        while (true) {
            if (free != 0) {
                int port = (word << 6) + Long.numberOfTrailingZeros(free);
                return port <= to ? port : -1;
            }
            if (++word > lastWord) {
                return -1;
            }
            free = ~bits[word];
        }
    }
}
