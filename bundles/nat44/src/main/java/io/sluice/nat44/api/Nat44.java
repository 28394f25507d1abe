package io.sluice.nat44.api;

import java.util.List;

/**
 * The NAT44 function as the control plane and the shell see it: sessions, the address pool, interface roles,
 * static mappings, and clearing sessions. The forwarding path does not go through this interface.
 */
public interface Nat44 {

    /** Live sessions, at most {@code limit}; with {@code insideAddress} other than 0 only that host's. */
    List<SessionInfo> sessions(int insideAddress, int limit);

    /** Per inside address: how many dynamic and static translations it holds (VPP's user list). */
    List<UserInfo> users();

    List<InterfaceRole> interfaces();

    List<AddressInfo> addresses();

    List<StaticMapping> staticMappings();

    /** Deletes every session; returns how many. */
    int clearSessions();

    /** Deletes the sessions of one inside address (network order int); returns how many. */
    int clearSessions(int insideAddress);

    Timeouts timeouts();

    /** Sessions in use and the table's capacity. */
    long sessionCount();

    /**
     * Sessions in use of IP protocol {@code protocol}: 6 (TCP), 17 (UDP), 1 (ICMP); any other number gives the sessions
     * of every other protocol together. The figures of TCP, UDP and ICMP and the others add up to
     * {@link #sessionCount()}.
     */
    long sessionCount(int protocol);

    long sessionCapacity();

    /**
     * The worker that owns {@code session} (NAT44-ED keeps each session on one worker, as VPP's per-thread session
     * tables): for a dynamic session the worker whose block of the dynamic port range holds its outside port, for a
     * static one the worker its inside address is handed to. 0 when the NAT runs on one worker. Read-only: for the
     * console's listing by thread ({@code nat44:sessions}).
     */
    default int owner(SessionInfo session) {
        return 0;
    }
}
