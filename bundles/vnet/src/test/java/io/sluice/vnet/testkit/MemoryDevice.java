package io.sluice.vnet.testkit;

import io.sluice.vnet.api.AbstractPort;

/**
 * A port in memory, the stand-in for a driver in tests and benchmarks: a name, a MAC, the Ethernet MTU and a link
 * that is always up; nothing to poll and nothing to close. What it does with the frames it is handed is the
 * subclass's {@link #transmit}.
 */
public abstract class MemoryDevice extends AbstractPort {

    protected MemoryDevice(String name, long mac) {
        super(name, mac, 1500);
    }

    @Override
    public final boolean linkUp() {
        return true;
    }

    @Override
    public final void close(boolean remove) {
    }
}
