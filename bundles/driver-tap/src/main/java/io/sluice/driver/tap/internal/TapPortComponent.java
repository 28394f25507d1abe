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
 * <p>Hot swap: a pod's TAP is persistent (TUNSETPERSIST). Updating this bundle deactivates the component, whose
 * descriptor closes while the pod's interface stays, with its addresses and routes, carrier off; the new
 * instance attaches to it by name in the pod's namespace and configures nothing again. The pod's sockets and
 * routes never see the interface go. The box's interface keeps its name and sw_if_index, so routes, features and
 * admin state configured on it stay. Only a deleted configuration removes the TAP. TapGraphTest measures the gap.
 */
@Component(configurationPid = TapPortConfig.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class TapPortComponent {

    private static final System.Logger LOG = System.getLogger(TapPortComponent.class.getName());
    /** OSGi Compendium 112.5.16 (ComponentConstants): the configuration was changed, or deleted. */
    static final int CONFIGURATION_MODIFIED = 3;
    static final int CONFIGURATION_DELETED = 4;

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

    /** Removes the port and its pod interface: its configuration is gone. */
    public void deactivate() {
        deactivate(CONFIGURATION_DELETED);
    }

    /**
     * Only a deleted or changed configuration takes the pod's interface away. Stopped for any other reason (this bundle
     * updated, the box restarting) the pod keeps its interface, addresses and routes; the next instance attaches
     * to it and the pod sees only its carrier drop for the gap.
     */
    @Deactivate
    public void deactivate(int reason) {
        unregisterQuietly();
        // after the barrier no worker is inside virtio-input or tapN-tx with this port: closing is safe
        graph.withBarrier(() -> {
            input.detach(port);
            return null;
        });
        // A changed configuration (this component has no modified method) makes the port anew as it now says.
        port.close(reason == CONFIGURATION_DELETED || reason == CONFIGURATION_MODIFIED);
    }

    private void unregisterQuietly() {
        int sw = port.swIfIndex();
        if (sw > 0 && interfaces.device(sw) == port) {
            interfaces.unregister(sw);
        }
    }
}
