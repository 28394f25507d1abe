package io.sluice.graph.runtime;

/**
 * What a worker does with its inputs when they bring nothing (VPP's {@code set interface rx-mode}): poll them
 * for ever, sleep in poll(2) on their descriptors as soon as a pass finds nothing, or keep polling while
 * traffic flows and sleep once they have been quiet for a while ({@link #ADAPTIVE}).
 */
enum RxMode {
    POLLING("polling", Long.MAX_VALUE),
    INTERRUPT("interrupt", 0),
    /**
     * Quiet for 200 us before sleeping: a request and its answer through the box (ping, a TCP handshake) are
     * usually closer than that, so a flow in progress never pays for a wakeup, while a quiet box sleeps within
     * a fraction of a millisecond.
     */
    ADAPTIVE("adaptive", 200_000);

    final String configName;
    /** How long the inputs must have been quiet before the worker sleeps. */
    final long quietNanos;

    RxMode(String configName, long quietNanos) {
        this.configName = configName;
        this.quietNanos = quietNanos;
    }

    static RxMode named(String name) {
        for (RxMode mode : values()) {
            if (mode.configName.equals(name)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("rx-mode '" + name + "' is not one of polling, interrupt, adaptive");
    }
}
