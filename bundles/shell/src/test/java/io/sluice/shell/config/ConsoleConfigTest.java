package io.sluice.shell.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleConfigTest {
    @TempDir
    Path etc;

    private final FakeConfigAdmin admin = new FakeConfigAdmin();

    @Test
    void aNewConfigurationIsWrittenToItsFileThenToConfigAdminNamingThatFile() throws Exception {
        ConsoleConfig config = new ConsoleConfig(admin, etc);
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("prefix", "10.2.0.0/16");
        route.put("via", "192.168.16.100");
        config.write("io.sluice.ip4.route", "10.2.0.0-16", route);

        Path file = etc.toRealPath().resolve("io.sluice.ip4.route-10.2.0.0-16.cfg");
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.contains("prefix = 10.2.0.0/16"), lines.toString());
        assertTrue(lines.contains("via = 192.168.16.100"), lines.toString());
        Map<String, Object> stored = admin.properties("io.sluice.ip4.route~10.2.0.0-16");
        assertEquals("10.2.0.0/16", stored.get("prefix"));
        assertEquals(file.toFile().toURI().toString(), stored.get(ConsoleConfig.FILE_KEY));
        assertFalse(Files.exists(etc.resolve("io.sluice.ip4.route-10.2.0.0-16.cfg.tmp")));

        ConsoleConfig.Stored found = config.named("io.sluice.ip4.route", "10.2.0.0-16");
        config.delete(found);
        assertNull(admin.properties("io.sluice.ip4.route~10.2.0.0-16"));
        assertFalse(Files.exists(file));
    }

    @Test
    void aConfigurationFromAFileIsUpdatedThroughConfigAdminOnlyAndKeepsItsName() throws Exception {
        Path file = Files.writeString(etc.resolve("io.sluice.acl-global.cfg"), "# the seed's\nindex = 2\nrule.0 = permit\n");
        admin.load("io.sluice.acl", "global", file.toUri().toString(), Map.of("index", "2", "rule.0", "permit"));
        ConsoleConfig config = new ConsoleConfig(admin, etc);
        ConsoleConfig.Stored global = config.named("io.sluice.acl", "global");
        assertEquals("2", global.value("index"));

        config.write("io.sluice.acl", "global", Map.of("index", "2", "rule.0", "deny", "rule.1", "permit"));
        assertEquals("deny", admin.properties("io.sluice.acl~global").get("rule.0"));
        // File Install writes an update of a file's configuration back into that file, comments kept; not the console.
        assertEquals("# the seed's\nindex = 2\nrule.0 = permit\n", Files.readString(file));
        assertEquals(List.of("io.sluice.acl~global"), admin.pids());
    }

    @Test
    void namesAreWhatAFileNameMayHold() {
        assertEquals("GigabitEthernet0-8-0", ConsoleConfig.nameOf("GigabitEthernet0/8/0"));
        assertEquals("0.0.0.0-0", ConsoleConfig.nameOf("0.0.0.0/0"));
    }
}
