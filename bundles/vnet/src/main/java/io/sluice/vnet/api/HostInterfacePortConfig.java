package io.sluice.vnet.api;

/**
 * A host-interface driver's checked port configuration: the {@link HostInterfaceConfig} every such driver reads
 * the same way, beside the driver's own settings. SPI for drivers.
 */
public interface HostInterfacePortConfig extends PortConfig {

    /** The netdev, its namespace, the interface name, MAC and admin state. */
    HostInterfaceConfig host();

    @Override
    default String pid() {
        return host().pid();
    }

    @Override
    default boolean adminUp() {
        return host().adminUp();
    }
}
