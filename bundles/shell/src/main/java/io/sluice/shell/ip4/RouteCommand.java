package io.sluice.shell.ip4;

import io.sluice.ip4.api.Ip4ConfigCheck;
import io.sluice.ip4.api.Ip4Fib;
import io.sluice.packet.api.Ip4Prefix;
import io.sluice.shell.config.ConsoleConfig;
import io.sluice.shell.config.InForce;
import io.sluice.shell.vnet.InterfaceNameCompleter;
import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ip:route add|del PREFIX [--via A] [--interface IF] [--drop] [--table N] [--name N]} (VPP's {@code ip route
 * [add|del]}): a static route kept as {@code etc/io.sluice.ip4.route-<name>.cfg}, so it survives a restart.
 */
@Command(scope = "ip", name = "route", description = "Adds or deletes a static route, persisted as etc/io.sluice.ip4.route-*.cfg")
@Service
public class RouteCommand implements Action {

    @Reference
    Ip4Fib fib;

    @Reference
    InterfaceTable interfaces;

    @Reference
    Ip4ConfigCheck check;

    @Reference
    ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "action", required = true, description = "add or del")
    String action;

    @Argument(index = 1, name = "prefix", required = true, description = "a.b.c.d/len")
    String prefix;

    @Option(name = "--via", description = "next-hop address")
    String via;

    @Option(name = "--interface", description = "tx interface")
    @Completion(InterfaceNameCompleter.class)
    String interfaceName;

    @Option(name = "--drop", description = "a route that drops what it matches")
    boolean drop;

    @Option(name = "--table", description = "FIB table (default 0)")
    int table;

    @Option(name = "--name", description = "the configuration's name (default: from the prefix)")
    String name;

    @Override
    public Object execute() throws Exception {
        if (prefix.indexOf('/') < 0) {
            throw new IllegalArgumentException("prefix '" + prefix + "' needs a length: a.b.c.d/len");
        }
        ConsoleConfig config = new ConsoleConfig(configAdmin);
        ConsoleConfig.Stored existing = StoredRoutes.find(config, table, prefix);
        switch (action) {
            case "add" -> add(config, existing);
            case "del" -> {
                if (existing != null) {
                    config.delete(existing);
                    Ip4Prefix parsed = Ip4Prefix.parse(prefix);
                    InForce.await(() -> !StoredRoutes.inFib(fib, table, parsed));
                } else {
                    Ip4Prefix parsed = Ip4Prefix.parse(prefix);
                    if (!fib.removeRoute(table, parsed.address(), parsed.length())) {
                        System.out.println("no static route " + prefix + " in table " + table);
                    }
                }
            }
            default -> throw new IllegalArgumentException("action must be add or del, not " + action);
        }
        return null;
    }

    private void add(ConsoleConfig config, ConsoleConfig.Stored existing) throws Exception {
        if (interfaceName != null && interfaces.find(interfaceName) < 0) {
            throw new IllegalArgumentException("no interface named " + interfaceName);
        }
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("prefix", prefix);
        if (drop) {
            route.put("type", "drop");
        }
        if (via != null) {
            route.put("via", via);
        }
        if (interfaceName != null) {
            route.put("interface", interfaceName);
        }
        if (table != 0) {
            route.put("table", Integer.toString(table));
        }
        String configName = existing != null ? existing.name()
                : name != null ? name : ConsoleConfig.nameOf((table == 0 ? "" : "table" + table + "-") + prefix);
        Map<String, Object> read = config.asRead(Ip4ConfigCheck.ROUTE_PID, configName, route);
        check.check(Ip4ConfigCheck.ROUTE_PID, read);
        config.write(Ip4ConfigCheck.ROUTE_PID, configName, route);
        Ip4Prefix parsed = Ip4Prefix.parse(prefix);
        InForce.report("route " + prefix, read.get(ConsoleConfig.FILE_KEY).toString(),
                () -> StoredRoutes.inFib(fib, table, parsed));
    }
}
