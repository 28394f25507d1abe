package io.sluice.nat44.api;

/**
 * One NAT44 session as shown by {@code nat44:sessions --detail}. Addresses are network order ints; times
 * are wall-clock milliseconds.
 *
 * @param protocol IANA protocol number (6 TCP, 17 UDP, 1 ICMP); ports of ICMP are echo identifiers
 * @param tcpState the TCP tracking state's name, empty for UDP and ICMP
 */
public record SessionInfo(int index, int protocol, int insideAddress, int insidePort, int outsideAddress,
                          int outsidePort, int remoteAddress, int remotePort, boolean isStatic, String tcpState,
                          long lastHeardMillis, long expiresAtMillis, long packets, long bytes,
                          int insideSwIfIndex) {
}
