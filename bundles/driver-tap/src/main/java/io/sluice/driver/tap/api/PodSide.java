package io.sluice.driver.tap.api;

import java.util.List;
import java.util.Objects;

/**
 * How the kernel side of a TAP is set up inside a pod's network namespace.
 *
 * @param namespace  a named network namespace (/var/run/netns/&lt;namespace&gt;) that already exists
 * @param ifName     the name the interface takes there, e.g. {@code eth0}
 * @param mac        its MAC address ({@code 02:fe:...}), or null to keep the random one the kernel chose
 * @param mtu        its MTU, or 0 to keep the default (1500)
 * @param addresses  addresses with prefix length, e.g. {@code 10.1.1.3/24}
 * @param routes     arguments of {@code ip route add}, e.g. {@code default via 10.1.1.1}
 */
public record PodSide(String namespace, String ifName, String mac, int mtu, List<String> addresses,
                      List<String> routes) {

    public PodSide {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(ifName, "ifName");
        if (ifName.length() >= 16) {
            throw new IllegalArgumentException("interface name longer than IFNAMSIZ - 1: " + ifName);
        }
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
    }
}
