package io.sluice.shell.ip4;

import io.sluice.ip4.api.Ip4ConfigCheck;
import io.sluice.ip4.api.Ip4Fib;
import io.sluice.packet.api.Ip4Prefix;
import io.sluice.shell.config.ConsoleConfig;

/** The route configurations as {@code ip:route} finds them: by table and prefix, whatever their file is named. */
final class StoredRoutes {
    private StoredRoutes() {
    }

    /** The configuration of the static route {@code prefix} in {@code table}, or null. */
    static ConsoleConfig.Stored find(ConsoleConfig config, int table, String prefix) {
        Ip4Prefix wanted;
        try {
            wanted = Ip4Prefix.parse(prefix);
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (ConsoleConfig.Stored stored : config.factory(Ip4ConfigCheck.ROUTE_PID)) {
            String storedPrefix = stored.value("prefix");
            String storedTable = stored.value("table");
            if (storedPrefix == null || storedPrefix.indexOf('/') < 0) {
                continue;
            }
            try {
                Ip4Prefix parsed = Ip4Prefix.parse(storedPrefix);
                int parsedTable = storedTable == null || storedTable.isEmpty() ? 0 : Integer.parseInt(storedTable);
                if (parsedTable == table && parsed.address() == wanted.address()
                        && parsed.length() == wanted.length()) {
                    return stored;
                }
            } catch (IllegalArgumentException e) {
                // A file its component refused holds no route; it is not the one asked for.
            }
        }
        return null;
    }

    /** True when the FIB holds a static route for {@code prefix} in {@code table}. */
    static boolean inFib(Ip4Fib fib, int table, Ip4Prefix prefix) {
        for (Ip4Fib.Route route : fib.routes(table)) {
            if (route.address() == prefix.address() && route.length() == prefix.length()
                    && route.source().equals("static")) {
                return true;
            }
        }
        return false;
    }
}
