package io.sluice.itests;

/**
 * The seed lab with the GbE port driven by driver-afxdp (an AF_XDP socket through libxdp, copy mode on the lab's
 * veth): every test and assertion is SeedLab's, run against this driver. Where libxdp is missing the port is
 * refused and the lab's traffic fails: ./sluice installs libxdp1 and libbpf1 with the lab's packages.
 */
class SeedLabAfXdpTest extends SeedLab {
    SeedLabAfXdpTest() {
        super("af_xdp", "8113");
    }
}
