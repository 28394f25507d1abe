package io.sluice.nat44.api;

/**
 * NAT44's event log (RFC 6888 REQ-12: a CGN logs the creation and deletion of its translations): session create and
 * delete, address exhaustion and quota events, written by the forwarding path into a bounded ring and drained here
 * by one control-plane consumer, which encodes and sends them (IPFIX, syslog). Nothing is recorded while the log is
 * disabled, so a box that exports nothing pays one volatile read per session created or deleted.
 *
 * <p>Records are {@link Nat44Event#LONGS} longs each, read with {@link Nat44Event}'s static accessors.
 */
public interface Nat44EventLog {

    /**
     * Starts recording into a fresh ring of {@code capacity} events (a power of two, 1024 .. 2^22), replacing any
     * ring there was (its undrained events are dropped).
     */
    void enable(int capacity);

    /** Stops recording and drops the ring. */
    void disable();

    boolean enabled();

    /**
     * Copies up to {@code max} recorded events into {@code records} (at {@code i * Nat44Event.LONGS}) in the order
     * they were recorded, and frees their slots; returns how many. One consumer: calls are serialised.
     */
    int drain(long[] records, int max);

    /** Events written into the ring since the box started. */
    long recorded();

    /** Events dropped because the ring was full when they happened (the consumer fell behind). */
    long lost();
}
