package io.sluice.telemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NatLoggingOptionsTest {

    @Test
    void collectorAndServerWithAndWithoutPorts() {
        NatLoggingOptions o = NatLoggingOptions.from(Map.of("ipfix.collector", "127.0.0.1:9995",
                "syslog.server", "[::1]", "syslog.facility", "local3", "syslog.hostname", "gw1"));
        assertEquals(new InetSocketAddress("127.0.0.1", 9995), o.ipfixCollector());
        assertEquals(514, o.syslogServer().getPort());
        assertEquals(19, o.syslogFacility());
        assertEquals("gw1", o.syslogHostname());
        assertEquals(60, o.templateRefreshSeconds());
        assertEquals(65_536, o.ringSize());
        NatLoggingOptions ipfixOnly = NatLoggingOptions.from(Map.of("ipfix.collector", "10.0.0.9"));
        assertEquals(4739, ipfixOnly.ipfixCollector().getPort(), "IANA's IPFIX port by default");
        assertNull(ipfixOnly.syslogServer());
    }

    @Test
    void everyBadKeyIsNamedWithTheFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NatLoggingOptions.from(Map.of(
                "ipfix.collector", "collector.example:4739", "syslog.server", "127.0.0.1:70000",
                "ring-size", "3000", "syslog.facility", "local9", "enabled", "yes")));
        assertEquals("etc/io.sluice.nat44.logging.cfg refused: enabled: must be true or false, got 'yes';"
                + " ipfix.collector: 'collector.example' is not an IP address literal (a host name is not accepted: no"
                + " DNS at activation); syslog.server: the port in '127.0.0.1:70000' must be 1..65535;"
                + " syslog.facility: 'local9' is not one of kern, user, mail, daemon, auth, syslog, lpr, news, uucp,"
                + " cron, authpriv, ftp, ntp, audit, alert, clock, local0, local1, local2, local3, local4, local5,"
                + " local6, local7; ring-size: 3000 is not a power of two", e.getMessage());
    }

    @Test
    void enabledWithNowhereToSendIsRefusedButDisabledIsFine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NatLoggingOptions.from(Map.of()));
        assertEquals("etc/io.sluice.nat44.logging.cfg refused: enabled = true but neither ipfix.collector nor"
                + " syslog.server is set: nothing would be sent", e.getMessage());
        assertEquals(false, NatLoggingOptions.from(Map.of("enabled", "false")).enabled());
    }
}
