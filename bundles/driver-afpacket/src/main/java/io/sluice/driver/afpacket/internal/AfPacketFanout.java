package io.sluice.driver.afpacket.internal;

import io.sluice.packet.api.PortBlocks;

/**
 * How a host port's receive queues share its frames (packet(7), PACKET_FANOUT): one queue takes them all; several
 * form one fanout group, the kernel choosing a queue per frame by its flow hash (PACKET_FANOUT_HASH: a flow's frames
 * on one queue, fragments by their addresses alone) or, with {@code steering}, by the NAT's outside port blocks
 * ({@link PortBlockSteering}, PACKET_FANOUT_CBPF): a reply to a translated flow arrives on the queue of the worker
 * that owns its session, so it is not handed off.
 *
 * @param queues   receive queues, 1..{@link #MAX_QUEUES}
 * @param steering the port blocks to steer by (one per queue), or null for the flow hash
 */
public record AfPacketFanout(int queues, PortBlocks steering) {

    /** One queue: no fanout group. */
    public static final AfPacketFanout NONE = new AfPacketFanout(1, null);
    /** As the graph's workers: a queue per worker at most is what placement can use. */
    public static final int MAX_QUEUES = 64;

    /** linux/if_packet.h: PACKET_FANOUT_HASH, PACKET_FANOUT_CBPF. */
    static final int FANOUT_HASH = 0;
    static final int FANOUT_CBPF = 6;

    public AfPacketFanout {
        if (queues < 1 || queues > MAX_QUEUES) {
            throw new IllegalArgumentException("rx queues must be 1.." + MAX_QUEUES + ", got " + queues);
        }
        if (steering != null && steering.workers() != queues) {
            throw new IllegalArgumentException("steering by port blocks needs a queue per block: " + queues
                    + " queues, " + steering.workers() + " blocks");
        }
    }

    /** The PACKET_FANOUT mode of the group. */
    int mode() {
        return steering == null ? FANOUT_HASH : FANOUT_CBPF;
    }
}
