package io.sluice.nat44.internal;

import io.sluice.nat44.api.StaticMapping;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nat44SettingsTest {

    @Test
    void theSeedsConfigurationParses() {
        Nat44Settings s = Nat44Settings.parse(Map.of("addresses", "192.168.16.1", "inside", "tap2, tap3",
                "output-feature", "GigabitEthernet0/8/0", "timeout.udp", "120",
                "static-mappings", "identity udp 192.168.16.1:4789, static tcp 10.1.1.7:8080 192.168.16.1:80 out2in-only",
                "session-file", "/tmp/x/sessions.bin"));
        assertEquals(ip("192.168.16.1"), s.addresses()[0]);
        assertEquals(2, s.inside().size());
        assertEquals(120, s.timeouts().udpSeconds());
        assertEquals(7440, s.timeouts().tcpEstablishedSeconds());
        StaticMapping identity = s.staticMappings().get(0);
        assertTrue(identity.identity());
        assertEquals(4789, identity.externalPort());
        StaticMapping dnat = s.staticMappings().get(1);
        assertTrue(dnat.out2inOnly());
        assertEquals(ip("10.1.1.7"), dnat.localAddress());
        assertEquals(80, dnat.externalPort());
    }

    @Test
    void everyBadKeyIsNamedAndTheWholeConfigurationRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nat44Settings.parse(Map.of(
                "addresses", "192.168.16.300", "timeout.icmp", "0", "max-sessions", "many",
                "static-mappings", "static tcp 10.1.1.7 192.168.16.1:80")));
        String message = e.getMessage();
        assertTrue(message.startsWith("configuration io.sluice.nat44 refused"), message);
        for (String key : new String[] {"addresses", "timeout.icmp", "max-sessions", "needs address:port"}) {
            assertTrue(message.contains(key), key + " missing in: " + message);
        }
        IllegalArgumentException pool = assertThrows(IllegalArgumentException.class, () -> Nat44Settings.parse(Map.of(
                "addresses", "192.168.16.1", "static-mappings", "static any 10.1.1.8 192.168.16.1")));
        assertTrue(pool.getMessage().contains("may not use pool address 192.168.16.1"), pool.getMessage());
    }

    @Test
    void filteringIsAddressAndPortDependentUnlessToldOtherwise() {
        assertEquals(false, Nat44Settings.parse(Map.of()).endpointIndependentFiltering());
        assertEquals(false, Nat44Settings.parse(Map.of("filtering", "address-and-port-dependent"))
                .endpointIndependentFiltering());
        assertEquals(true, Nat44Settings.parse(Map.of("filtering", " Endpoint-Independent "))
                .endpointIndependentFiltering());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Nat44ConfigCheckImpl().check(Map.of("filtering", "open")));
        assertEquals("configuration io.sluice.nat44 refused: filtering: 'open' is neither address-and-port-dependent"
                + " (the default) nor endpoint-independent", e.getMessage());
    }
}
