package io.sluice.driver.afxdp.internal;

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
 * One AF_XDP host port per factory configuration of {@value XskPortConfig#FACTORY_PID}: binds the netdev's queue
 * through libxdp, registers the interface (its {@code -output} and {@code -tx} nodes) and has af_xdp-input poll
 * it; deactivation undoes it in reverse order. Where libxdp is missing the configuration is refused with one log
 * line naming the packages. The netdev itself, with its addresses, stays as it is.
 */
@Component(configurationPid = XskPortConfig.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class XskPortComponent {

    private static final System.Logger LOG = System.getLogger(XskPortComponent.class.getName());

    private final PortAttachment<XskPort> attachment;

    @Activate
    public XskPortComponent(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces,
                            @Reference AfXdpInputNode input, Map<String, Object> properties) {
        String unavailable = LibXdp.unavailableReason();
        if (unavailable != null) {
            LOG.log(System.Logger.Level.ERROR, properties.get("service.pid") + ": " + unavailable + "; port not opened");
            throw new IllegalStateException(unavailable);
        }
        this.attachment = PortAttachment.open(properties, XskPortConfig::from, "; port not opened",
                config -> {
                    XskPort port = XskPort.open(config);
                    LOG.log(System.Logger.Level.INFO, config.pid() + ": " + port.name() + " on " + port.ifName()
                            + " queue " + config.socket().queueId() + ", bound " + port.device().boundMode());
                    return port;
                },
                graph, interfaces, input.deviceInput(), LOG);
    }

    public XskPort port() {
        return attachment.port();
    }

    /** Closes the socket and unregisters the interface, whatever the reason: nothing is kept across an update. */
    @Deactivate
    public void deactivate() {
        attachment.detach(PortAttachment.CONFIGURATION_DELETED);
    }
}
