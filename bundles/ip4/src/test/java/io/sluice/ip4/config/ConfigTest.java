package io.sluice.ip4.config;

import io.sluice.ethernet.api.ArpProxy;
import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ethernet.internal.ArpProxyImpl;
import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.ip4.internal.fib.Adjacencies;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.internal.InterfaceTableImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {
    private final GraphHarness h = new GraphHarness();
    private final InterfaceTableImpl interfaces = new InterfaceTableImpl(h.engine());
    private final NeighbourTableImpl neighbours = new NeighbourTableImpl();
    private final ArpProxy proxy = new ArpProxyImpl();
    private final Ip4FibImpl fib = new Ip4FibImpl(interfaces, neighbours);

    @AfterEach
    void tearDown() {
        h.close();
    }

    private static Device device(String name) {
        return new Device() {
            public String name() {
                return name;
            }

            public long macAddress() {
                return 0x020000000001L;
            }

            public int mtu() {
                return 1500;
            }

            public boolean linkUp() {
                return true;
            }

            public int transmit(BufferPool pool, int[] buffers, int count) {
                pool.free(buffers, 0, count);
                return count;
            }
        };
    }

    private static Map<String, Object> props(String... keyValues) {
        Map<String, Object> map = new HashMap<>();
        map.put("felix.fileinstall.filename", "etc/test.cfg");
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for the configuration to apply");
            Thread.sleep(5);
        }
    }

    @Test
    void interfaceSettingsApplyWhenTheInterfaceAppears() throws Exception {
        InterfaceConfig config = new InterfaceConfig(interfaces, fib, proxy, h.engine(), props("name", "tap2",
                "address", "10.1.1.1/32, 172.16.0.1/24", "mtu", "1450", "mac", "02:fe:16:3f:5f:0f",
                "proxy-arp", "true"));
        assertEquals(null, config.applied(), "tap2 is not registered yet");
        int sw = interfaces.register(device("tap2"));
        await(() -> config.applied() != null);
        var snapshot = interfaces.snapshot();
        assertEquals(0x02fe163f5f0fL, snapshot.mac(sw));
        assertEquals(1450, snapshot.mtu(sw));
        assertTrue(snapshot.adminUp(sw));
        assertArrayEquals(new int[] {0x0a010101, 0xac100001}, snapshot.ip4Addresses(sw));
        assertTrue(proxy.enabled(sw));
        assertEquals(Adjacencies.LOCAL, fib.forwarding().adjacencies().kind(fib.forwarding().lookup(0, 0x0a010101)));
        assertEquals(Adjacencies.GLEAN, fib.forwarding().adjacencies().kind(fib.forwarding().lookup(0, 0xac100009)));

        assertFalse(config.configure(props("name", "tap2", "mtu", "70000")), "a bad MTU is refused");
        assertFalse(config.configure(props("name", "tap2", "mtu", "2031")), "an MTU one buffer cannot carry is refused");
        assertEquals(1450, interfaces.snapshot().mtu(sw), "and the last good state stays");

        assertTrue(config.configure(props("name", "tap2", "address", "172.16.0.1/24")));
        assertArrayEquals(new int[] {0xac100001}, interfaces.snapshot().ip4Addresses(sw));
        config.deactivate();
        assertArrayEquals(new int[0], interfaces.snapshot().ip4Addresses(sw));
        assertFalse(interfaces.snapshot().adminUp(sw));
    }

    @Test
    void refusalsNameTheFileTheKeyAndWhy() {
        InterfaceConfig config = new InterfaceConfig(interfaces, fib, proxy, h.engine(), props("name", "x"));
        assertEquals("etc/test.cfg: key 'address': '10.1.1.1/40' has a prefix length outside 0..32",
                assertThrows(IllegalArgumentException.class,
                        () -> config.parse(new ConfigValues("p", props("name", "x", "address", "10.1.1.1/40"))))
                        .getMessage());
        assertEquals("etc/test.cfg: key 'mac': 'ff:ff:ff:ff:ff:ff' is a group (multicast or broadcast) address",
                assertThrows(IllegalArgumentException.class,
                        () -> config.parse(new ConfigValues("p", props("name", "x", "mac", "ff:ff:ff:ff:ff:ff"))))
                        .getMessage());
        assertEquals("etc/test.cfg: key 'admin': 'sideways' is not one of up, down",
                assertThrows(IllegalArgumentException.class,
                        () -> config.parse(new ConfigValues("p", props("name", "x", "admin", "sideways")))).getMessage());
        assertEquals("etc/test.cfg: key 'mtu': '9000' is larger than a packet buffer can carry: a frame of MTU + 18"
                + " bytes (Ethernet header and a VLAN tag) must fit the 2048 data bytes of one buffer"
                + " (BufferPool.DATA_SIZE); at most 2030",
                assertThrows(IllegalArgumentException.class,
                        () -> config.parse(new ConfigValues("p", props("name", "x", "mtu", "9000")))).getMessage());
        assertEquals(2030, config.parse(new ConfigValues("p", props("name", "x", "mtu", "2030"))).mtu());
        assertEquals("etc/test.cfg: key 'mtu': '67' is outside 68..2030 (68: every IPv4 link carries that much, RFC 791)",
                assertThrows(IllegalArgumentException.class,
                        () -> config.parse(new ConfigValues("p", props("name", "x", "mtu", "67")))).getMessage());
        assertEquals("etc/test.cfg: key 'name': is required",
                assertThrows(IllegalArgumentException.class, () -> config.parse(new ConfigValues("p", props())))
                        .getMessage());
        RouteConfig route = new RouteConfig(interfaces, fib, props("prefix", "0.0.0.0/0", "type", "drop"));
        assertEquals("etc/test.cfg: key 'prefix': '10.1.1.1/24' has host bits set (did you mean 10.1.1.0/24?)",
                assertThrows(IllegalArgumentException.class,
                        () -> route.parse(new ConfigValues("p", props("prefix", "10.1.1.1/24", "via", "1.2.3.4"))))
                        .getMessage());
        assertEquals("etc/test.cfg: key 'via': is required (or 'interface', or type = drop)",
                assertThrows(IllegalArgumentException.class,
                        () -> route.parse(new ConfigValues("p", props("prefix", "10.1.1.0/24")))).getMessage());
        assertEquals("etc/test.cfg: key 'via': '10.1.1' is not an IPv4 address (a.b.c.d)",
                assertThrows(IllegalArgumentException.class,
                        () -> route.parse(new ConfigValues("p", props("prefix", "10.1.1.0/24", "via", "10.1.1"))))
                        .getMessage());
    }

    @Test
    void routesAndNeighboursApplyAndWithdraw() throws Exception {
        int gbe = interfaces.register(device("GigabitEthernet0/8/0"));
        NeighbourConfig neighbour = new NeighbourConfig(interfaces, neighbours, props("interface", "GigabitEthernet0/8/0",
                "address", "192.168.16.100", "mac", "08:00:27:02:a5:36"));
        assertEquals(0x08002702a536L, neighbours.mac(gbe, 0xc0a81064));
        RouteConfig route = new RouteConfig(interfaces, fib, props("prefix", "0.0.0.0/0", "via", "192.168.16.100",
                "interface", "GigabitEthernet0/8/0"));
        int adjacency = fib.forwarding().lookup(0, 0x1f866133);
        assertEquals(Adjacencies.REWRITE, fib.forwarding().adjacencies().kind(adjacency));
        assertEquals(gbe, fib.forwarding().adjacencies().swIfIndex(adjacency));
        assertFalse(route.configure(props("prefix", "0.0.0.0/0", "via", "nowhere")));
        assertEquals(adjacency, fib.forwarding().lookup(0, 0x1f866133), "a refused change keeps the route");
        route.deactivate();
        assertEquals(Adjacencies.MISS_INDEX, fib.forwarding().lookup(0, 0x1f866133));
        neighbour.deactivate();
        assertEquals(NeighbourTable.NO_MAC, neighbours.mac(gbe, 0xc0a81064));
    }

    /**
     * {@code source-check} puts one of the two uRPF nodes on the interface's ip4-unicast arc. The nodes register
     * after the configuration arrives here (as a bundle may start after another), so the setting waits for them.
     */
    @Test
    void sourceCheckPutsItsNodeOnTheArcOnceTheNodesRegister() throws Exception {
        int sw = interfaces.register(device("tap2"));
        InterfaceConfig config = new InterfaceConfig(interfaces, fib, proxy, h.engine(), props("name", "tap2",
                "source-check", "strict"));
        await(() -> config.applied() != null);
        h.add(new io.sluice.ip4.node.Ip4InputNode());
        h.add(new io.sluice.ip4.node.Ip4SourceCheckViaRxNode(fib));
        h.add(new io.sluice.ip4.node.Ip4SourceCheckViaAnyNode(fib));
        await(() -> h.engine().enabledFeatures(FeatureArc.IP4_UNICAST, sw).equals(
                java.util.List.of(Ip4Graph.IP4_SOURCE_CHECK_VIA_RX)));

        assertTrue(config.configure(props("name", "tap2", "source-check", "loose")));
        await(() -> h.engine().enabledFeatures(FeatureArc.IP4_UNICAST, sw).equals(
                java.util.List.of(Ip4Graph.IP4_SOURCE_CHECK_VIA_ANY)));
        assertEquals("etc/test.cfg: key 'source-check': 'sideways' is not one of strict, loose, off",
                assertThrows(IllegalArgumentException.class, () -> config.parse(new ConfigValues("p",
                        props("name", "tap2", "source-check", "sideways")))).getMessage());
        assertTrue(config.configure(props("name", "tap2")), "absent is off");
        await(() -> h.engine().enabledFeatures(FeatureArc.IP4_UNICAST, sw).isEmpty());
        assertTrue(config.configure(props("name", "tap2", "source-check", "strict")));
        await(() -> !h.engine().enabledFeatures(FeatureArc.IP4_UNICAST, sw).isEmpty());
        config.deactivate();
        assertTrue(h.engine().enabledFeatures(FeatureArc.IP4_UNICAST, sw).isEmpty(), "withdrawn with the file");
    }
}
