package io.sluice.shell.ip4;

import io.sluice.ethernet.internal.NeighbourTableImpl;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphOptions;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import io.sluice.packet.api.BufferPool;
import io.sluice.shell.vnet.InterfaceList;
import io.sluice.shell.vnet.VnetCommands;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.internal.InterfaceTableImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ip4CommandsTest {
    private final GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withBuffersPerWorker(256));
    private final InterfaceTableImpl interfaces = new InterfaceTableImpl(engine);
    private final NeighbourTableImpl neighbours = new NeighbourTableImpl();
    private final Ip4FibImpl fib = new Ip4FibImpl(interfaces, neighbours);
    private final int gbe = interfaces.register(device("GigabitEthernet0/8/0", 0x080027449fd8L));

    @AfterEach
    void tearDown() {
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

    @Test
    void routeAddThenFibShowsItWithItsRewrite() throws Exception {
        interfaces.addIp4Address(gbe, 0xc0a81001, 24);
        neighbours.addStatic(gbe, 0xc0a81064, 0x08002702a536L);
        RouteCommand add = new RouteCommand();
        add.fib = fib;
        add.interfaces = interfaces;
        add.action = "add";
        add.prefix = "0.0.0.0/0";
        add.via = "192.168.16.100";
        add.execute();

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
        show.prefix = "31.134.97.51";
        assertTrue(printed(show::execute).contains("no route (unreachable)"));
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
