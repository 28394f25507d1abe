package io.sluice.shell.ip4;

import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.ip4.api.Ip4ConfigCheck;
import io.sluice.packet.api.PacketFormat;
import io.sluice.shell.config.ConsoleConfig;
import io.sluice.shell.config.InForce;
import io.sluice.shell.vnet.InterfaceNameCompleter;
import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ip:neighbor add|del IF ADDRESS [MAC]} (VPP's {@code set ip neighbor [del] IF A MAC static}): a static
 * neighbour kept as {@code etc/io.sluice.ip4.neighbour-<name>.cfg}.
 */
@Command(scope = "ip", name = "neighbor", description = "Adds or deletes a static neighbour, persisted as etc/io.sluice.ip4.neighbour-*.cfg")
@Service
public class NeighborCommand implements Action {

    @Reference
    NeighbourTable neighbours;

    @Reference
    InterfaceTable interfaces;

    @Reference
    Ip4ConfigCheck check;

    @Reference
    ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "action", required = true, description = "add or del")
    String action;

    @Argument(index = 1, name = "interface", required = true, description = "interface name")
    @Completion(InterfaceNameCompleter.class)
    String interfaceName;

    @Argument(index = 2, name = "address", required = true, description = "a.b.c.d")
    String address;

    @Argument(index = 3, name = "mac", description = "xx:xx:xx:xx:xx:xx (add)")
    String mac;

    @Override
    public Object execute() throws Exception {
        ConsoleConfig config = new ConsoleConfig(configAdmin);
        ConsoleConfig.Stored existing = find(config);
        switch (action) {
            case "add" -> {
                Map<String, Object> neighbour = new LinkedHashMap<>();
                neighbour.put("interface", interfaceName);
                neighbour.put("address", address);
                if (mac != null) {
                    neighbour.put("mac", mac);
                }
                String name = existing != null ? existing.name() : ConsoleConfig.nameOf(interfaceName + "-" + address);
                Map<String, Object> read = config.asRead(Ip4ConfigCheck.NEIGHBOUR_PID, name, neighbour);
                check.check(Ip4ConfigCheck.NEIGHBOUR_PID, read);
                config.write(Ip4ConfigCheck.NEIGHBOUR_PID, name, neighbour);
                long wanted = PacketFormat.parseMac(mac);
                InForce.report("neighbour " + address, read.get(ConsoleConfig.FILE_KEY).toString(),
                        () -> macNow() == wanted);
            }
            case "del" -> {
                if (existing == null) {
                    System.out.println("no static neighbour " + address + " on " + interfaceName + " in etc/");
                } else {
                    config.delete(existing);
                }
            }
            default -> throw new IllegalArgumentException("action must be add or del, not " + action);
        }
        return null;
    }

    private long macNow() {
        int sw = interfaces.find(interfaceName);
        return sw < 0 ? NeighbourTable.NO_MAC : neighbours.mac(sw, PacketFormat.parseIp4(address));
    }

    private ConsoleConfig.Stored find(ConsoleConfig config) {
        for (ConsoleConfig.Stored stored : config.factory(Ip4ConfigCheck.NEIGHBOUR_PID)) {
            if (interfaceName.equals(stored.value("interface")) && address.trim().equals(stored.value("address"))) {
                return stored;
            }
        }
        return null;
    }
}
