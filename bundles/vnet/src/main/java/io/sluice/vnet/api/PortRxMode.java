package io.sluice.vnet.api;

/**
 * A port's receive mode (VPP's {@code set interface rx-mode <if> polling|interrupt|adaptive}): whether the worker
 * that polls it may sleep on its descriptor when the box is quiet. A port in {@link #POLLING} keeps its worker
 * polling (it reports no descriptor, as a DPDK queue); a port in {@link #INTERRUPT} or {@link #ADAPTIVE} offers its
 * descriptor, and its worker sleeps on it as the worker's own rx-mode (graph key {@code rx-mode}) says: at once
 * (interrupt) or after 200 us without traffic (adaptive). A port with no mode set follows its worker.
 */
public enum PortRxMode {
    POLLING("polling"),
    INTERRUPT("interrupt"),
    ADAPTIVE("adaptive");

    private final String configName;

    PortRxMode(String configName) {
        this.configName = configName;
    }

    /** The word in configuration and on the console. */
    public String configName() {
        return configName;
    }

    /** The mode named {@code name}; an IllegalArgumentException naming the choices otherwise. */
    public static PortRxMode named(String name) {
        for (PortRxMode mode : values()) {
            if (mode.configName.equals(name)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not one of polling, interrupt, adaptive");
    }
}
