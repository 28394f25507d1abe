package io.sluice.ip4.config;

import io.sluice.ip4.api.Ip4ConfigCheck;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The console's check is the components' own parser: same acceptance, same message. */
class Ip4ConfigCheckImplTest {
    private static final String FILE = "file:/opt/sluice/etc/io.sluice.ip4.route-default.cfg";
    private final Ip4ConfigCheck check = new Ip4ConfigCheckImpl();

    @Test
    void aRouteWithHostBitsIsRefusedWithTheFileParsersMessage() {
        Map<String, Object> route = Map.of("prefix", "10.1.1.1/24", "interface", "tap2",
                "felix.fileinstall.filename", FILE);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> check.check(Ip4ConfigCheck.ROUTE_PID, route));
        assertEquals(FILE + ": key 'prefix': '10.1.1.1/24' has host bits set (did you mean 10.1.1.0/24?)",
                refused.getMessage());
        IllegalArgumentException parsed = assertThrows(IllegalArgumentException.class,
                () -> RouteConfig.read(new ConfigValues(RouteConfig.PID, route)));
        assertEquals(parsed.getMessage(), refused.getMessage());
    }

    @Test
    void anInterfaceMtuAboveABufferIsRefusedNamingThePidWhenThereIsNoFile() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> check.check(Ip4ConfigCheck.INTERFACE_PID,
                        Map.of("name", "tap2", "mtu", "9000", "service.pid", "io.sluice.interface~tap2")));
        assertEquals("io.sluice.interface~tap2: key 'mtu': '9000' is larger than a packet buffer can carry: a frame of"
                + " MTU + 18 bytes (Ethernet header and a VLAN tag) must fit the 2048 data bytes of one buffer"
                + " (BufferPool.DATA_SIZE); at most 2030", refused.getMessage());
    }

    @Test
    void aNeighbourWithAGroupMacIsRefusedAndAGoodOneAccepted() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> check.check(Ip4ConfigCheck.NEIGHBOUR_PID,
                        Map.of("interface", "tap2", "address", "10.1.1.3", "mac", "01:00:5e:00:00:01")));
        assertEquals("io.sluice.ip4.neighbour: key 'mac': '01:00:5e:00:00:01' is a group (multicast or broadcast)"
                + " address", refused.getMessage());
        check.check(Ip4ConfigCheck.NEIGHBOUR_PID, Map.of("interface", "tap2", "address", "10.1.1.3",
                "mac", "00:00:00:00:00:02"));
        check.check(Ip4ConfigCheck.INTERFACE_PID, Map.of("name", "GigabitEthernet0/8/0",
                "address", "192.168.16.1/24, 10.9.0.1/16", "admin", "down", "mtu", "1400"));
    }

    @Test
    void anUnknownPidIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> check.check("io.sluice.ip4.routes", Map.of()));
    }
}
