package io.sluice.shell.nat44;

import io.sluice.nat44.api.AddressInfo;
import io.sluice.nat44.api.Nat44;
import io.sluice.packet.api.PacketFormat;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** The NAT44 address pool and the ports in use per protocol (VPP's {@code show nat44 addresses}). */
@Command(scope = "nat44", name = "addresses", description = "Shows the NAT44 address pool and ports in use")
@Service
public class Nat44Addresses implements Action {

    @Reference
    Nat44 nat44;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Address");
        table.column("TCP ports").alignRight();
        table.column("UDP ports").alignRight();
        table.column("ICMP ids").alignRight();
        for (AddressInfo address : nat44.addresses()) {
            table.addRow().addContent(PacketFormat.formatIp4(address.address()), address.tcpPortsInUse(),
                    address.udpPortsInUse(), address.icmpIdsInUse());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
