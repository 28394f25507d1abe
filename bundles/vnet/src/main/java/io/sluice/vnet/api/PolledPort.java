package io.sluice.vnet.api;

/**
 * A driver's port as {@link PortAttachment} handles it: a device in the interface table that a device-input
 * node polls. SPI for drivers.
 */
public interface PolledPort extends Device, DeviceInput.Port {

    /** Set once the interface table has registered it. */
    void setSwIfIndex(int swIfIndex);

    /**
     * Closes what the driver opened. {@code remove}: the port's configuration was deleted or changed, so what
     * the driver keeps across its own update (a persistent TAP, TUNSETPERSIST) goes too. Called only once no
     * worker can reach the port (after the barrier that detached it).
     */
    void close(boolean remove);
}
