package io.sluice.shell.ip4;

import io.sluice.ip4.api.Ip4ConfigCheck;
import io.sluice.packet.api.Ip4Prefix;
import io.sluice.shell.config.ConsoleConfig;
import io.sluice.shell.config.InForce;
import io.sluice.shell.vnet.InterfaceNameCompleter;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code interface:set IF [--state up|down] [--address A/LEN]... [--del-address A/LEN]... [--mtu N]}: VPP's
 * {@code set interface state}, {@code set interface ip address [del]} and {@code set interface mtu}, kept in the
 * interface's {@code etc/io.sluice.interface-<name>.cfg} (its other keys stay as they are).
 */
@Command(scope = "interface", name = "set", description = "Sets an interface's admin state, addresses or MTU, persisted as etc/io.sluice.interface-*.cfg")
@Service
public class InterfaceSet implements Action {

    @Reference
    InterfaceTable interfaces;

    @Reference
    Ip4ConfigCheck check;

    @Reference
    ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "interface", required = true, description = "interface name")
    @Completion(InterfaceNameCompleter.class)
    String interfaceName;

    @Option(name = "--state", description = "admin state: up or down")
    @Completion(value = StringsCompleter.class, values = {"up", "down"})
    String state;

    @Option(name = "--address", multiValued = true, description = "add an address a.b.c.d/len")
    List<String> addresses;

    @Option(name = "--del-address", multiValued = true, description = "remove an address a.b.c.d/len")
    List<String> removed;

    @Option(name = "--mtu", description = "largest IPv4 packet sent, 68..2030")
    String mtu;

    @Override
    public Object execute() throws Exception {
        ConsoleConfig config = new ConsoleConfig(configAdmin);
        ConsoleConfig.Stored existing = StoredInterfaces.find(config, interfaceName);
        Map<String, Object> settings = new LinkedHashMap<>();
        if (existing != null) {
            settings.putAll(existing.properties());
        }
        settings.put("name", interfaceName);
        if (state != null) {
            settings.put("admin", state);
        }
        if (mtu != null) {
            settings.put("mtu", mtu);
        }
        List<String> wanted = StoredInterfaces.addresses(existing == null ? null : existing.value("address"));
        if (addresses != null) {
            for (String address : addresses) {
                if (!StoredInterfaces.holds(wanted, address)) {
                    wanted.add(address.trim());
                }
            }
        }
        if (removed != null) {
            for (String address : removed) {
                if (!wanted.removeIf(a -> StoredInterfaces.same(a, address))) {
                    throw new IllegalArgumentException(interfaceName + " has no address " + address
                            + " in its configuration");
                }
            }
        }
        if (wanted.isEmpty()) {
            settings.remove("address");
        } else {
            settings.put("address", String.join(", ", wanted));
        }
        String name = existing != null ? existing.name() : ConsoleConfig.nameOf(interfaceName);
        Map<String, Object> read = config.asRead(Ip4ConfigCheck.INTERFACE_PID, name, settings);
        check.check(Ip4ConfigCheck.INTERFACE_PID, read);
        config.write(Ip4ConfigCheck.INTERFACE_PID, name, settings);
        InForce.report("interface " + interfaceName, read.get(ConsoleConfig.FILE_KEY).toString(),
                () -> inForce(wanted));
        return null;
    }

    /** The interface table shows what was written: admin state, MTU and exactly the addresses asked for. */
    private boolean inForce(List<String> wanted) {
        InterfaceSnapshot snapshot = interfaces.snapshot();
        int sw = snapshot.find(interfaceName);
        if (sw < 0) {
            return false;
        }
        if (state != null && snapshot.adminUp(sw) != state.equals("up")) {
            return false;
        }
        if (mtu != null && snapshot.mtu(sw) != Integer.parseInt(mtu.trim())) {
            return false;
        }
        List<String> held = new ArrayList<>();
        int[] own = snapshot.ip4Addresses(sw);
        int[] lengths = snapshot.ip4PrefixLengths(sw);
        for (int i = 0; i < own.length; i++) {
            held.add(new Ip4Prefix(own[i], lengths[i]).toString());
        }
        if (held.size() != wanted.size()) {
            return false;
        }
        for (String address : wanted) {
            if (!StoredInterfaces.holds(held, address)) {
                return false;
            }
        }
        return true;
    }
}
