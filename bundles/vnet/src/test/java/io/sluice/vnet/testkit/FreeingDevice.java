package io.sluice.vnet.testkit;

import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.Device;

/**
 * A port that frees what it is asked to send and keeps nothing: the stand-in for an interface a test or a
 * benchmark needs only by name (a sw_if_index, an output node), or as a sink whose cost must not be measured.
 *
 * @param name   the interface name
 * @param mac    its MAC address
 * @param linkUp what it reports as its link state
 */
public record FreeingDevice(String name, long mac, boolean linkUp) implements Device {

    /** A port with link up and a locally administered MAC (02:00:00:00:00:01). */
    public FreeingDevice(String name) {
        this(name, 0x020000000001L, true);
    }

    /** A port with link up and the given MAC. */
    public FreeingDevice(String name, long mac) {
        this(name, mac, true);
    }

    @Override
    public long macAddress() {
        return mac;
    }

    @Override
    public int mtu() {
        return 1500;
    }

    @Override
    public int transmit(BufferPool pool, int[] buffers, int count) {
        pool.free(buffers, 0, count);
        return count;
    }
}
