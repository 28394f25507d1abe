package io.sluice.driver.afpacket.internal;

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
 * One host port per factory configuration of {@value HostPortConfig#FACTORY_PID}: opens the netdev through
 * AF_PACKET, registers the interface (its {@code -output} and {@code -tx} nodes) and has af-packet-input
 * poll it; deactivation undoes it in reverse order. Updating the bundle closes the sockets and opens them
 * again; the netdev itself, with its addresses, stays as it is, and the interface keeps its sw_if_index.
 */
@Component(configurationPid = HostPortConfig.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class HostPortComponent {

    private static final System.Logger LOG = System.getLogger(HostPortComponent.class.getName());

    private final PortAttachment<HostPort> attachment;

    @Activate
    public HostPortComponent(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces,
                             @Reference AfPacketInputNode input, Map<String, Object> properties) {
        int workers = graph.workerCount();
        this.attachment = PortAttachment.open(properties, config -> HostPortConfig.from(config, workers),
                "; port not opened", HostPort::open, graph, interfaces, input.deviceInput(), HostPort::rxQueues, LOG);
    }

    public HostPort port() {
        return attachment.port();
    }

    /**
     * Closes the sockets and unregisters the interface, whatever the reason: the netdev is the host's and stays as
     * it is, so nothing is kept across an update (the detach is told "deleted" for that reason).
     */
    @Deactivate
    public void deactivate() {
        attachment.detach(PortAttachment.CONFIGURATION_DELETED);
    }
}
