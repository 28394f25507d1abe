package io.sluice.nat44.internal;

import io.sluice.nat44.api.Nat44ConfigCheck;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The console's check is the runtime's own parser: same acceptance, same message. */
class Nat44ConfigCheckImplTest {
    private final Nat44ConfigCheck check = new Nat44ConfigCheckImpl();

    @Test
    void aBadMappingIsRefusedWithTheParsersMessageAndAGoodConfigurationAccepted() {
        Map<String, Object> bad = Map.of("addresses", "192.168.16.1",
                "static-mappings", "static tcp 10.1.1.7 192.168.16.1:80");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> check.check(bad));
        assertEquals(assertThrows(IllegalArgumentException.class, () -> Nat44Settings.parse(bad)).getMessage(),
                refused.getMessage());
        check.check(Map.of("addresses", "192.168.16.1", "inside", "tap2, tap3",
                "output-feature", "GigabitEthernet0/8/0",
                "static-mappings", "static tcp 10.1.1.7:8080 192.168.16.1:80 out2in-only"));
    }
}
