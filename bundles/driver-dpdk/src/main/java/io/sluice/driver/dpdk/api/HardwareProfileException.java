package io.sluice.driver.dpdk.api;

import java.util.List;

/** A hardware profile that cannot be used; the message names the profile, each bad key and why. */
public final class HardwareProfileException extends RuntimeException {
    private final List<String> problems;

    public HardwareProfileException(String profile, List<String> problems) {
        super("hardware profile " + profile + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code key: reason} (or {@code line N: reason}). */
    public List<String> problems() {
        return problems;
    }
}
