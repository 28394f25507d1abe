package io.sluice.shell.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final LoginThrottle throttle = new LoginThrottle(new LoginThrottle.Limits(3, 1_000, 8_000, 60_000, 16));

    @Test
    void freeFailuresCostNothingThenTheDelayDoublesUpToTheCap() {
        long now = 0;
        for (int i = 1; i <= 3; i++) {
            assertEquals(0, throttle.failed("192.0.2.1", now).delayMillis(), "failure " + i);
        }
        long[] expected = {1_000, 2_000, 4_000, 8_000, 8_000};
        for (long delay : expected) {
            LoginThrottle.Failure failure = throttle.failed("192.0.2.1", now);
            assertEquals(delay, failure.delayMillis(), "failure " + failure.failures());
            now += delay;
        }
        assertEquals(8, throttle.failures("192.0.2.1", now));
        assertEquals(5, throttle.totalDelayed());
    }

    @Test
    void aBackOffRefusesNewConnectionsFromThatAddressOnlyAndAuditsTheFirstRefusalOnce() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("192.0.2.1", 100);
        }
        LoginThrottle.Admission first = throttle.admit("192.0.2.1", 600);
        assertTrue(first.refused());
        assertEquals(500, first.retryInMillis());
        assertTrue(first.firstRefusalOfBackOff());
        LoginThrottle.Admission second = throttle.admit("192.0.2.1", 700);
        assertTrue(second.refused());
        assertFalse(second.firstRefusalOfBackOff(), "one audit line per back-off");
        assertEquals(2, second.refusedSoFar());
        assertFalse(throttle.admit("192.0.2.2", 700).refused(), "another address is never held up");
        assertFalse(throttle.admit("192.0.2.1", 1_100).refused(), "the back-off ended");
        assertEquals(2, throttle.totalRefusedConnections());
    }

    @Test
    void aFailureDuringABackOffWaitsForItsEndAtLeast() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("192.0.2.1", 0);
        }
        // The 5th failure (2 s) on a connection opened before the back-off: answered at 2 100, not before 1 000.
        assertEquals(2_000, throttle.failed("192.0.2.1", 100).delayMillis());
        assertTrue(throttle.admit("192.0.2.1", 2_000).refused());
    }

    @Test
    void aSuccessOrAQuietSpellForgetsTheFailures() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("192.0.2.1", 0);
            throttle.failed("192.0.2.2", 0);
        }
        throttle.succeeded("192.0.2.1");
        assertEquals(0, throttle.failures("192.0.2.1", 10));
        assertFalse(throttle.admit("192.0.2.1", 10).refused());
        assertEquals(5, throttle.failures("192.0.2.2", 59_999));
        assertEquals(0, throttle.failures("192.0.2.2", 60_000), "forgotten after forget-after without a failure");
        assertEquals(0, throttle.failed("192.0.2.2", 60_000).delayMillis(), "counted from 1 again");
    }

    @Test
    void manyAddressesCostBoundedMemoryTheOldestIsForgotten() {
        for (int i = 0; i < 40; i++) {
            throttle.failed("198.51.100." + i, i);
        }
        Map<String, Integer> kept = throttle.snapshot();
        assertEquals(16, kept.size());
        assertTrue(kept.containsKey("198.51.100.39") && !kept.containsKey("198.51.100.23"), kept.toString());
    }

    @Test
    void settingsHaveDefaultsAndRefuseBadValuesNamingFileAndKey() {
        assertEquals(ThrottleSettings.DEFAULTS, ThrottleSettings.parse(Map.of()));
        LoginThrottle.Limits limits = ThrottleSettings.parse(Map.of("free-failures", "2", "initial-delay-ms", "500",
                "max-delay-ms", "4000", "forget-after-ms", "5000", "max-addresses", "100"));
        assertEquals(new LoginThrottle.Limits(2, 500, 4_000, 5_000, 100), limits);
        String file = "/box/etc/io.sluice.ssh.throttle.cfg";
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class, () -> ThrottleSettings.parse(
                Map.of("felix.fileinstall.filename", file, "initial-delay-ms", "1s")));
        assertEquals(file + ": key 'initial-delay-ms': '1s' is not a whole number", notANumber.getMessage());
        IllegalArgumentException inverted = assertThrows(IllegalArgumentException.class, () -> ThrottleSettings.parse(
                Map.of("felix.fileinstall.filename", file, "initial-delay-ms", "5000", "max-delay-ms", "1000")));
        assertEquals(file + ": key 'max-delay-ms': '1000' is less than initial-delay-ms (5000)", inverted.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> ThrottleSettings.parse(
                Map.of("max-delay-ms", "3600001")));
        assertEquals("io.sluice.ssh.throttle: key 'max-delay-ms': '3600001' is outside 1..3600000", tooLong.getMessage());
    }
}
