package io.sluice.acl.api;

/**
 * The ACL's denied-flow log: acl-plugin-in/out-ip4-fa write one fixed-size event into a bounded ring when they deny
 * a packet of a flow not logged within the interval (an ACL with {@link Acl#logDenied}, or the fail-closed drop of
 * an interface whose list is not in force), and one control-plane consumer drains it (the telemetry bundle sends it
 * as syslog). The shape is that of firewall deny logs: one line per new denied flow per interval, not one per packet.
 * Nothing is recorded while the log is disabled, so a box that exports nothing pays one volatile read per frame.
 *
 * <p>Records are {@link AclDenyEvent#LONGS} longs each, read with {@link AclDenyEvent}'s static accessors.
 */
public interface AclDenyLog {

    /**
     * Starts recording into a fresh ring of {@code capacity} events (a power of two, 1024 .. 2^22), with at most one
     * event per flow (5-tuple, interface, direction) per {@code intervalMillis} (1 s .. 1 h), replacing any ring there
     * was (its undrained events are dropped).
     */
    void enable(int capacity, long intervalMillis);

    /** Stops recording and drops the ring. */
    void disable();

    boolean enabled();

    /**
     * Copies up to {@code max} recorded events into {@code records} (at {@code i * AclDenyEvent.LONGS}) in the order
     * they were recorded, and frees their slots; returns how many. One consumer: calls are serialised.
     */
    int drain(long[] records, int max);

    /** Events written into the ring since the box started. */
    long recorded();

    /** Events dropped because the ring was full when they happened (the consumer fell behind). */
    long lost();

    /** Denied packets not recorded because their flow already had an event within the interval. */
    long rateLimited();
}
