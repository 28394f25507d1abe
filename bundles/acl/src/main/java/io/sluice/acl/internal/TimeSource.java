package io.sluice.acl.internal;

/** Monotonic nanoseconds for session ages; tests pass a clock they advance by hand. */
@FunctionalInterface
interface TimeSource {
    TimeSource SYSTEM = System::nanoTime;

    long nanos();
}
