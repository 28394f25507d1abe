package io.sluice.driver.dpdk.api;

/** Which driver opens a port of a hardware profile. */
public enum PortDriver {
    /** A NIC (or a DPDK virtual device) through DPDK's poll-mode drivers: bundle driver-dpdk. */
    DPDK("dpdk"),
    /** A Linux netdev through an AF_PACKET ring: bundle driver-afpacket. */
    AF_PACKET("af_packet"),
    /** A Linux netdev through an AF_XDP socket: bundle driver-afxdp. */
    AF_XDP("af_xdp"),
    /** A TAP device toward a pod: bundle driver-tap. */
    TAP("tap");

    private final String key;

    PortDriver(String key) {
        this.key = key;
    }

    /** The word a profile writes: dpdk, af_packet, af_xdp, tap. */
    public String key() {
        return key;
    }

    public static PortDriver fromKey(String key) {
        for (PortDriver driver : values()) {
            if (driver.key.equals(key)) {
                return driver;
            }
        }
        throw new IllegalArgumentException("'" + key + "' is not a driver (dpdk, af_packet, af_xdp, tap)");
    }
}
