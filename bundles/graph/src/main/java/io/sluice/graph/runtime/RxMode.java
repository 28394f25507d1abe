package io.sluice.graph.runtime;

/**
 * What a worker does with its inputs when they bring nothing (VPP's {@code set interface rx-mode}): poll them
 * for ever, sleep in poll(2) on their descriptors as soon as a pass finds nothing, or keep polling while
 * traffic flows and sleep once they have been quiet for a while ({@link #ADAPTIVE}).
 */
enum RxMode {
    POLLING("polling", Long.MAX_VALUE),
    INTERRUPT("interrupt", 0),
    /** Quiet for the configured window before sleeping ({@link GraphOptions#adaptiveWindowMicros}). */
    ADAPTIVE("adaptive", -1);

    final String configName;
    /** How long the inputs must have been quiet before the worker sleeps; -1: the configured window. */
    private final long quietNanos;

    RxMode(String configName, long quietNanos) {
        this.configName = configName;
        this.quietNanos = quietNanos;
    }

    /** How long a worker's inputs must have been quiet before it sleeps, with {@code adaptiveWindowMicros} set. */
    long quietNanos(int adaptiveWindowMicros) {
        return quietNanos < 0 ? adaptiveWindowMicros * 1_000L : quietNanos;
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
