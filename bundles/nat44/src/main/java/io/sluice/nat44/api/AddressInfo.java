package io.sluice.nat44.api;

/** One address of the NAT pool and the ports in use on it per protocol. */
public record AddressInfo(int address, int tcpPortsInUse, int udpPortsInUse, int icmpIdsInUse) {
}
