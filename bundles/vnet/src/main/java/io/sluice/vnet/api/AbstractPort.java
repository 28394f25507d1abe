package io.sluice.vnet.api;

/**
 * What every driver's port holds the same way: its interface name, MAC and MTU, fixed when it is opened, and
 * the sw_if_index the interface table gives it. A driver's port class adds its device, link state, transmit
 * and close.
 */
public abstract class AbstractPort implements PolledPort {

    private final String name;
    private final long mac;
    private final int mtu;
    private volatile int swIfIndex = -1;

    protected AbstractPort(String name, long mac, int mtu) {
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final long macAddress() {
        return mac;
    }

    @Override
    public final int mtu() {
        return mtu;
    }

    /** -1 until registered. */
    @Override
    public final int swIfIndex() {
        return swIfIndex;
    }

    @Override
    public final void setSwIfIndex(int swIfIndex) {
        this.swIfIndex = swIfIndex;
    }
}
