package io.sluice.driver.afpacket.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.packet.api.PortBlocks;
import io.sluice.vnet.testkit.PortConfigRefusals;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostPortConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", "io.sluice.driver.afpacket~gbe");
        properties.put("host.ifname", "enp0s8");
        return properties;
    }

    private static final PortConfigRefusals REFUSALS =
            new PortConfigRefusals(HostPortConfig::from, HostPortConfigTest::minimal);

    @Test
    void defaultsNameThePortAfterTheNetdev() {
        HostPortConfig config = HostPortConfig.from(minimal());
        assertEquals("host-enp0s8", config.host().name());
        assertEquals(-1, config.host().macOverride());
        assertNull(config.host().namespace());
        assertEquals(AfPacketConfig.defaults(), config.rings());
    }

    @Test
    void theReceiveRingIsV2UnlessV3IsAskedFor() {
        assertEquals(AfPacketConfig.RxRing.V2, HostPortConfig.from(minimal()).rings().rxRing());
        Map<String, Object> v3 = minimal();
        v3.put("rx.ring", "V3");
        assertEquals(AfPacketConfig.RxRing.V3, HostPortConfig.from(v3).rings().rxRing());
    }

    @Test
    void theLabsGbePort() {
        HostPortConfig config = HostPortConfig.from(AfPacketGraphTest.gbeConfig());
        assertEquals("GigabitEthernet0/8/0", config.host().name());
        assertEquals(0x080027449fd8L, config.host().macOverride());
        assertEquals("slnodbox", config.host().namespace());
    }

    @Test
    void badValuesAreRefusedNamingPidKeyAndReason() {
        Map<String, Object> none = minimal();
        none.remove("host.ifname");
        assertEquals("io.sluice.driver.afpacket~gbe: key 'host.ifname': missing (required)", REFUSALS.of(none));

        assertEquals("io.sluice.driver.afpacket~gbe: key 'mac': '08:00:27:44:9f' is not a MAC address (six hex"
                + " octets separated by ':')", REFUSALS.with("mac", "08:00:27:44:9f"));

        assertEquals("io.sluice.driver.afpacket~gbe: key 'rx.block.size': 5000 is not a multiple of the page size"
                + " (4096)", REFUSALS.with("rx.block.size", "5000"));

        assertEquals("io.sluice.driver.afpacket~gbe: key 'tx.mode': 'ring' is neither sendmmsg nor tx-ring",
                REFUSALS.with("tx.mode", "ring"));

        assertEquals("io.sluice.driver.afpacket~gbe: key 'rx.ring': 'v1' is neither v2 nor v3 (TPACKET_V2, TPACKET_V3)",
                REFUSALS.with("rx.ring", "v1"));

        assertEquals("io.sluice.driver.afpacket~gbe: key 'rx.block.timeout.ms': 0 is outside 1..1000",
                REFUSALS.with("rx.block.timeout.ms", "0"));

        assertEquals("io.sluice.driver.afpacket~gbe: key 'rx-fanout': 'cpu' is neither hash nor nat44-port-blocks",
                REFUSALS.with("rx-fanout", "cpu"));
        assertEquals("io.sluice.driver.afpacket~gbe: key 'rx-queues': 0 is outside 1..64", REFUSALS.with("rx-queues", "0"));
    }

    @Test
    void oneReceiveQueueUnlessMoreAreAskedForSharedByFlowHash() {
        assertEquals(AfPacketFanout.NONE, HostPortConfig.from(minimal(), 2).fanout());
        assertNull(HostPortConfig.from(minimal(), 2).rxPlacement(2), "the interface table's default placement");
        Map<String, Object> two = minimal();
        two.put("rx-queues", "2");
        assertEquals(new AfPacketFanout(2, null), HostPortConfig.from(two, 2).fanout());
        assertNull(HostPortConfig.from(two, 2).rxPlacement(2));
    }

    @Test
    void steeringByNatPortBlocksGivesAQueuePerWorkerPlacedOnItsWorker() {
        Map<String, Object> steered = minimal();
        steered.put("rx-fanout", "nat44-port-blocks");
        HostPortConfig config = HostPortConfig.from(steered, 2);
        assertEquals(new AfPacketFanout(2, new PortBlocks(2)), config.fanout());
        assertArrayEquals(new int[] {0, 1}, config.rxPlacement(2), "queue q on worker q, where its block's replies go");
        assertEquals(AfPacketFanout.NONE, HostPortConfig.from(steered, 1).fanout(), "one worker: nothing to steer");

        steered.put("rx-queues", "3");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> HostPortConfig.from(steered, 2));
        assertEquals("io.sluice.driver.afpacket~gbe: key 'rx-queues': 3 queues, but nat44-port-blocks steers to one"
                + " queue per worker (2)", refused.getMessage());
    }
}
