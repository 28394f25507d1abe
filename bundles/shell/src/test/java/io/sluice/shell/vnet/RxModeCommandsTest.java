package io.sluice.shell.vnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.WorkerRxMode;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.InterfaceTable.RxQueue;
import io.sluice.vnet.api.PortRxMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** interface:rx-mode and interface:rx-placement over an interface table of three ports, two of them polled. */
class RxModeCommandsTest {
    private static final String[] NAMES = {"local0", "GigabitEthernet0/8/0", "tap2", "loop0"};
    private static final List<RxQueue> QUEUES = List.of(new RxQueue("af_xdp-input", 1, 0, 0),
            new RxQueue("virtio-input", 2, 0, 1));

    private final Map<Integer, PortRxMode> modes = new HashMap<>();
    /** What interface:set-rx-placement asked of the table: sw_if_index, queue, worker. */
    private final List<List<Integer>> placed = new ArrayList<>();
    /** A registered port: the commands only ask whether there is one. */
    private final Device device = (Device) Proxy.newProxyInstance(Device.class.getClassLoader(),
            new Class<?>[] {Device.class}, (proxy, method, arguments) -> {
                throw new AssertionError("command called the device's " + method.getName());
            });

    /** The interface table the commands see: names, devices, the queues above and the modes set. */
    private InterfaceTable interfaces() {
        InterfaceSnapshot snapshot = new InterfaceSnapshot(NAMES, new long[4], new int[4], new boolean[4],
                new int[4][0], new int[4][0]);
        return (InterfaceTable) Proxy.newProxyInstance(InterfaceTable.class.getClassLoader(),
                new Class<?>[] {InterfaceTable.class}, (proxy, method, arguments) -> switch (method.getName()) {
                    case "snapshot" -> snapshot;
                    case "find" -> List.of(NAMES).indexOf((String) arguments[0]);
                    case "device" -> (int) arguments[0] > 0 ? device : null;
                    case "rxQueues" -> QUEUES;
                    case "rxMode" -> modes.get((int) arguments[0]);
                    case "placeRxQueue" -> {
                        placed.add(List.of((Integer) arguments[0], (Integer) arguments[1], (Integer) arguments[2]));
                        yield null;
                    }
                    case "setRxMode" -> {
                        modes.put((int) arguments[0], (PortRxMode) arguments[1]);
                        yield null;
                    }
                    default -> throw new AssertionError("command called " + method.getName());
                });
    }

    /** Two workers: 0 in rx-mode adaptive, asleep; 1 in rx-mode interrupt, polling. */
    private static GraphRuntime graph() {
        return (GraphRuntime) Proxy.newProxyInstance(GraphRuntime.class.getClassLoader(),
                new Class<?>[] {GraphRuntime.class}, (proxy, method, arguments) -> switch (method.getName()) {
                    case "rxModes" -> List.of(new WorkerRxMode(0, "adaptive", "sleeping", 12, 3, 200, 0),
                            new WorkerRxMode(1, "interrupt", "polling", 40, 9, 200, 0));
                    default -> throw new AssertionError("command called " + method.getName());
                });
    }

    @Test
    void rxModeSetsThePortsModeAndRefusesAnUnknownModeOrAnInterfaceNoNodePolls() throws Exception {
        InterfaceRxMode command = rxMode("tap2", "polling");
        assertEquals("tap2: rx-mode polling\n", printed(command::execute));
        assertEquals(PortRxMode.POLLING, modes.get(2));

        assertThrows(IllegalArgumentException.class, () -> rxMode("tap2", "sometimes").execute());
        assertThrows(IllegalArgumentException.class, () -> rxMode("loop0", "polling").execute());
        assertThrows(IllegalArgumentException.class, () -> rxMode("tap9", "polling").execute());
        assertEquals(Map.of(2, PortRxMode.POLLING), modes, "nothing else changed");
    }

    @Test
    void rxPlacementShowsEachQueueWithTheWorkerItIsPlacedOnAndModeOwnOrThatWorkers() throws Exception {
        modes.put(2, PortRxMode.POLLING);
        InterfaceRxPlacement command = new InterfaceRxPlacement();
        command.interfaces = interfaces();
        command.graph = graph();
        command.noFormat = true;
        assertEquals(List.of(
                List.of("GigabitEthernet0/8/0", "0", "af_xdp-input", "0", "adaptive (worker's)", "adaptive", "sleeping"),
                List.of("tap2", "0", "virtio-input", "1", "polling", "interrupt", "polling")),
                rows(printed(command::execute)));
    }

    @Test
    void setRxPlacementMovesTheNamedQueueOfTheNamedInterfaceAndRefusesAnInterfaceThatIsNot() throws Exception {
        InterfaceSetRxPlacement command = new InterfaceSetRxPlacement();
        command.interfaces = interfaces();
        command.interfaceName = "tap2";
        command.queue = 0;
        command.worker = 1;
        assertEquals("tap2 queue 0: worker 1\n", printed(command::execute));
        assertEquals(List.of(List.of(2, 0, 1)), placed);

        command.interfaceName = "tap9";
        assertThrows(IllegalArgumentException.class, command::execute);
        assertEquals(1, placed.size(), "nothing asked for an interface that does not exist");
    }

    private InterfaceRxMode rxMode(String name, String mode) {
        InterfaceRxMode command = new InterfaceRxMode();
        command.interfaces = interfaces();
        command.interfaceName = name;
        command.mode = mode;
        return command;
    }

    /** --no-format prints no header and no borders: one line per row, cells separated by tabs (padded). */
    private static List<List<String>> rows(String printed) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : printed.split("\n")) {
            List<String> cells = new ArrayList<>();
            for (String cell : line.split("\t", -1)) {
                cells.add(cell.strip());
            }
            rows.add(cells);
        }
        return rows;
    }

    private interface Execution {
        Object run() throws Exception;
    }

    private static String printed(Execution execution) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            execution.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
