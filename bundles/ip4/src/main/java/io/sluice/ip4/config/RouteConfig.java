package io.sluice.ip4.config;

import io.sluice.ip4.api.Ip4Fib;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import java.util.Map;

/** One static route, factory PID {@value #PID} (files {@code etc/io.sluice.ip4.route-<name>.cfg}). */
@Component(service = {}, immediate = true, configurationPid = RouteConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class RouteConfig extends InterfaceBoundConfig<RouteConfig.Route> {

    public static final String PID = "io.sluice.ip4.route";

    record Route(int table, int address, int length, boolean drop, int via, String interfaceName) {
    }

    private final Ip4Fib fib;

    @Activate
    public RouteConfig(@Reference InterfaceTable interfaces, @Reference Ip4Fib fib, Map<String, Object> properties) {
        super(interfaces, PID);
        this.fib = fib;
        interfaces.addListener(this);
        configure(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        configure(properties);
    }

    @Deactivate
    void deactivate() {
        interfaces.removeListener(this);
        remove();
    }

    @Override
    Route parse(ConfigValues values) {
        return read(values);
    }

    /** The route {@code values} give, checked in full (also what {@link Ip4ConfigCheckImpl} runs). */
    static Route read(ConfigValues values) {
        int[] prefix = values.prefix("prefix", values.string("prefix"), true);
        int table = values.integer("table", 0, Ip4Fib.MAX_TABLES - 1, 0);
        boolean drop = values.choice("type", "via", "via", "drop").equals("drop");
        int via = values.has("via") ? values.ip4("via") : 0;
        String interfaceName = values.has("interface") ? values.string("interface") : null;
        if (drop && (via != 0 || interfaceName != null)) {
            throw values.refuse("type", "drop", "takes no 'via' and no 'interface'");
        }
        if (!drop && via == 0 && interfaceName == null) {
            throw values.refuse("via", null, "is required (or 'interface', or type = drop)");
        }
        return new Route(table, prefix[0], prefix[1], drop, via, interfaceName);
    }

    @Override
    String[] interfaceNames(Route route) {
        return route.interfaceName() == null ? new String[0] : new String[] {route.interfaceName()};
    }

    @Override
    void apply(Route previous, Route route) {
        if (route.drop()) {
            fib.addDropRoute(route.table(), route.address(), route.length());
        } else {
            int sw = route.interfaceName() == null ? -1 : interfaces.find(route.interfaceName());
            fib.addRoute(route.table(), route.address(), route.length(), route.via(), sw);
        }
        if (previous != null && (previous.table() != route.table() || previous.address() != route.address()
                || previous.length() != route.length())) {
            withdraw(previous);
        }
    }

    @Override
    void withdraw(Route route) {
        fib.removeRoute(route.table(), route.address(), route.length());
    }
}
