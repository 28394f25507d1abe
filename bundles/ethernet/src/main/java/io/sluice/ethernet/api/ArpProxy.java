package io.sluice.ethernet.api;

import org.osgi.service.component.annotations.Component;

import java.util.Arrays;

/**
 * Which interfaces answer ARP requests for any address with their own MAC (proxy ARP, RFC 1027), as a pod
 * TAP does in Contiv-VPP: the pod has a /32 and a default gateway that no interface owns, so every request
 * the pod makes on its TAP is answered with the TAP's MAC and its traffic reaches the box to be routed.
 * Read by arp-input once per frame; written by configuration.
 */
@Component(service = ArpProxy.class, immediate = true)
public final class ArpProxy {

    private volatile boolean[] enabledBySw = new boolean[0];

    public synchronized void setEnabled(int swIfIndex, boolean enabled) {
        if (swIfIndex < 0) {
            throw new IllegalArgumentException("no interface with sw_if_index " + swIfIndex);
        }
        boolean[] next = Arrays.copyOf(enabledBySw, Math.max(enabledBySw.length, swIfIndex + 1));
        next[swIfIndex] = enabled;
        enabledBySw = next;
    }

    public boolean enabled(int swIfIndex) {
        boolean[] current = enabledBySw;
        return swIfIndex >= 0 && swIfIndex < current.length && current[swIfIndex];
    }

    /** The whole setting, indexed by sw_if_index: a node reads it once per frame and must not write it. */
    public boolean[] snapshot() {
        return enabledBySw;
    }
}
