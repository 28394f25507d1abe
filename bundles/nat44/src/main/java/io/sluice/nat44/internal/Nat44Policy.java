package io.sluice.nat44.internal;

import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.Ipv4;

/**
 * What the forwarding path needs of the configuration, immutable: interface roles by sw_if_index, timeouts
 * in milliseconds, the per-inside-address session limit, the filtering behaviour and the static mappings. A configuration change
 * publishes a new instance; nodes read it once per frame.
 */
final class Nat44Policy {
    public static final byte ROLE_INSIDE = 1;
    public static final byte ROLE_OUTSIDE = 2;
    public static final byte ROLE_OUTPUT_FEATURE = 4;

    final byte[] roleBySw;
    final Timeouts timeouts;
    final long udpMillis;
    final long tcpEstablishedMillis;
    final long tcpTransitoryMillis;
    final long icmpMillis;
    final int maxSessionsPerInsideAddress;
    final StaticMappings mappings;
    /**
     * No valid configuration is in force (refused at start, or none published yet): nothing can be translated, so
     * nat44-in2out-output drops every packet it sees rather than let an inside source leave as it is.
     */
    final boolean refusing;
    /**
     * Endpoint-independent filtering (RFC 4787 REQ-8's option; key {@code filtering = endpoint-independent}): a
     * packet from any remote to a live mapping's outside endpoint opens a session for that remote. False, the
     * default, is address-and-port-dependent filtering (VPP's NAT44-ED): only the remotes the inside endpoint has
     * sessions with get in, every other packet to the mapping is dropped and counted.
     */
    final boolean endpointIndependentFiltering;

    public Nat44Policy(byte[] roleBySw, Timeouts timeouts, int maxSessionsPerInsideAddress, StaticMappings mappings) {
        this(roleBySw, timeouts, maxSessionsPerInsideAddress, mappings, false, false);
    }

    public Nat44Policy(byte[] roleBySw, Timeouts timeouts, int maxSessionsPerInsideAddress, StaticMappings mappings,
                       boolean endpointIndependentFiltering) {
        this(roleBySw, timeouts, maxSessionsPerInsideAddress, mappings, endpointIndependentFiltering, false);
    }

    private Nat44Policy(byte[] roleBySw, Timeouts timeouts, int maxSessionsPerInsideAddress, StaticMappings mappings,
                        boolean endpointIndependentFiltering, boolean refusing) {
        this.refusing = refusing;
        this.endpointIndependentFiltering = endpointIndependentFiltering;
        this.roleBySw = roleBySw.clone();
        this.timeouts = timeouts;
        this.udpMillis = timeouts.udpSeconds() * 1000L;
        this.tcpEstablishedMillis = timeouts.tcpEstablishedSeconds() * 1000L;
        this.tcpTransitoryMillis = timeouts.tcpTransitorySeconds() * 1000L;
        this.icmpMillis = timeouts.icmpSeconds() * 1000L;
        this.maxSessionsPerInsideAddress = maxSessionsPerInsideAddress;
        this.mappings = mappings;
    }

    static Nat44Policy empty() {
        return new Nat44Policy(new byte[0], Timeouts.DEFAULTS, 10_000, StaticMappings.NONE);
    }

    /** The policy of a dataplane with no valid configuration: see {@link #refusing}. */
    static Nat44Policy refusing() {
        return new Nat44Policy(new byte[0], Timeouts.DEFAULTS, 10_000, StaticMappings.NONE, false, true);
    }

    boolean inside(int swIfIndex) {
        return swIfIndex >= 0 && swIfIndex < roleBySw.length && (roleBySw[swIfIndex] & ROLE_INSIDE) != 0;
    }

    /** The idle timeout a session earns from its protocol and, for TCP, its state. */
    long timeoutMillis(int protocol, int tcpState) {
        if (protocol == Ipv4.PROTOCOL_TCP) {
            return TcpTracker.established(tcpState) ? tcpEstablishedMillis : tcpTransitoryMillis;
        }
        return protocol == Ipv4.PROTOCOL_UDP ? udpMillis : icmpMillis;
    }
}
