package io.sluice.driver.tap.internal;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.util.Map;

/**
 * One pod port per factory configuration of {@value TapPortConfig#FACTORY_PID}: creates the TAP, sets up the
 * pod's side, registers interface {@code name} (its {@code -output} and {@code -tx} nodes) and has
 * {@code virtio-input} poll it; deactivation undoes it in the reverse order.
 *
 * <p>Hot swap: updating this bundle deactivates the component (the TAP's descriptor closes, and the kernel
 * removes the pod's interface with its addresses and routes: a TAP that is not persistent lives only as
 * long as its descriptor) and activates the new one, which re-creates the TAP and re-applies the same pod
 * configuration. The interface keeps its name and sw_if_index, so routes, features and admin state
 * configured on it stay (so do MAC and MTU: the interface table takes them from the device at the first
 * registration only, and {@code io.sluice.interface} may override them); the pod is without its interface
 * for the gap measured in TapGraphTest.
 */
@Component(configurationPid = TapPortConfig.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class TapPortComponent {

    private static final System.Logger LOG = System.getLogger(TapPortComponent.class.getName());

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private final VirtioInputNode input;
    private final TapPort port;

    @Activate
    public TapPortComponent(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces,
                            @Reference VirtioInputNode input, Map<String, Object> properties) {
        this.graph = graph;
        this.interfaces = interfaces;
        this.input = input;
        TapPortConfig config;
        try {
            config = TapPortConfig.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; port not created");
            throw e;
        }
        this.port = TapPort.open(config.name(), config.tapName(), config.mac(), config.mtu(),
                config.checksumOffload(), config.pod());
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

    public TapPort port() {
        return port;
    }

    @Deactivate
    public void deactivate() {
        unregisterQuietly();
        // after the barrier no worker is inside virtio-input or tapN-tx with this port: closing is safe
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
