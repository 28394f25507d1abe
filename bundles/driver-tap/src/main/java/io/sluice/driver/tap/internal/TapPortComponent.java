package io.sluice.driver.tap.internal;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.PortAttachment;
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

    private final PortAttachment<TapPort> attachment;

    @Activate
    public TapPortComponent(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces,
                            @Reference VirtioInputNode input, Map<String, Object> properties) {
        this.attachment = PortAttachment.open(properties, TapPortConfig::from, "; port not created",
                config -> TapPort.open(config.name(), config.tapName(), config.mac(), config.mtu(),
                        config.checksumOffload(), config.pod()),
                graph, interfaces, input.deviceInput(), LOG);
    }

    public TapPort port() {
        return attachment.port();
    }

    /** Removes the port and its pod interface: its configuration is gone. */
    public void deactivate() {
        deactivate(PortAttachment.CONFIGURATION_DELETED);
    }

    /**
     * Only a deleted or changed configuration takes the pod's interface away (a changed one makes the port anew
     * as it now says: this component has no modified method). Stopped for any other reason (this bundle
     * updated, the box restarting) the pod keeps its interface, addresses and routes; the next instance attaches
     * to it and the pod sees only its carrier drop for the gap.
     */
    @Deactivate
    public void deactivate(int reason) {
        attachment.detach(reason);
    }
}
