package io.sluice.driver.afxdp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.driver.afxdp.api.AfXdpConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XskPortConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", "io.sluice.driver.afxdp~gbe");
        properties.put("host.ifname", "veth0");
        return properties;
    }

    @Test
    void defaultsNameThePortAfterTheNetdevAndBindQueueZeroInAutoMode() {
        XskPortConfig config = XskPortConfig.from(minimal());
        assertEquals("xdp-veth0", config.host().name());
        assertEquals(-1, config.host().macOverride());
        assertEquals(AfXdpConfig.defaults(), config.socket());
        assertEquals(1792, config.socket().maxFrameLength());
    }

    @Test
    void everyKeyIsRead() {
        Map<String, Object> properties = minimal();
        properties.put("name", "GigabitEthernet0/8/0");
        properties.put("namespace", "box");
        properties.put("mac", "08:00:27:44:9f:d8");
        properties.put("queue.id", "1");
        properties.put("rx.ring.size", "512");
        properties.put("tx.ring.size", "1024");
        properties.put("frame.size", "4096");
        properties.put("mode", "copy");
        XskPortConfig config = XskPortConfig.from(properties);
        assertEquals("GigabitEthernet0/8/0", config.host().name());
        assertEquals("box", config.host().namespace());
        assertEquals(new AfXdpConfig(1, 512, 1024, 4096, AfXdpConfig.BindMode.COPY), config.socket());
    }

    @Test
    void refusalsNameTheKeyAndTheReason() {
        assertRefused("rx.ring.size", "1000", "power of two");
        assertRefused("frame.size", "3000", "neither 2048 nor 4096");
        assertRefused("mode", "fast", "none of auto, copy, zero-copy");
        assertRefused("host.ifname", "a-name-far-too-long", "not a Linux interface name");
    }

    private static void assertRefused(String key, String value, String reason) {
        Map<String, Object> properties = minimal();
        properties.put(key, value);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> XskPortConfig.from(properties));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(reason), e.getMessage());
    }
}
