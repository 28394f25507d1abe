package io.sluice.shell.vnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sluice.vnet.api.DeviceHardware;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** interface:clear-counters' baseline and interface:hardware's table. */
class ListingsTest {

    private static InterfaceStats stats(int sw, String name, long rx, long tx) {
        return new InterfaceStats(sw, name, 0, 1500, true, true, List.of(), rx, rx * 100, tx, tx * 100, 1, 0, 0);
    }

    @Test
    void countersAreShownSinceTheBaselineAndAReusedIndexAsItIs() {
        Map<Integer, InterfaceStats> base = Map.of(1, stats(1, "tap2", 10, 5), 2, stats(2, "tap3", 50, 50));
        List<InterfaceStats> shown = CounterBaseline.since(base, List.of(stats(1, "tap2", 25, 5),
                stats(2, "tap3", 3, 3), stats(3, "GigabitEthernet0/8/0", 7, 7)));
        assertEquals(15, shown.get(0).rxPackets());
        assertEquals(1500, shown.get(0).rxBytes());
        assertEquals(0, shown.get(0).txPackets());
        assertEquals(0, shown.get(0).drops());
        assertEquals(3, shown.get(1).rxPackets(), "below the baseline: the interface is new, shown as it is");
        assertEquals(7, shown.get(2).rxPackets(), "no baseline: shown as it is");
    }

    @Test
    void theHardwareTableNamesTheDriverAndWithDetailTheDeviceCounters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("rx packets", 12L);
        counters.put("tx packets", 34L);
        List<InterfaceHardware.Row> rows = List.of(
                new InterfaceHardware.Row("tap2", 1, new DeviceHardware("tap", "eth0 in netns pod1", 1, 1, 0, 0,
                        List.of(), counters)),
                new InterfaceHardware.Row("GigabitEthernet0/8/0", 2, new DeviceHardware("af_packet", "sl-gbe0", 1, 1,
                        512, 256, List.of("rx-csum-partial-completed"), Map.of())));
        List<String> plain = print(InterfaceHardware.table(rows, false));
        assertEquals(2, plain.size());
        assertEquals(List.of("tap2", "1", "tap", "eth0 in netns pod1", "1", "1", "-", "-", "none"), cells(plain.get(0)));
        assertEquals(List.of("GigabitEthernet0/8/0", "2", "af_packet", "sl-gbe0", "1", "1", "512", "256",
                "rx-csum-partial-completed"), cells(plain.get(1)));
        List<String> detail = print(InterfaceHardware.table(rows, true));
        assertEquals(4, detail.size());
        assertEquals("rx packets", cells(detail.get(1)).get(3));
        assertEquals("12", cells(detail.get(1)).get(4));
    }

    @Test
    void aDriverThatSaysNothingIsListedAsUnreported() {
        DeviceHardware none = DeviceHardware.unreported("unknown");
        assertEquals(1, none.rxQueues());
        assertSame(Map.of().getClass(), none.counters().getClass());
    }

    private static List<String> print(org.apache.karaf.shell.support.table.ShellTable table) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            table.print(out, false);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static List<String> cells(String line) {
        return List.of(line.split("\t", -1)).stream().map(String::strip).toList();
    }
}
