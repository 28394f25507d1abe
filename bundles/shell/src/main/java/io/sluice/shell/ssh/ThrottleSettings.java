package io.sluice.shell.ssh;

import java.util.Map;

/**
 * Reads the login throttle's limits from PID {@value #PID} (etc/io.sluice.ssh.throttle.cfg; keys in
 * docs/operations.md). Every key is optional; a value that is not a whole number or is out of range is refused
 * naming the file, the key and why, and nothing of that file is taken.
 */
final class ThrottleSettings {

    static final String PID = "io.sluice.ssh.throttle";

    static final LoginThrottle.Limits DEFAULTS = new LoginThrottle.Limits(5, 1_000, 16_000, 900_000, 4096);

    /** An hour: longer back-offs lock an operator out for no gain, and it keeps the doubling far from overflow. */
    private static final long MAX_DELAY = 3_600_000;

    private ThrottleSettings() {
    }

    static LoginThrottle.Limits parse(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        String origin = file != null ? file.toString() : PID;
        int free = (int) number(origin, properties, "free-failures", DEFAULTS.freeFailures(), 0, 1000);
        long initial = number(origin, properties, "initial-delay-ms", DEFAULTS.initialDelay(), 1, MAX_DELAY);
        long max = number(origin, properties, "max-delay-ms", Math.max(initial, DEFAULTS.maxDelay()), 1, MAX_DELAY);
        if (max < initial) {
            throw new IllegalArgumentException(origin + ": key 'max-delay-ms': '" + max
                    + "' is less than initial-delay-ms (" + initial + ")");
        }
        long forget = number(origin, properties, "forget-after-ms", DEFAULTS.forgetAfter(), 1_000, 86_400_000);
        int addresses = (int) number(origin, properties, "max-addresses", DEFAULTS.maxAddresses(), 16, 1_000_000);
        return new LoginThrottle.Limits(free, initial, max, forget, addresses);
    }

    private static long number(String origin, Map<String, ?> properties, String key, long fallback, long min, long max) {
        Object value = properties.get(key);
        if (value == null || value.toString().isBlank()) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(origin + ": key '" + key + "': '" + value + "' is not a whole number");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(origin + ": key '" + key + "': '" + value + "' is outside " + min + ".." + max);
        }
        return parsed;
    }
}
