package io.sluice.itests;

/**
 * The seed lab on two workers whose receive queues are steered to the owners of their flows
 * (itests/lab/etc/workers-2-steered): the GbE through AF_PACKET with a queue per worker, a classic BPF fanout
 * program sending each reply to the queue of the worker whose NAT44 port block holds it, and each pod's TAP on the
 * worker that owns the pod's flows. Every test and assertion is SeedLab's, under its traffic, attacks, driver updates
 * and restarts; {@link ThreadViewsLab} adds that the pods' flows cross the box without a single handoff.
 */
class SeedLabAfPacketSteeredTest extends SeedLab {
    SeedLabAfPacketSteeredTest() {
        super("af_packet", "8115", 2, "workers-2-steered");
    }
}
