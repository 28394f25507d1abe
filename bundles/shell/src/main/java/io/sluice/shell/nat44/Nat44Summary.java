package io.sluice.shell.nat44;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.nat44.api.AddressInfo;
import io.sluice.nat44.api.Nat44;
import io.sluice.packet.api.PacketFormat;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * NAT44 at a glance (VPP's {@code show nat44 summary}): sessions in use of the table's capacity, by protocol and
 * TCP state; ports in use per pool address; the limit counters of the NAT nodes (out of ports, session limits,
 * empty pool), which are the drops an operator is asked about.
 */
@Command(scope = "nat44", name = "summary",
        description = "Shows NAT44 sessions by protocol and state, ports in use per address, limits hit")
@Service
public class Nat44Summary implements Action {

    @Reference
    Nat44 nat44;

    @Reference
    GraphRuntime graph;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        long capacity = nat44.sessionCapacity();
        System.out.println("sessions: " + nat44.sessionCount() + " of " + capacity + " (tcp " + nat44.sessionCount(6)
                + ", udp " + nat44.sessionCount(17) + ", icmp " + nat44.sessionCount(1) + ", other "
                + nat44.sessionCount(0) + ")");
        ShellTable states = new ShellTable();
        states.column("Protocol");
        states.column("State");
        states.column("Sessions").alignRight();
        for (NatSummary.StateCount c : NatSummary.byProtocolAndState(nat44.sessions(0, (int) Math.min(capacity, Integer.MAX_VALUE)))) {
            states.addRow().addContent(c.protocol(), c.state(), c.sessions());
        }
        states.print(System.out, !noFormat);
        ShellTable ports = new ShellTable();
        ports.column("Address");
        ports.column("TCP ports").alignRight();
        ports.column("UDP ports").alignRight();
        ports.column("ICMP ids").alignRight();
        for (AddressInfo a : nat44.addresses()) {
            ports.addRow().addContent(PacketFormat.formatIp4(a.address()), a.tcpPortsInUse(), a.udpPortsInUse(),
                    a.icmpIdsInUse());
        }
        ports.print(System.out, !noFormat);
        ShellTable limits = new ShellTable();
        limits.column("Node");
        limits.column("Limit");
        limits.column("Hits").alignRight();
        limits.column("Description");
        for (NatSummary.LimitHit l : NatSummary.limits(graph.errors())) {
            limits.addRow().addContent(l.node(), l.counter(), l.count(), l.description());
        }
        limits.print(System.out, !noFormat);
        return null;
    }
}
