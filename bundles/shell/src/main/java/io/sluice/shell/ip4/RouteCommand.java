package io.sluice.shell.ip4;

import io.sluice.ip4.api.Ip4Fib;
import io.sluice.packet.api.Ip4Prefix;
import io.sluice.packet.api.PacketFormat;
import io.sluice.shell.vnet.InterfaceNameCompleter;
import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code ip:route add|del PREFIX [--via A] [--interface IF] [--drop] [--table N]}: static routes, not persisted. */
@Command(scope = "ip", name = "route", description = "Adds or deletes a static route (runtime only; etc/io.sluice.ip4.route-*.cfg persists)")
@Service
public class RouteCommand implements Action {

    @Reference
    Ip4Fib fib;

    @Reference
    InterfaceTable interfaces;

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

    @Override
    public Object execute() {
        if (prefix.indexOf('/') < 0) {
            throw new IllegalArgumentException("prefix '" + prefix + "' needs a length: a.b.c.d/len");
        }
        Ip4Prefix parsed = Ip4Prefix.parse(prefix);
        int address = parsed.address();
        int length = parsed.length();
        switch (action) {
            case "add" -> {
                if (drop) {
                    fib.addDropRoute(table, address, length);
                } else {
                    int sw = -1;
                    if (interfaceName != null) {
                        sw = interfaces.find(interfaceName);
                        if (sw < 0) {
                            throw new IllegalArgumentException("no interface named " + interfaceName);
                        }
                    }
                    fib.addRoute(table, address, length, via == null ? 0 : PacketFormat.parseIp4(via), sw);
                }
            }
            case "del" -> {
                if (!fib.removeRoute(table, address, length)) {
                    System.out.println("no static route " + prefix + " in table " + table);
                }
            }
            default -> throw new IllegalArgumentException("action must be add or del, not " + action);
        }
        return null;
    }
}
