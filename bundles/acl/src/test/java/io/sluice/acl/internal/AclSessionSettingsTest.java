package io.sluice.acl.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AclSessionSettingsTest {

    private static final String FILE = "file:/box/etc/io.sluice.acl.sessions.cfg";

    private static Map<String, Object> file(String... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConfigSource.FILE_KEY, FILE);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    private static String refusal(String... keysAndValues) {
        AclSessionSettings current = new AclSessionSettings(1000, SessionTimeouts.VPP_DEFAULTS);
        return assertThrows(IllegalArgumentException.class,
                () -> AclSessionSettings.parse(file(keysAndValues), current)).getMessage();
    }

    @Test
    void aTimeoutThatOverflowsInNanosecondsIsRefusedNamingFileAndKey() {
        assertEquals("etc/io.sluice.acl.sessions.cfg: key 'timeout.tcp.idle': '9223372037' is more than 9223372036: in"
                + " nanoseconds (how the table counts idle time) it overflows 64 bits",
                refusal("timeout.tcp.idle", "9223372037"));
        assertEquals("etc/io.sluice.acl.sessions.cfg: key 'timeout.udp.idle': '99999999999999999999' is not a whole"
                + " number", refusal("timeout.udp.idle", "99999999999999999999"));
        assertEquals("etc/io.sluice.acl.sessions.cfg: key 'timeout.tcp.transient': '0' is not positive",
                refusal("timeout.tcp.transient", "0"));
        assertEquals("etc/io.sluice.acl.sessions.cfg: key 'sessions.max': '2000000000' is more than 1073741823: the"
                + " session table's slots are counted in an int", refusal("sessions.max", "2000000000"));
        // The largest accepted value converts without overflow.
        AclSessionSettings largest = AclSessionSettings.parse(file("timeout.tcp.idle", "9223372036"),
                new AclSessionSettings(1000, SessionTimeouts.VPP_DEFAULTS));
        assertEquals(9_223_372_036L, largest.timeouts().tcpIdleSeconds());
        assertTrue(largest.timeouts().tcpIdleSeconds() * 1_000_000_000L > 0);
        assertThrows(IllegalArgumentException.class, () -> new SessionTimeouts(9_223_372_037L, 120, 600),
                "the api refuses it too (AclSessions.setTimeouts)");
    }

    @Test
    void aRefusedFileLeavesEverySettingInForce() {
        try (AclSessionsImpl sessions = new AclSessionsImpl(1000, new SessionTimeouts(3600, 60, 300), TimeSource.SYSTEM)) {
            assertTrue(sessions.reconfigure(file("timeout.tcp.idle", "7200")));
            assertEquals(new SessionTimeouts(7200, 60, 300), sessions.timeouts());
            // A good key beside a bad one is not taken either: the file is refused as a whole.
            assertFalse(sessions.reconfigure(file("timeout.udp.idle", "30", "timeout.tcp.idle", "9223372037")));
            assertEquals(new SessionTimeouts(7200, 60, 300), sessions.timeouts());
            // Before, a timeout above 292 years wrapped to a negative count of nanoseconds.
            assertTrue(sessions.table().timeouts().tcpIdleSeconds() > 0);
        }
    }
}
