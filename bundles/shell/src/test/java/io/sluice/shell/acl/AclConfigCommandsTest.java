package io.sluice.shell.acl;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclService;
import io.sluice.acl.internal.AclConfigCheckImpl;
import io.sluice.acl.internal.AclConfiguration;
import io.sluice.acl.internal.AclInterfaceConfiguration;
import io.sluice.shell.config.FakeConfigAdmin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** acl:rule and acl:interface write the ACL's and the binding's configurations, renumbering rules as the file needs. */
class AclConfigCommandsTest {
    @TempDir
    Path etc;

    private final FakeConfigAdmin configAdmin = new FakeConfigAdmin();
    private final Definitions acls = new Definitions();

    @AfterEach
    void tearDown() {
        System.clearProperty("karaf.etc");
    }

    private AclRuleCommand rule(String action, String acl, String... words) {
        System.setProperty("karaf.etc", etc.toString());
        configAdmin.deliverTo((pid, properties) -> {
            if (properties != null && pid.equals("io.sluice.acl")) {
                new AclConfiguration(acls, properties);
            } else if (properties != null) {
                new AclInterfaceConfiguration(acls, properties);
            } else if (pid.equals("io.sluice.acl.interface")) {
                acls.bound.clear();
            }
        });
        AclRuleCommand command = new AclRuleCommand();
        command.acls = acls;
        command.check = new AclConfigCheckImpl();
        command.configAdmin = configAdmin;
        command.action = action;
        command.acl = acl;
        command.words = List.of(words);
        return command;
    }

    @Test
    void rulesAreAddedInsertedAndDeletedNumberedFromZero() throws Exception {
        AclRuleCommand first = rule("add", "console", "permit");
        first.index = 9;
        first.execute();
        Path file = etc.toRealPath().resolve("io.sluice.acl-console.cfg");
        assertTrue(Files.readAllLines(file).contains("rule.0 = permit"));
        assertEquals("9", configAdmin.properties("io.sluice.acl~console").get("index"));
        assertEquals(9, acls.named("console").index());

        AclRuleCommand insert = rule("add", "9", "deny", "proto", "tcp", "dport", "23");
        insert.at = 0;
        insert.execute();
        Map<String, Object> stored = configAdmin.properties("io.sluice.acl~console");
        assertEquals("deny proto tcp dport 23", stored.get("rule.0"));
        assertEquals("permit", stored.get("rule.1"));
        assertEquals(2, acls.named("console").rules().size());

        rule("del", "console", "1").execute();
        stored = configAdmin.properties("io.sluice.acl~console");
        assertEquals("deny proto tcp dport 23", stored.get("rule.0"));
        assertEquals(null, stored.get("rule.1"));
        assertEquals("9", stored.get("index"));
    }

    @Test
    void aRuleTheFileWouldRefuseIsRefusedWithItsMessageAndTheAclStaysAsItWas() throws Exception {
        rule("add", "console", "permit").execute();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> rule("add", "console", "permit", "src", "10.1.1.3/24").execute());
        assertEquals("etc/io.sluice.acl-console.cfg: key 'rule.1' = 'permit src 10.1.1.3/24': src 10.1.1.3/24 has"
                + " host bits set; the network is 10.1.1.0/24", refused.getMessage());
        assertEquals(null, configAdmin.properties("io.sluice.acl~console").get("rule.1"));
        assertThrows(IllegalArgumentException.class, () -> rule("del", "console", "4").execute());
    }

    @Test
    void aBindingTakesIndexesOrNamesAndKeepsTheOtherDirection() throws Exception {
        rule("add", "console", "permit").execute();
        AclInterfaceCommand bind = new AclInterfaceCommand();
        bind.acls = acls;
        bind.check = new AclConfigCheckImpl();
        bind.configAdmin = configAdmin;
        bind.action = "set";
        bind.interfaceName = "GigabitEthernet0/8/0";
        bind.input = String.valueOf(acls.named("console").index());
        bind.execute();
        assertEquals("console", configAdmin.properties("io.sluice.acl.interface~GigabitEthernet0-8-0").get("input"));
        bind.input = null;
        bind.output = "global";
        bind.execute();
        Map<String, Object> stored = configAdmin.properties("io.sluice.acl.interface~GigabitEthernet0-8-0");
        assertEquals("console", stored.get("input"));
        assertEquals("global", stored.get("output"));
        assertEquals(List.of("console"), acls.bindings().get(0).input());
        bind.action = "del";
        bind.execute();
        assertEquals(List.of("io.sluice.acl~console"), configAdmin.pids());
    }

    /** The ACL service's definitions; bindings are the configuration's business here. */
    private static final class Definitions implements AclService {
        private final List<Acl> defined = new ArrayList<>();
        private final List<InterfaceBinding> bound = new ArrayList<>();

        Acl named(String name) {
            return defined.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
        }

        @Override
        public int define(Acl acl) {
            defined.removeIf(a -> a.name().equals(acl.name()));
            Acl indexed = acl.index() >= 0 ? acl : acl.withIndex(defined.size());
            defined.add(indexed);
            return indexed.index();
        }

        @Override
        public boolean remove(String name) {
            return defined.removeIf(a -> a.name().equals(name));
        }

        @Override
        public List<Acl> acls() {
            return List.copyOf(defined);
        }

        @Override
        public void bind(String interfaceName, List<String> input, List<String> output) {
            unbind(interfaceName);
            bound.add(new InterfaceBinding(interfaceName, -1, input, List.of(), output, List.of()));
        }

        @Override
        public boolean unbind(String interfaceName) {
            return bound.removeIf(b -> b.interfaceName().equals(interfaceName));
        }

        @Override
        public List<InterfaceBinding> bindings() {
            return List.copyOf(bound);
        }
    }
}
