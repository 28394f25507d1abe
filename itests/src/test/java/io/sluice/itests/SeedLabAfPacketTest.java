package io.sluice.itests;

/** The seed lab with the GbE port driven by driver-afpacket (TPACKET_V3 receive ring, sendmmsg transmit). */
class SeedLabAfPacketTest extends SeedLab {
    SeedLabAfPacketTest() {
        super("af_packet", "8112");
    }
}
