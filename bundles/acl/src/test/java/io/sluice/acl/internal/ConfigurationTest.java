package io.sluice.acl.internal;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclAction;
import io.sluice.acl.api.AclRule;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Rule syntax and the two factory configurations: what they accept and how they say what is wrong. */
class ConfigurationTest {
    private static final String FILE = "file:/opt/sluice/etc/io.sluice.acl-pod-reflect.cfg";

    private static Map<String, Object> config(String... keysAndValues) {
        Map<String, Object> map = new HashMap<>();
        map.put(ConfigSource.FILE_KEY, FILE);
        map.put("service.pid", "io.sluice.acl~pod-reflect");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void ruleTextRoundTripsInShowAclShape() {
        AclRule rule = AclRule.parse("permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0 proto 6 sport 0-65535 dport 80-80");
        assertEquals("ipv4 permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0 proto 6 sport 0-65535 dport 80-80", rule.toString());
        assertEquals(rule, AclRule.parse(rule.toString()));
        AclRule icmp = AclRule.parse("deny proto icmp icmp-type 8 src 10.1.0.0/16");
        assertEquals("ipv4 deny src 10.1.0.0/16 dst 0.0.0.0/0 proto 1 sport 8-8 dport 0-255", icmp.toString());
        assertEquals(icmp, AclRule.parse(icmp.toString()));
        AclRule syn = AclRule.parse("deny proto tcp tcpflags 0x02 mask 0x12");
        assertEquals(syn, AclRule.parse(syn.toString()));
        assertEquals(AclAction.PERMIT, AclRule.parse("permit").action());
    }

    @Test
    void badRulesSayWhy() {
        assertEquals("src 10.1.1.3/24 has host bits set; the network is 10.1.1.0/24",
                assertThrows(IllegalArgumentException.class, () -> AclRule.parse("permit src 10.1.1.3/24")).getMessage());
        assertEquals("'allow' is not an action: expected deny, permit or permit+reflect",
                assertThrows(IllegalArgumentException.class, () -> AclRule.parse("allow")).getMessage());
        assertEquals("dport 90-80 is not a range within 0-65535",
                assertThrows(IllegalArgumentException.class, () -> AclRule.parse("deny proto 6 dport 90-80")).getMessage());
        assertEquals("tcpflags need proto tcp (6)",
                assertThrows(IllegalArgumentException.class, () -> AclRule.parse("deny tcpflags 2 mask 2")).getMessage());
        assertEquals("icmp-type and icmp-code need proto icmp",
                assertThrows(IllegalArgumentException.class, () -> AclRule.parse("deny icmp-type 8")).getMessage());
        assertEquals("'src' given twice",
                assertThrows(IllegalArgumentException.class, () -> AclRule.parse("deny src 1.0.0.0/8 src 2.0.0.0/8")).getMessage());
    }

    @Test
    void anAclFileGivesNameIndexAndRulesInOrder() {
        Acl acl = AclConfiguration.parse(config("index", "3",
                "rule.0", "permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0",
                "rule.1", "deny proto udp dport 53"));
        assertEquals("pod-reflect", acl.name());
        assertEquals(3, acl.index());
        assertEquals(2, acl.rules().size());
        assertEquals(17, acl.rules().get(1).protocol());
    }

    @Test
    void logDenyIsAnOptInPerAclAndABadValueNamesTheKey() {
        assertEquals(false, AclConfiguration.parse(config("rule.0", "deny")).logDenied());
        assertEquals(false, AclConfiguration.parse(config("log", "none", "rule.0", "deny")).logDenied());
        assertEquals(true, AclConfiguration.parse(config("log", "Deny ", "rule.0", "deny")).logDenied());
        assertEquals(true, AclConfiguration.parse(config("log", "deny", "rule.0", "deny")).withIndex(4).logDenied());
        assertEquals("etc/io.sluice.acl-pod-reflect.cfg: key 'log' = 'yes': expected deny (log the packets this ACL"
                        + " denies) or none",
                assertThrows(IllegalArgumentException.class, () -> AclConfiguration.parse(config(
                        "log", "yes", "rule.0", "deny"))).getMessage());
    }

    @Test
    void aclFileErrorsNameTheFileTheKeyAndWhy() {
        assertEquals("etc/io.sluice.acl-pod-reflect.cfg: key 'rule.1' = 'permit dst 10.0.0.0/33': dst prefix length 33 is not 0..32",
                assertThrows(IllegalArgumentException.class, () -> AclConfiguration.parse(config(
                        "rule.0", "permit", "rule.1", "permit dst 10.0.0.0/33"))).getMessage());
        assertEquals("etc/io.sluice.acl-pod-reflect.cfg: key 'rule.1' is missing: rules are numbered from 0 without gaps, as VPP shows them",
                assertThrows(IllegalArgumentException.class, () -> AclConfiguration.parse(config(
                        "rule.0", "permit", "rule.2", "deny"))).getMessage());
        assertEquals("etc/io.sluice.acl-pod-reflect.cfg: key 'rules.0' is not known: expected name, index, log or rule.N",
                assertThrows(IllegalArgumentException.class, () -> AclConfiguration.parse(config(
                        "rules.0", "permit"))).getMessage());
        assertEquals("etc/io.sluice.acl-pod-reflect.cfg: key 'index' = 'three': not an ACL index (a whole number, 0 to 8388606)",
                assertThrows(IllegalArgumentException.class, () -> AclConfiguration.parse(config(
                        "index", "three"))).getMessage());
    }

    @Test
    void interfaceBindingsAreListsOfNames() {
        Map<String, Object> binding = new HashMap<>();
        binding.put(ConfigSource.FILE_KEY, "file:/etc/io.sluice.acl.interface-tap2.cfg");
        binding.put("interface", "tap2");
        binding.put("input", "pod-reflect");
        binding.put("output", "pod-ingress, extra");
        AclInterfaceConfiguration.Lists lists = AclInterfaceConfiguration.parse(binding);
        assertEquals("tap2", lists.interfaceName());
        assertEquals(List.of("pod-reflect"), lists.input());
        assertEquals(List.of("pod-ingress", "extra"), lists.output());

        binding.put("output", "a,,b");
        assertEquals("etc/io.sluice.acl.interface-tap2.cfg: key 'output' = 'a,,b': an empty ACL name between commas",
                assertThrows(IllegalArgumentException.class, () -> AclInterfaceConfiguration.parse(binding)).getMessage());
        binding.remove("interface");
        assertEquals("etc/io.sluice.acl.interface-tap2.cfg: key 'interface' is missing: the interface's name, e.g. tap2",
                assertThrows(IllegalArgumentException.class, () -> AclInterfaceConfiguration.parse(binding)).getMessage());
    }

    @Test
    void aBadFileLeavesTheAclInForce() {
        try (AclFixture box = new AclFixture()) {
            AclConfiguration component = new AclConfiguration(box.manager, config("index", "3", "rule.0", "permit"));
            assertEquals(1, box.manager.acls().size());
            component.modified(config("index", "3", "rule.0", "permit src 10.1.1.1/8"));
            assertEquals(List.of(AclRule.parse("permit")), box.manager.acls().get(0).rules());
            component.deactivate(6 /* DS: bundle stopped */);
            assertEquals(1, box.manager.acls().size(), "an update of the bundle leaves the ACL in force");
            component.deactivate(DeactivationReason.CONFIGURATION_DELETED);
            assertEquals(0, box.manager.acls().size(), "deleting the file withdraws it");
        }
    }

    @Test
    void bindingsFollowInterfacesByNameAndIndicesAreKept() {
        try (AclFixture box = new AclFixture()) {
            box.manager.bind("tap99", List.of("later"), List.of());
            assertEquals(-1, box.manager.bindings().get(0).swIfIndex());
            assertEquals(List.of(-1), box.manager.bindings().get(0).inputIndices());
            assertEquals(0, box.manager.define(new Acl("later", -1, List.of(AclRule.parse("deny")))));
            assertEquals(List.of(0), box.manager.bindings().get(0).inputIndices());
            assertThrows(IllegalArgumentException.class,
                    () -> box.manager.define(new Acl("other", 0, List.of(AclRule.parse("deny")))));
            assertEquals(1, box.manager.define(new Acl("other", -1, List.of())));
        }
    }
}
