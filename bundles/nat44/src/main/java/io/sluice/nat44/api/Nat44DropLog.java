package io.sluice.nat44.api;

/**
 * NAT44's drop log, for denied-flow logging: every packet a NAT44 node drops (no session for an ICMP error, a quota
 * or the pool exhausted, a TCP RST out of window, no configuration...) becomes a fixed-size event in a bounded ring
 * while the log is enabled, drained by one control-plane consumer that summarises them per reason and source. The
 * forwarding path never blocks on it: a full ring refuses the event and counts it ({@link #lost()}). While the log
 * is disabled a drop costs one volatile read.
 *
 * <p>Records are {@link Nat44DropEvent#LONGS} longs each, read with {@link Nat44DropEvent}'s static accessors.
 */
public interface Nat44DropLog {

    /**
     * Starts recording into a fresh ring of {@code capacity} events (a power of two, 1024 .. 2^22), replacing any
     * ring there was (its undrained events are dropped).
     */
    void enable(int capacity);

    /** Stops recording and drops the ring. */
    void disable();

    boolean enabled();

    /**
     * Copies up to {@code max} recorded events into {@code records} (at {@code i * Nat44DropEvent.LONGS}), oldest
     * first, and frees their slots; returns how many. One consumer: calls are serialised.
     */
    int drain(long[] records, int max);

    /**
     * The drop's reason as {@code errors:show} shows it, {@code <node>/<counter>} (e.g.
     * {@code nat44-out2in/icmp-no-session}); {@code reason N} for a code this version does not know.
     */
    String reasonName(int reason);

    /** Drop events written into the ring since the box started. */
    long recorded();

    /** Drop events refused because the ring was full when they happened (the consumer fell behind). */
    long lost();
}
