package io.sluice.itests;

/**
 * The seed lab with the GbE port driven by DPDK and the graph's {@code workers = 2}: every test and assertion is
 * SeedLab's, on a box whose pods' ports are polled by sluice_main and whose GbE by sluice_wk_0, pinned to the lab
 * machine's two cores (itests/lab/etc/workers-2). A packet's trace may then show the handoff nodes between the seed's
 * nodes (SeedTrace); everything else is asserted as with one worker. CI runs this one driver with two workers: the
 * workers' code is the graph's, the same under every driver, and a SeedLab class costs 5-6 minutes.
 */
class SeedLabDpdkTwoWorkersTest extends SeedLab {
    SeedLabDpdkTwoWorkersTest() {
        super("dpdk", "8114", 2);
    }
}
