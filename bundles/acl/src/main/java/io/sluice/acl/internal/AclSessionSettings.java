package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;

import java.util.Map;

/**
 * Reads the reflect session table's settings, PID {@value AclSessionsImpl#PID} (etc/io.sluice.acl.sessions.cfg):
 * {@code sessions.max}, {@code sessions.max-per-interface}, {@code sessions.max-per-host} and the idle timeouts in
 * seconds. All of a file or none of it: a bad value refuses the whole
 * file with its name, the key and why, and the caller keeps what is in force.
 */
record AclSessionSettings(long maxSessions, long maxPerInterface, long maxPerHost, SessionTimeouts timeouts) {

    /**
     * Without {@code sessions.max-per-interface}: half the table, so that no one interface can fill it; without
     * {@code sessions.max-per-host}: a quarter, so that no one host can fill its interface's share.
     */
    AclSessionSettings(long maxSessions, SessionTimeouts timeouts) {
        this(maxSessions, defaultPerInterface(maxSessions), defaultPerHost(maxSessions), timeouts);
    }

    static long defaultPerInterface(long maxSessions) {
        return Math.max(1, maxSessions / 2);
    }

    static long defaultPerHost(long maxSessions) {
        return Math.max(1, maxSessions / 4);
    }

    static final long MAX_TIMEOUT_SECONDS = SessionTimeouts.MAX_SECONDS;

    /** The slot count is an int: two slots per session (SessionTable keeps it at most half full). */
    static final long MAX_SESSIONS = Integer.MAX_VALUE / 2;

    /** {@code current} with the keys {@code properties} sets; throws naming the file, the key and why. */
    static AclSessionSettings parse(Map<String, Object> properties, AclSessionSettings current) {
        String origin = ConfigSource.describe(properties, AclSessionsImpl.PID);
        long max = number(properties, origin, AclSessionsImpl.KEY_MAX, current.maxSessions(), MAX_SESSIONS,
                "the session table's slots are counted in an int");
        String overflow = "in nanoseconds (how the table counts idle time) it overflows 64 bits";
        SessionTimeouts timeouts = new SessionTimeouts(
                number(properties, origin, AclSessionsImpl.KEY_TCP_IDLE, current.timeouts().tcpIdleSeconds(),
                        MAX_TIMEOUT_SECONDS, overflow),
                number(properties, origin, AclSessionsImpl.KEY_TCP_TRANSIENT, current.timeouts().tcpTransientSeconds(),
                        MAX_TIMEOUT_SECONDS, overflow),
                number(properties, origin, AclSessionsImpl.KEY_UDP_IDLE, current.timeouts().udpIdleSeconds(),
                        MAX_TIMEOUT_SECONDS, overflow));
        Object perInterface = properties.get(AclSessionsImpl.KEY_MAX_PER_INTERFACE);
        long share = perInterface == null || perInterface.toString().isBlank() ? defaultPerInterface(max)
                : number(properties, origin, AclSessionsImpl.KEY_MAX_PER_INTERFACE, 0, MAX_SESSIONS,
                "the session table's slots are counted in an int");
        Object perHost = properties.get(AclSessionsImpl.KEY_MAX_PER_HOST);
        long hostShare = perHost == null || perHost.toString().isBlank() ? defaultPerHost(max)
                : number(properties, origin, AclSessionsImpl.KEY_MAX_PER_HOST, 0, MAX_SESSIONS,
                "the session table's slots are counted in an int");
        return new AclSessionSettings(max, share, hostShare, timeouts);
    }

    private static long number(Map<String, Object> properties, String origin, String key, long fallback, long max,
                               String whyMax) {
        Object value = properties.get(key);
        if (value == null || value.toString().isBlank()) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(origin + ": key '" + key + "': '" + value + "' is not a whole number");
        }
        if (parsed <= 0) {
            throw new IllegalArgumentException(origin + ": key '" + key + "': '" + value + "' is not positive");
        }
        if (parsed > max) {
            throw new IllegalArgumentException(origin + ": key '" + key + "': '" + value + "' is more than " + max
                    + ": " + whyMax);
        }
        return parsed;
    }
}
