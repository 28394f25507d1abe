package io.sluice.shell.nat44;

import io.sluice.nat44.api.Nat44;
import io.sluice.nat44.api.StaticMapping;
import io.sluice.packet.api.PacketFormat;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** Configured static and identity mappings (VPP's {@code show nat44 static mappings}). */
@Command(scope = "nat44", name = "static-mappings", description = "Shows NAT44 static and identity mappings")
@Service
public class Nat44StaticMappings implements Action {

    @Reference
    Nat44 nat44;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Kind");
        table.column("Protocol");
        table.column("Local");
        table.column("External");
        table.column("Out2in only");
        for (StaticMapping m : nat44.staticMappings()) {
            String protocol = switch (m.protocol()) {
                case 0 -> "any";
                case 6 -> "tcp";
                case 17 -> "udp";
                default -> "icmp";
            };
            table.addRow().addContent(m.identity() ? "identity" : "static", protocol,
                    endpoint(m.localAddress(), m.localPort(), m), endpoint(m.externalAddress(), m.externalPort(), m),
                    m.out2inOnly() ? "yes" : "no");
        }
        table.print(System.out, !noFormat);
        return null;
    }

    private static String endpoint(int address, int port, StaticMapping m) {
        return PacketFormat.formatIp4(address) + (m.addressOnly() ? "" : ":" + port);
    }
}
