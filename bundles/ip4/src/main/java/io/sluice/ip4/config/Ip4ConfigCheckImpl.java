package io.sluice.ip4.config;

import io.sluice.ip4.api.Ip4ConfigCheck;
import org.osgi.service.component.annotations.Component;

import java.util.Map;

/** The parsers of {@link InterfaceConfig}, {@link RouteConfig} and {@link NeighbourConfig}, run without applying. */
@Component(service = Ip4ConfigCheck.class)
public final class Ip4ConfigCheckImpl implements Ip4ConfigCheck {

    @Override
    public void check(String factoryPid, Map<String, ?> properties) {
        ConfigValues values = new ConfigValues(factoryPid, properties);
        switch (factoryPid) {
            case INTERFACE_PID -> InterfaceConfig.read(values);
            case ROUTE_PID -> RouteConfig.read(values);
            case NEIGHBOUR_PID -> NeighbourConfig.read(values);
            default -> throw new IllegalArgumentException("no ip4 configuration has factory PID " + factoryPid);
        }
    }
}
