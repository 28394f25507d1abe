package io.sluice.driver.tap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.packet.api.PacketFormat;
import io.sluice.packet.api.PortBlocks;
import io.sluice.vnet.testkit.PortConfigRefusals;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TapPortConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", "io.sluice.driver.tap~pod1");
        properties.put("name", "tap2");
        return properties;
    }

    private static final PortConfigRefusals REFUSALS =
            new PortConfigRefusals(TapPortConfig::from, TapPortConfigTest::minimal);

    @Test
    void theSeedsPodPortIsAccepted() {
        Map<String, Object> properties = TapGraphTest.podConfig();
        TapPortConfig config = TapPortConfig.from(properties);
        assertEquals("tap2", config.name());
        assertEquals(TapGraphTest.TAP_NAME, config.tapName());
        assertEquals(PacketFormat.parseMac("02:fe:16:3f:5f:0f"), config.mac());
        assertEquals(1500, config.mtu());
        assertEquals(List.of("10.1.1.3/32"), config.pod().addresses());
        assertEquals(List.of("10.1.1.1/32", "default via 10.1.1.1"), config.pod().routes());
        assertEquals(1500, config.pod().mtu());
    }

    @Test
    void defaultsWithoutAPod() {
        TapPortConfig config = TapPortConfig.from(minimal());
        assertNull(config.pod());
        assertEquals("tap2", config.tapName());
        assertEquals(0x02fe_0000_0000L, config.mac() & 0xffff_0000_0000L);
        assertEquals(true, config.adminUp());
        assertEquals(false, config.checksumOffload());
    }

    @Test
    void aPodsPortIsPlacedOnTheWorkerOwningThePodsNatFlowsAndAPortWithoutAPodIsLeftToTheDefault() {
        Map<String, Object> pod = minimal();
        pod.put("pod.namespace", "pod1");
        pod.put("pod.addresses", "10.1.1.2/24, 10.1.1.9/24");
        TapPortConfig config = TapPortConfig.from(pod);
        for (int workers = 2; workers <= 4; workers++) {
            assertArrayEquals(new int[] {PortBlocks.insideOwner(0x0a01_0102, workers)}, config.rxPlacement(workers),
                    "the owner of its first address among " + workers + " workers");
        }
        assertNull(config.rxPlacement(1), "one worker: nothing to choose");
        assertNull(TapPortConfig.from(minimal()).rxPlacement(2), "no pod address: the default placement");
    }

    @Test
    void badValuesAreRefusedNamingPidKeyAndReason() {
        Map<String, Object> noName = minimal();
        noName.remove("name");
        assertEquals("io.sluice.driver.tap~pod1: key 'name': missing (required)", REFUSALS.of(noName));

        assertEquals("io.sluice.driver.tap~pod1: key 'mac': '02:fe:16:3f:5f' is not a MAC address (six hex octets"
                + " separated by ':')", REFUSALS.with("mac", "02:fe:16:3f:5f"));

        assertEquals("io.sluice.driver.tap~pod1: key 'mac': '01:00:5e:00:00:01' is a group address (I/G bit set):"
                + " a port needs a unicast MAC", REFUSALS.with("mac", "01:00:5e:00:00:01"));

        assertEquals("io.sluice.driver.tap~pod1: key 'mtu': 20000 is larger than a packet buffer can carry: a frame of"
                + " MTU + 18 bytes (Ethernet header and a VLAN tag) must fit the 2048 data bytes of one buffer"
                + " (BufferPool.DATA_SIZE); at most 2030", REFUSALS.with("mtu", "20000"));
        Map<String, Object> badMtu = minimal();
        badMtu.put("mtu", "2030");
        assertEquals(2030, TapPortConfig.from(badMtu).mtu(), "the largest MTU a buffer carries is taken");
        badMtu.put("mtu", "1500");
        badMtu.put("pod.namespace", "pod1");
        badMtu.put("pod.mtu", "9000");
        assertTrue(REFUSALS.of(badMtu).startsWith("io.sluice.driver.tap~pod1: key 'pod.mtu': 9000 is larger than a"
                + " packet buffer can carry"), REFUSALS.of(badMtu));
        badMtu.put("pod.mtu", "60");
        assertEquals("io.sluice.driver.tap~pod1: key 'pod.mtu': 60 is outside 68..2030", REFUSALS.of(badMtu));

        Map<String, Object> longName = minimal();
        longName.put("name", "tap-with-a-long-name");
        assertEquals(true,
                REFUSALS.of(longName).startsWith("io.sluice.driver.tap~pod1: key 'name': 'tap-with-a-long-name'"
                + " is not a Linux interface name"));

        Map<String, Object> badAddress = minimal();
        badAddress.put("pod.namespace", "pod1");
        badAddress.put("pod.addresses", "10.1.1.300/32");
        assertEquals("io.sluice.driver.tap~pod1: key 'pod.addresses': '10.1.1.300/32' is not a.b.c.d/len",
                REFUSALS.of(badAddress));

        Map<String, Object> podWithoutNamespace = minimal();
        podWithoutNamespace.put("pod.addresses", "10.1.1.3/32");
        assertEquals(true, REFUSALS.of(podWithoutNamespace).startsWith(
                "io.sluice.driver.tap~pod1: key 'pod.addresses': set without pod.namespace"));

        assertEquals("io.sluice.driver.tap~pod1: key 'checksum.offload': 'yes' is neither true nor false",
                REFUSALS.with("checksum.offload", "yes"));
    }
}
