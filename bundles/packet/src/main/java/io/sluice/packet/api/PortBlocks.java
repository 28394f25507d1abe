package io.sluice.packet.api;

/**
 * The dynamic port range split into one contiguous block per worker, as VPP's NAT44-ED splits it
 * ({@code port_per_thread}): the NAT allocates a worker's outside ports from its block only, so the destination port
 * of a returning packet names the worker that owns its session, and a NIC or kernel that steers by port block (an
 * AF_PACKET fanout program) hands that packet to its owner's queue. One definition for both, so they never disagree.
 * Ports below the range (well known, RFC 4787 REQ-3 keeps them apart) and the few the even split leaves at the top
 * belong to worker 0.
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
