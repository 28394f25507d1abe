package io.sluice.itests;

/**
 * The seed lab with the GbE port driven by driver-afpacket (TPACKET_V3 receive ring, sendmmsg transmit): every
 * test and assertion is SeedLab's, run against this driver.
 */
class SeedLabAfPacketTest extends SeedLab {
    SeedLabAfPacketTest() {
        super("af_packet", "8112");
    }
}
