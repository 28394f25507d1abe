package io.sluice.ip4.config;

import io.sluice.ethernet.api.NeighbourTable;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import java.util.Map;

/** One static neighbour, factory PID {@value #PID} (files {@code etc/io.sluice.ip4.neighbour-<name>.cfg}). */
@Component(service = {}, immediate = true, configurationPid = NeighbourConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class NeighbourConfig extends InterfaceBoundConfig<NeighbourConfig.Neighbour> {

    public static final String PID = "io.sluice.ip4.neighbour";

    record Neighbour(String interfaceName, int address, long mac) {
    }

    private final NeighbourTable neighbours;

    @Activate
    public NeighbourConfig(@Reference InterfaceTable interfaces, @Reference NeighbourTable neighbours,
                           Map<String, Object> properties) {
        super(interfaces, PID);
        this.neighbours = neighbours;
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
    Neighbour parse(ConfigValues values) {
        return read(values);
    }

    /** The neighbour {@code values} give, checked in full (also what {@link Ip4ConfigCheckImpl} runs). */
    static Neighbour read(ConfigValues values) {
        return new Neighbour(values.string("interface"), values.ip4("address"), values.mac("mac"));
    }

    @Override
    String[] interfaceNames(Neighbour neighbour) {
        return new String[] {neighbour.interfaceName()};
    }

    @Override
    void apply(Neighbour previous, Neighbour neighbour) {
        neighbours.addStatic(interfaces.find(neighbour.interfaceName()), neighbour.address(), neighbour.mac());
        if (previous != null && (!previous.interfaceName().equals(neighbour.interfaceName())
                || previous.address() != neighbour.address())) {
            withdraw(previous);
        }
    }

    @Override
    void withdraw(Neighbour neighbour) {
        int sw = interfaces.find(neighbour.interfaceName());
        if (sw >= 0) {
            neighbours.remove(sw, neighbour.address());
        }
    }
}
