package io.sluice.shell.ip4;

import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ethernet.api.NeighbourTable.Neighbour;
import io.sluice.packet.api.PacketFormat;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * VPP's {@code show ip neighbors}: the neighbour table, static and learned; with {@code --counters}, what the table
 * did not learn (a full learn queue or interface share, a table of statics) and what it evicted to learn.
 */
@Command(scope = "ip", name = "neighbors", description = "Lists IPv4 neighbours: interface, address, MAC, static or dynamic, idle time")
@Service
public class NeighborList implements Action {

    @Reference
    NeighbourTable neighbours;

    @Reference
    InterfaceTable interfaces;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Option(name = "--counters", description = "The table's counters instead: learn-queue-overflows, table-full-refusals, evictions")
    boolean counters;

    @Override
    public Object execute() {
        if (counters) {
            ShellTable table = new ShellTable();
            table.column("Count").alignRight();
            table.column("Counter");
            table.addRow().addContent(neighbours.learnQueueOverflows(), "learn-queue-overflows");
            table.addRow().addContent(neighbours.tableFullRefusals(), "table-full-refusals");
            table.addRow().addContent(neighbours.evictions(), "evictions");
            table.print(System.out, !noFormat);
            return null;
        }
        InterfaceSnapshot snapshot = interfaces.snapshot();
        ShellTable table = new ShellTable();
        table.column("Interface");
        table.column("Address");
        table.column("MAC");
        table.column("Type");
        table.column("Idle (s)");
        for (Neighbour n : neighbours.entries()) {
            String name = snapshot.exists(n.swIfIndex()) ? snapshot.name(n.swIfIndex()) : "sw_if_index " + n.swIfIndex();
            table.addRow().addContent(name, PacketFormat.formatIp4(n.address()), PacketFormat.formatMac(n.mac()),
                    n.isStatic() ? "static" : "dynamic", n.isStatic() ? "" : String.valueOf(n.idleNanos() / 1_000_000_000L));
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
