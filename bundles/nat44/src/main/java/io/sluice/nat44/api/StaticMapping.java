package io.sluice.nat44.api;

/**
 * A static mapping between an inside (local) and an outside (external) endpoint. With {@code protocol} 0 the
 * mapping is address-only (every port and protocol); otherwise it maps one port of one protocol. An identity
 * mapping translates an address (and port) to itself: traffic to it is exempt from NAT (Contiv's VXLAN UDP
 * 4789). An out2in-only mapping applies only to connections that start outside (destination NAT); inside
 * hosts opening connections get a dynamic translation instead.
 */
public record StaticMapping(String name, int protocol, int localAddress, int localPort, int externalAddress,
                            int externalPort, boolean identity, boolean out2inOnly) {

    public boolean addressOnly() {
        return protocol == 0;
    }
}
