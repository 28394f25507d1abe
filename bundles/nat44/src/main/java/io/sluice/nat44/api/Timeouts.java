package io.sluice.nat44.api;

/**
 * Idle timeouts in seconds. Defaults as VPP's NAT plugin: UDP 300 s, TCP established 7440 s (RFC 5382
 * REQ-5 asks for at least 2 h 4 min), TCP transitory 240 s (4 min, RFC 5382), ICMP 60 s (RFC 5508 REQ-1).
 */
public record Timeouts(int udpSeconds, int tcpEstablishedSeconds, int tcpTransitorySeconds, int icmpSeconds) {
    public static final Timeouts DEFAULTS = new Timeouts(300, 7440, 240, 60);
}
