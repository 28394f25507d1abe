package io.sluice.itests;

/**
 * The seed lab with the GbE port driven by DPDK (net_af_packet PMD), as the seed box runs it: every test and
 * assertion is SeedLab's, run against this driver.
 */
class SeedLabDpdkTest extends SeedLab {
    SeedLabDpdkTest() {
        super("dpdk", "8111");
    }
}
