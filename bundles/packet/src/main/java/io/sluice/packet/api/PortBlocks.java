package io.sluice.packet.api;

/**
 * How NAT44's flows are split between the workers, as VPP's NAT44-ED splits them: an inside host's flows belong to
 * the worker its address hashes to ({@link #insideOwner(int, int)}), which allocates their outside ports from its own block of
 * the dynamic range ({@code port_per_thread}), so the destination port of a returning packet names the same worker
 * ({@link #owner}). The NAT's handoff nodes send packets to these owners; a driver that can steer (an AF_PACKET
 * fanout program by port block, a pod's port placed on its pod's owner) delivers them there in the first place. One
 * definition for all, so they never disagree. Ports below the range (well known, RFC 4787 REQ-3 keeps them apart) and
 * the few the even split leaves at the top belong to worker 0.
 *
 * @param workers the workers the range is split between, 1..64
 */
public record PortBlocks(int workers) {

    /** The dynamic range: 1024..65535. */
    public static final int FIRST_PORT = 1024;
    public static final int LAST_PORT = 65535;
    public static final int PORT_COUNT = LAST_PORT - FIRST_PORT + 1;
    public static final int MAX_WORKERS = 64;

    public PortBlocks {
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 1.." + MAX_WORKERS + ", got " + workers);
        }
    }

    /** Ports in each worker's block. */
    public int perWorker() {
        return PORT_COUNT / workers;
    }

    /** The first port of {@code worker}'s block. */
    public int first(int worker) {
        return FIRST_PORT + (worker % workers) * perWorker();
    }

    /** The last port of {@code worker}'s block; one worker has the whole range. */
    public int last(int worker) {
        return workers == 1 ? LAST_PORT : first(worker) + perWorker() - 1;
    }

    /**
     * The worker among {@code workers} that owns the flows of inside host {@code address}: {@link #mix} of the
     * address, its high half scaled onto 0..workers-1 by a multiply and shift (no division). Static, for the packet
     * path: no instance to make.
     */
    public static int insideOwner(int address, int workers) {
        return (int) (((mix(address & 0xffffffffL) >>> 32) * workers) >>> 32);
    }

    /**
     * The murmur3 64-bit finalizer: every bit of {@code key} moves every bit of the hash. The NAT's session table
     * indexes by it too, so the owner of a host and the table's hash of its address are one function.
     */
    public static long mix(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** The worker whose block holds {@code port}; 0 for a port outside every block. */
    public int owner(int port) {
        int offset = port - FIRST_PORT;
        int perWorker = perWorker();
        if (offset < 0 || offset >= perWorker * workers) {
            return 0;
        }
        return offset / perWorker;
    }
}
