package io.sluice.acl.internal;

import java.util.concurrent.TimeUnit;

/** A time source the test advances by hand. */
final class ManualClock implements TimeSource {
    private long nanos = 1_000_000_000L;

    @Override
    public long nanos() {
        return nanos;
    }

    void advanceSeconds(long seconds) {
        nanos += TimeUnit.SECONDS.toNanos(seconds);
    }
}
