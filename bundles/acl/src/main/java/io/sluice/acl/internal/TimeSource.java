package io.sluice.acl.internal;

/**
 * Nanoseconds for session ages; tests pass a clock they advance by hand. The system's is the wall clock (at
 * millisecond resolution, plenty for timeouts of seconds), not System.nanoTime, whose origin is arbitrary per
 * JVM: sessions restored from the session file after a restart must age from where they were.
 */
@FunctionalInterface
interface TimeSource {
    TimeSource SYSTEM = () -> System.currentTimeMillis() * 1_000_000L;

    long nanos();
}
