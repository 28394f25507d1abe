package io.sluice.shell.vnet;

import io.sluice.vnet.api.Device;
import io.sluice.vnet.api.DeviceHardware;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * VPP's {@code show hardware-interfaces}: per interface its driver, what it is on the host (netdev and
 * namespace, PCI address, vdev), queues, ring sizes, offloads; {@code --detail} adds the device's own counters.
 */
@Command(scope = "interface", name = "hardware",
        description = "Lists interfaces' devices: driver, host name or PCI address, queues, rings, offloads, device counters")
@Service
public class InterfaceHardware implements Action {

    @Reference
    InterfaceTable interfaces;

    @Argument(index = 0, name = "interface", description = "Only this interface (default: all)")
    @Completion(InterfaceNameCompleter.class)
    String name;

    @Option(name = "--detail", description = "Add the device counters, one row each")
    boolean detail;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        if (name != null && interfaces.find(name) < 0) {
            throw new IllegalArgumentException("no interface named '" + name + "'");
        }
        List<Row> rows = new ArrayList<>();
        InterfaceSnapshot snapshot = interfaces.snapshot();
        for (int sw = 1; sw < snapshot.size(); sw++) {
            Device device = snapshot.exists(sw) ? interfaces.device(sw) : null;
            if (device != null && (name == null || name.equals(snapshot.name(sw)))) {
                rows.add(new Row(snapshot.name(sw), sw, device.hardware()));
            }
        }
        table(rows, detail).print(System.out, !noFormat);
        return null;
    }

    record Row(String name, int swIfIndex, DeviceHardware hardware) {
    }

    /** The table, one row per interface and with {@code detail} one more per device counter under it. */
    static ShellTable table(List<Row> rows, boolean detail) {
        ShellTable table = new ShellTable();
        for (String column : new String[] {"Name", "Idx", "Driver", "Host", "Rx queues", "Tx queues", "Rx ring",
                "Tx ring", "Offloads"}) {
            table.column(column);
        }
        for (Row row : rows) {
            DeviceHardware h = row.hardware();
            table.addRow().addContent(row.name(), row.swIfIndex(), h.driver(), h.host(), h.rxQueues(), h.txQueues(),
                    ring(h.rxRingSize()), ring(h.txRingSize()), h.offloads().isEmpty() ? "none" : String.join(",", h.offloads()));
            if (detail) {
                for (Map.Entry<String, Long> counter : h.counters().entrySet()) {
                    table.addRow().addContent("", "", "", counter.getKey(), counter.getValue(), "", "", "", "");
                }
            }
        }
        return table;
    }

    private static String ring(int size) {
        return size == 0 ? "-" : Integer.toString(size);
    }
}
