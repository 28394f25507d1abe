package io.sluice.nat44.api;

/**
 * How NAT44 treats an interface, as configured: {@code inside} (its hosts are translated; nat44-out2in runs
 * on its input for hairpinning), {@code outside} (nat44-out2in on its input), and {@code outputFeature}
 * (outside, with nat44-in2out-output on its ip4-output arc: post-routing source NAT). {@code swIfIndex} is -1
 * while the name does not resolve to a registered interface.
 */
public record InterfaceRole(String name, int swIfIndex, boolean inside, boolean outside, boolean outputFeature) {
}
