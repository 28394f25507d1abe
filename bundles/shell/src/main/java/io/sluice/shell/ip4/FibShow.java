package io.sluice.shell.ip4;

import io.sluice.ip4.api.Ip4Fib;
import io.sluice.ip4.api.Ip4Fib.Route;
import io.sluice.packet.api.Ip4Prefix;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import java.util.List;

/** VPP's {@code show ip fib [prefix]}: every route of a table, or the one an address matches. */
@Command(scope = "ip", name = "fib", description = "Shows the FIB: all routes, or the route an address or prefix matches")
@Service
public class FibShow implements Action {

    @Reference
    Ip4Fib fib;

    @Argument(index = 0, name = "prefix", description = "a.b.c.d or a.b.c.d/len: show the longest match only")
    String prefix;

    @Option(name = "--table", description = "FIB table (default 0)")
    int table;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        List<Route> routes;
        if (prefix == null) {
            routes = fib.routes(table);
        } else {
            Route match = fib.longestMatch(table, Ip4Prefix.parse(prefix, 32).address());
            routes = match == null ? List.of() : List.of(match);
        }
        ShellTable out = new ShellTable();
        out.column("Prefix");
        out.column("Source");
        out.column("Dpo-idx");
        out.column("Forwarding");
        for (Route route : routes) {
            out.addRow().addContent(route.prefix(), route.source(), route.adjacency(), route.via());
        }
        out.print(System.out, !noFormat);
        if (routes.isEmpty()) {
            System.out.println(prefix == null ? "table " + table + " is empty" : "no route (unreachable)");
        }
        return null;
    }
}
