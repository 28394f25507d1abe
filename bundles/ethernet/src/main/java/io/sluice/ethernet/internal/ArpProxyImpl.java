package io.sluice.ethernet.internal;

import io.sluice.ethernet.api.ArpProxy;
import org.osgi.service.component.annotations.Component;

import java.util.Arrays;

/** The {@link ArpProxy} setting: copied on write, one volatile array a node reads once per frame. */
@Component(service = ArpProxy.class, immediate = true)
public final class ArpProxyImpl implements ArpProxy {

    private volatile boolean[] enabledBySw = new boolean[0];

    @Override
    public synchronized void setEnabled(int swIfIndex, boolean enabled) {
        if (swIfIndex < 0) {
            throw new IllegalArgumentException("no interface with sw_if_index " + swIfIndex);
        }
        boolean[] next = Arrays.copyOf(enabledBySw, Math.max(enabledBySw.length, swIfIndex + 1));
        next[swIfIndex] = enabled;
        enabledBySw = next;
    }

    @Override
    public boolean enabled(int swIfIndex) {
        boolean[] current = enabledBySw;
        return swIfIndex >= 0 && swIfIndex < current.length && current[swIfIndex];
    }

    @Override
    public boolean[] snapshot() {
        return enabledBySw;
    }
}
