package io.sluice.shell.vnet;

import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * The interfaces with their addresses, state and counters: VPP's {@code show interface} and {@code show interface
 * address}. Counters are those since {@code interface:clear-counters} ({@link CounterBaseline}).
 */
@Command(scope = "interface", name = "list", description = "Lists interfaces: index, MAC, addresses, state, MTU, counters")
@Service
public class InterfaceList implements Action {

    @Reference
    InterfaceTable interfaces;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        for (String column : new String[] {"Name", "Idx", "MAC", "Addresses", "Admin", "Link", "MTU", "Rx packets",
                "Rx bytes", "Tx packets", "Tx bytes", "Drops"}) {
            table.column(column);
        }
        for (InterfaceStats s : CounterBaseline.sinceClear(interfaces.stats())) {
            if (s.name() == null) {
                continue;
            }
            table.addRow().addContent(s.name(), s.swIfIndex(), PacketFormat.formatMac(s.mac()),
                    String.join(",", s.ip4Addresses()), s.adminUp() ? "up" : "down", s.linkUp() ? "up" : "down",
                    s.mtu(), s.rxPackets(), s.rxBytes(), s.txPackets(), s.txBytes(), s.drops());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
