package io.sluice.shell.ip4;

import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphOptions;
import io.sluice.ip4.config.Ip4ConfigCheckImpl;
import io.sluice.ip4.config.RouteConfig;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import io.sluice.shell.config.FakeConfigAdmin;
import io.sluice.packet.api.BufferPool;
import io.sluice.shell.vnet.InterfaceList;
import io.sluice.shell.vnet.VnetCommands;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.internal.InterfaceTableImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ip4CommandsTest {
    private final GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(256));
    private final InterfaceTableImpl interfaces = new InterfaceTableImpl(engine);
    private final NeighbourTableImpl neighbours = new NeighbourTableImpl();
    private final Ip4FibImpl fib = new Ip4FibImpl(interfaces, neighbours);
    private final int gbe = interfaces.register(device("GigabitEthernet0/8/0", 0x080027449fd8L));

    @AfterEach
    void tearDown() {
        System.clearProperty("karaf.etc");
        engine.stop();
    }

    private static Device device(String name, long mac) {
        return new Device() {
            public String name() {
                return name;
            }

            public long macAddress() {
                return mac;
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

    private interface Execution {
        Object run() throws Exception;
    }

    private static List<String> printed(Execution command) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            command.run();
        } finally {
            System.setOut(original);
        }
        List<String> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(line.strip().replaceAll("\\s+", " "));
        }
        return lines;
    }

    @TempDir
    Path etc;

    private final FakeConfigAdmin configAdmin = new FakeConfigAdmin();

    /** ConfigAdmin delivering route configurations to a RouteConfig, as DS does in the box. */
    private RouteCommand routeCommand() {
        configAdmin.deliverTo((pid, properties) -> {
            if (properties != null) {
                new RouteConfig(interfaces, fib, properties);
            } else {
                fib.removeRoute(0, 0, 0);
            }
        });
        RouteCommand command = new RouteCommand();
        command.fib = fib;
        command.interfaces = interfaces;
        command.check = new Ip4ConfigCheckImpl();
        command.configAdmin = configAdmin;
        return command;
    }

    @Test
    void routeAddThenFibShowsItWithItsRewrite() throws Exception {
        System.setProperty("karaf.etc", etc.toString());
        interfaces.addIp4Address(gbe, 0xc0a81001, 24);
        neighbours.addStatic(gbe, 0xc0a81064, 0x08002702a536L);
        RouteCommand add = routeCommand();
        add.action = "add";
        add.prefix = "0.0.0.0/0";
        add.via = "192.168.16.100";
        assertEquals(List.of(""), printed(add::execute));
        Map<String, Object> stored = configAdmin.properties("io.sluice.ip4.route~0.0.0.0-0");
        assertEquals("0.0.0.0/0", stored.get("prefix"));
        assertEquals("192.168.16.100", stored.get("via"));
        assertTrue(Files.readAllLines(etc.toRealPath().resolve("io.sluice.ip4.route-0.0.0.0-0.cfg"))
                .contains("prefix = 0.0.0.0/0"));

        FibShow show = new FibShow();
        show.fib = fib;
        show.noFormat = true;
        show.prefix = "31.134.97.51";
        List<String> lines = printed(show::execute);
        assertTrue(lines.contains("0.0.0.0/0 static 3 ipv4 via 192.168.16.100 GigabitEthernet0/8/0: "
                + "08002702a536080027449fd80800"), lines.toString());

        show.prefix = null;
        List<String> all = printed(show::execute);
        assertTrue(all.stream().anyMatch(l -> l.startsWith("192.168.16.0/24 connected")), all.toString());
        assertTrue(all.stream().anyMatch(l -> l.startsWith("192.168.16.1/32 local")), all.toString());
        assertTrue(all.stream().anyMatch(l -> l.startsWith("192.168.16.100/32 neighbour")), all.toString());

        add.action = "del";
        add.execute();
        assertEquals(List.of(), configAdmin.pids());
        assertFalse(Files.exists(etc.resolve("io.sluice.ip4.route-0.0.0.0-0.cfg")));
        show.prefix = "31.134.97.51";
        assertTrue(printed(show::execute).contains("no route (unreachable)"));
        assertTrue(printed(add::execute).contains("no static route 0.0.0.0/0 in table 0"));
    }

    @Test
    void aRouteTheFileWouldRefuseIsRefusedWithTheFilesMessageAndNothingIsWritten() throws Exception {
        System.setProperty("karaf.etc", etc.toString());
        RouteCommand add = routeCommand();
        add.action = "add";
        add.prefix = "10.1.1.1/24";
        add.interfaceName = "GigabitEthernet0/8/0";
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, add::execute);
        String file = etc.toRealPath().resolve("io.sluice.ip4.route-10.1.1.1-24.cfg").toFile().toURI().toString();
        assertEquals(file + ": key 'prefix': '10.1.1.1/24' has host bits set (did you mean 10.1.1.0/24?)",
                refused.getMessage());
        assertEquals(List.of(), configAdmin.pids());
        try (var files = Files.list(etc)) {
            assertEquals(0, files.count());
        }
        assertEquals(0, fib.routes(0).stream().filter(r -> r.source().equals("static")).count());
    }

    @Test
    void anInterfaceMtuTheFileWouldRefuseIsRefusedAndAnAddressIsAddedToTheFilesOthers() throws Exception {
        System.setProperty("karaf.etc", etc.toString());
        configAdmin.load("io.sluice.interface", "gbe", etc.resolve("io.sluice.interface-gbe.cfg").toUri().toString(),
                Map.of("name", "GigabitEthernet0/8/0", "address", "192.168.16.1/24", "admin", "up"));
        InterfaceSet set = new InterfaceSet();
        set.interfaces = interfaces;
        set.check = new Ip4ConfigCheckImpl();
        set.configAdmin = configAdmin;
        set.interfaceName = "GigabitEthernet0/8/0";
        set.mtu = "9000";
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, set::execute);
        assertTrue(refused.getMessage().endsWith("io.sluice.interface-gbe.cfg: key 'mtu': '9000' is larger than a"
                + " packet buffer can carry: a frame of MTU + 18 bytes (Ethernet header and a VLAN tag) must fit the"
                + " 2048 data bytes of one buffer (BufferPool.DATA_SIZE); at most 2030"), refused.getMessage());
        assertEquals("192.168.16.1/24", configAdmin.properties("io.sluice.interface~gbe").get("address"));
        assertNull(configAdmin.properties("io.sluice.interface~gbe").get("mtu"));

        configAdmin.deliverTo((pid, properties) -> {
            interfaces.addIp4Address(gbe, 0xc0a81001, 24);
            interfaces.addIp4Address(gbe, 0x0a090001, 16);
        });
        set.mtu = null;
        set.addresses = List.of("10.9.0.1/16");
        set.execute();
        assertEquals("192.168.16.1/24, 10.9.0.1/16", configAdmin.properties("io.sluice.interface~gbe").get("address"));
        assertEquals("up", configAdmin.properties("io.sluice.interface~gbe").get("admin"));
    }

    @Test
    void neighborsAndInterfacesAreListed() throws Exception {
        neighbours.addStatic(gbe, 0xc0a81064, 0x08002702a536L);
        NeighborList list = new NeighborList();
        list.neighbours = neighbours;
        list.interfaces = interfaces;
        list.noFormat = true;
        assertTrue(printed(list::execute).contains("GigabitEthernet0/8/0 192.168.16.100 08:00:27:02:a5:36 static"));

        interfaces.addIp4Address(gbe, 0xc0a81001, 24);
        interfaces.setAdminUp(gbe, true);
        InterfaceList interfacesCommand = VnetCommands.interfaceList(interfaces, true);
        List<String> rows = printed(interfacesCommand::execute);
        assertTrue(rows.contains("GigabitEthernet0/8/0 1 08:00:27:44:9f:d8 192.168.16.1/24 up up 1500 0 0 0 0 0"),
                rows.toString());
        assertEquals(1, rows.stream().filter(r -> r.startsWith("local0")).count());
    }

    @Test
    void neighborsCountersShowWhatTheTableRefusedAndEvicted() throws Exception {
        neighbours.setMaxEntriesPerInterface(1);
        neighbours.learn(gbe, 0xc0a81064, 0x08002702a536L, 0);
        neighbours.maintain(0);
        neighbours.learn(gbe, 0xc0a81065, 0x08002702a537L, 10_000_000_000L);
        neighbours.maintain(10_000_000_000L);
        NeighborList list = new NeighborList();
        list.neighbours = neighbours;
        list.interfaces = interfaces;
        list.noFormat = true;
        list.counters = true;
        List<String> rows = printed(list::execute);
        assertTrue(rows.contains("1 evictions"), rows.toString());
        assertTrue(rows.contains("0 table-full-refusals"), rows.toString());
        assertTrue(rows.contains("0 learn-queue-overflows"), rows.toString());
    }
}
