package io.sluice.nat44.api;

import java.util.Map;

/**
 * Checks a configuration of PID {@value #PID} exactly as the NAT44 runtime would read it, without applying
 * anything: the console checks what it is about to write through ConfigAdmin, so that a value the .cfg file would
 * have refused is refused at the prompt with the same message (every bad key and why).
 */
public interface Nat44ConfigCheck {

    /** The NAT44 configuration, file {@code etc/io.sluice.nat44.cfg}. */
    String PID = "io.sluice.nat44";

    /** Returns normally when {@code properties} would be accepted; otherwise throws IllegalArgumentException. */
    void check(Map<String, ?> properties);
}
