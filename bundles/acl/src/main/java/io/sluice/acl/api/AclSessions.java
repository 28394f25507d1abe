package io.sluice.acl.api;

import java.util.List;

/**
 * The reflect session table, as the control plane sees it. The table itself is off-heap and lives in the
 * component behind this service, not in the ACL nodes: a replaced node attaches to the same table and
 * existing sessions keep passing their replies.
 */
public interface AclSessions {

    SessionStats stats();

    /** Live sessions, at most {@code limit}, in slot order. */
    List<SessionInfo> sessions(int limit);

    /** Deletes every session; returns how many were live. */
    int clear();

    SessionTimeouts timeouts();

    /** Applies new idle timeouts to every session from now on (existing sessions included). */
    void setTimeouts(SessionTimeouts timeouts);

    /**
     * Idle timeouts in seconds: {@code tcpIdle} for established TCP sessions (SYN and ACK seen both ways,
     * no FIN or RST), {@code tcpTransient} for other TCP sessions, {@code udpIdle} for UDP and every other
     * protocol. VPP's defaults: 24 hours, 120 seconds, 600 seconds.
     */
    record SessionTimeouts(long tcpIdleSeconds, long tcpTransientSeconds, long udpIdleSeconds) {
        public static final SessionTimeouts VPP_DEFAULTS = new SessionTimeouts(24 * 3600, 120, 600);

        /** The largest timeout the table holds: it counts idle time in 64-bit nanoseconds (about 292 years). */
        public static final long MAX_SECONDS = Long.MAX_VALUE / 1_000_000_000L;

        public SessionTimeouts {
            if (tcpIdleSeconds <= 0 || tcpTransientSeconds <= 0 || udpIdleSeconds <= 0) {
                throw new IllegalArgumentException("session timeouts must be positive seconds");
            }
            if (tcpIdleSeconds > MAX_SECONDS || tcpTransientSeconds > MAX_SECONDS || udpIdleSeconds > MAX_SECONDS) {
                throw new IllegalArgumentException("session timeouts above " + MAX_SECONDS
                        + " seconds overflow the table's 64-bit nanosecond count");
            }
        }
    }

    /**
     * Totals since start: sessions added and deleted (expired, cleared), live now, refused because the table
     * held {@code maxSessions}; {@code capacity} is the number of slots.
     */
    record SessionStats(long added, long deleted, long live, long refusedFull, long maxSessions, int capacity,
                        long expired) {
    }

    /**
     * One session: its slot index (the {@code rule} a trace shows for a packet that matched it), the
     * interface and side it was created on, its 5-tuple as the creating packet had it, TCP flags seen from
     * the creating side and from the reply side, idle time, the timeout that applies, and traffic.
     */
    record SessionInfo(int index, int swIfIndex, boolean createdOnInput, int protocol, int sourceAddress,
                       int sourcePort, int destinationAddress, int destinationPort, int tcpFlagsForward,
                       int tcpFlagsReverse, long idleNanos, String timeoutType, long timeoutSeconds, long packets,
                       long bytes) {
    }
}
