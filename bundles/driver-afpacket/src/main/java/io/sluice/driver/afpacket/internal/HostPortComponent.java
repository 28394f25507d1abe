package io.sluice.driver.afpacket.internal;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.util.Map;

/**
 * One host port per factory configuration of {@value HostPortConfig#FACTORY_PID}: opens the netdev through
 * AF_PACKET, registers the interface (its {@code -output} and {@code -tx} nodes) and has af-packet-input
 * poll it; deactivation undoes it in reverse order. Updating the bundle closes the sockets and opens them
 * again; the netdev itself, with its addresses, stays as it is, and the interface keeps its sw_if_index.
 */
@Component(configurationPid = HostPortConfig.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class HostPortComponent {

    private static final System.Logger LOG = System.getLogger(HostPortComponent.class.getName());

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private final AfPacketInputNode input;
    private final HostPort port;

    @Activate
    public HostPortComponent(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces,
                             @Reference AfPacketInputNode input, Map<String, Object> properties) {
        this.graph = graph;
        this.interfaces = interfaces;
        this.input = input;
        HostPortConfig config;
        try {
            config = HostPortConfig.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; port not opened");
            throw e;
        }
        this.port = HostPort.open(config.name(), config.hostIfName(), config.namespace(), config.macOverride(),
                config.rings());
        try {
            boolean fresh = interfaces.find(config.name()) < 0;
            int sw = interfaces.register(port);
            port.setSwIfIndex(sw);
            if (fresh) {
                interfaces.setAdminUp(sw, config.adminUp());
            }
            input.attach(port);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, config.pid() + ": cannot register " + config.name() + ": "
                    + e.getMessage());
            unregisterQuietly();
            port.close();
            throw e;
        }
    }

    public HostPort port() {
        return port;
    }

    @Deactivate
    public void deactivate() {
        unregisterQuietly();
        graph.withBarrier(() -> {
            input.detach(port);
            return null;
        });
        port.close();
    }

    private void unregisterQuietly() {
        int sw = port.swIfIndex();
        if (sw > 0 && interfaces.device(sw) == port) {
            interfaces.unregister(sw);
        }
    }
}
