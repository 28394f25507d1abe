package io.sluice.acl.internal;

import io.sluice.acl.api.AclConfigCheck;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The console's check is the configuration components' own parser: same acceptance, same message. */
class AclConfigCheckImplTest {
    private final AclConfigCheck check = new AclConfigCheckImpl();

    @Test
    void aRuleWithHostBitsIsRefusedWithTheFileParsersMessage() {
        Map<String, Object> acl = Map.of("index", "7", "rule.0", "permit src 10.1.1.3/24",
                ConfigSource.FILE_KEY, "file:/opt/sluice/etc/io.sluice.acl-console.cfg");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> check.check(AclConfigCheck.ACL_PID, acl));
        IllegalArgumentException parsed = assertThrows(IllegalArgumentException.class,
                () -> AclConfiguration.parse(acl));
        assertEquals(parsed.getMessage(), refused.getMessage());
        assertEquals("etc/io.sluice.acl-console.cfg: key 'rule.0' = 'permit src 10.1.1.3/24': src 10.1.1.3/24 has"
                + " host bits set; the network is 10.1.1.0/24", refused.getMessage());
    }

    @Test
    void aBindingWithoutListsIsRefusedAndAGoodOneAccepted() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> check.check(AclConfigCheck.INTERFACE_PID, Map.of("interface", "tap2",
                        "service.pid", "io.sluice.acl.interface~tap2")));
        assertEquals("PID io.sluice.acl.interface~tap2: keys 'input' and 'output' are both missing or empty: an"
                + " interface binding needs at least one ACL list", refused.getMessage());
        check.check(AclConfigCheck.INTERFACE_PID, Map.of("interface", "tap2", "input", "pod-reflect"));
        check.check(AclConfigCheck.ACL_PID, Map.of("name", "console", "rule.0", "deny proto tcp dport 23",
                "rule.1", "permit"));
    }

    @Test
    void anUnknownPidIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> check.check("io.sluice.acls", Map.of()));
    }
}
