package io.sluice.shell.nat44;

import io.sluice.nat44.api.AddressInfo;
import io.sluice.nat44.api.InterfaceRole;
import io.sluice.nat44.api.Nat44;
import io.sluice.nat44.api.SessionInfo;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.nat44.api.Timeouts;
import io.sluice.nat44.api.UserInfo;
import io.sluice.nat44.internal.Nat44ConfigCheckImpl;
import io.sluice.packet.api.PacketFormat;
import io.sluice.shell.config.FakeConfigAdmin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nat44 commands change one key of etc/io.sluice.nat44.cfg at a time, checked by NAT44's own parser. */
class Nat44ConfigCommandsTest {
    @TempDir
    Path etc;

    private final FakeConfigAdmin configAdmin = new FakeConfigAdmin();
    private final Applied nat44 = new Applied();

    @BeforeEach
    void seed() throws Exception {
        System.setProperty("karaf.etc", etc.toString());
        Path file = Files.writeString(etc.resolve("io.sluice.nat44.cfg"), "addresses = 192.168.16.1\n");
        configAdmin.getConfiguration("io.sluice.nat44", "?").update(new Hashtable<>(Map.of(
                "addresses", "192.168.16.1", "inside", "tap2, tap3", "output-feature", "GigabitEthernet0/8/0",
                "felix.fileinstall.filename", file.toUri().toString())));
        configAdmin.deliverTo((pid, properties) -> nat44.apply(properties));
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("karaf.etc");
    }

    private Nat44StaticMapping mapping(String protocol, String local, String external) {
        Nat44StaticMapping mapping = new Nat44StaticMapping();
        mapping.nat44 = nat44;
        mapping.check = new Nat44ConfigCheckImpl();
        mapping.configAdmin = configAdmin;
        mapping.protocol = protocol;
        mapping.local = local;
        mapping.external = external;
        return mapping;
    }

    @Test
    void aStaticMappingIsAddedToTheOthersAndRemoved() throws Exception {
        Nat44StaticMapping mapping = mapping("tcp", "10.1.1.3:8080", "192.168.16.1:80");
        mapping.out2inOnly = true;
        mapping.execute();
        Map<String, Object> stored = configAdmin.properties("io.sluice.nat44");
        assertEquals("static tcp 10.1.1.3:8080 192.168.16.1:80 out2in-only", stored.get("static-mappings"));
        assertEquals("tap2, tap3", stored.get("inside"));
        assertEquals(1, nat44.staticMappings().size());

        mapping.delete = true;
        mapping.execute();
        assertNull(configAdmin.properties("io.sluice.nat44").get("static-mappings"));
        assertThrows(IllegalArgumentException.class, mapping::execute);
    }

    @Test
    void aMappingTheFileWouldRefuseIsRefusedWithItsMessageAndNothingChanges() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                mapping("tcp", "10.1.1.3", "192.168.16.1:80")::execute);
        assertTrue(refused.getMessage().startsWith("configuration io.sluice.nat44 refused: static-mappings: 'static tcp"
                + " 10.1.1.3 192.168.16.1:80'"), refused.getMessage());
        assertNull(configAdmin.properties("io.sluice.nat44").get("static-mappings"));
    }

    @Test
    void addressesAndInterfaceRolesAreAddedAndRemoved() throws Exception {
        Nat44AddAddress address = new Nat44AddAddress();
        address.nat44 = nat44;
        address.check = new Nat44ConfigCheckImpl();
        address.configAdmin = configAdmin;
        address.address = "192.168.16.2";
        address.execute();
        assertEquals("192.168.16.1, 192.168.16.2", configAdmin.properties("io.sluice.nat44").get("addresses"));
        address.address = "192.168.16.300";
        assertTrue(assertThrows(IllegalArgumentException.class, address::execute).getMessage()
                .startsWith("configuration io.sluice.nat44 refused: "));

        Nat44Interface role = new Nat44Interface();
        role.nat44 = nat44;
        role.check = new Nat44ConfigCheckImpl();
        role.configAdmin = configAdmin;
        role.interfaceName = "tap3";
        role.inside = true;
        role.delete = true;
        role.execute();
        assertEquals("tap2", configAdmin.properties("io.sluice.nat44").get("inside"));
        role.inside = false;
        assertThrows(IllegalArgumentException.class, role::execute);
    }

    /** What NAT44 shows once a configuration is applied: the pool, the inside roles and the mappings by their text. */
    private static final class Applied implements Nat44 {
        private List<AddressInfo> addresses = List.of();
        private List<InterfaceRole> roles = List.of();
        private List<StaticMapping> mappings = List.of();

        void apply(Map<String, Object> properties) {
            List<AddressInfo> pool = new ArrayList<>();
            for (String a : split(properties.get("addresses"))) {
                pool.add(new AddressInfo(PacketFormat.parseIp4(a), 0, 0, 0));
            }
            List<InterfaceRole> interfaces = new ArrayList<>();
            for (String name : split(properties.get("inside"))) {
                interfaces.add(new InterfaceRole(name, -1, true, false, false));
            }
            List<StaticMapping> mapped = new ArrayList<>();
            for (String entry : split(properties.get("static-mappings"))) {
                mapped.add(new StaticMapping(entry, 6, 0, 0, 0, 0, false, false));
            }
            addresses = pool;
            roles = interfaces;
            mappings = mapped;
        }

        private static List<String> split(Object value) {
            List<String> parts = new ArrayList<>();
            if (value != null) {
                for (String part : value.toString().split(",")) {
                    if (!part.isBlank()) {
                        parts.add(part.trim());
                    }
                }
            }
            return parts;
        }

        public List<SessionInfo> sessions(int insideAddress, int limit) {
            return List.of();
        }

        public List<UserInfo> users() {
            return List.of();
        }

        public List<InterfaceRole> interfaces() {
            return roles;
        }

        public List<AddressInfo> addresses() {
            return addresses;
        }

        public List<StaticMapping> staticMappings() {
            return mappings;
        }

        public int clearSessions() {
            return 0;
        }

        public int clearSessions(int insideAddress) {
            return 0;
        }

        public Timeouts timeouts() {
            return Timeouts.DEFAULTS;
        }

        public long sessionCount() {
            return 0;
        }

        public long sessionCount(int protocol) {
            return 0;
        }

        public long sessionCapacity() {
            return 0;
        }
    }
}
