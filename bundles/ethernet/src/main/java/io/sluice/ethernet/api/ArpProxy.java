package io.sluice.ethernet.api;

/**
 * Which interfaces answer ARP requests for any address with their own MAC (proxy ARP, RFC 1027), as a pod
 * TAP does in Contiv-VPP: the pod has a /32 and a default gateway that no interface owns, so every request
 * the pod makes on its TAP is answered with the TAP's MAC and its traffic reaches the box to be routed.
 * Read by arp-input once per frame; written by configuration.
 */
public interface ArpProxy {

    void setEnabled(int swIfIndex, boolean enabled);

    boolean enabled(int swIfIndex);

    /** The whole setting, indexed by sw_if_index: a node reads it once per frame and must not write it. */
    boolean[] snapshot();
}
