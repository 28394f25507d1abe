package io.sluice.example.dscp;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.vnet.api.InterfaceListener;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One interface's marking, from one factory configuration of PID {@value #FACTORY_PID}
 * ({@code etc/io.sluice.example.dscp-<name>.cfg}):
 * <pre>
 *  interface = tap2     the interface whose received IPv4 packets are marked
 *  dscp      = 46       the code point, 0..63 (46: EF, RFC 3246)
 * </pre>
 * A file with an error is refused with a log line naming the file, the key and why, and changes nothing. The
 * feature is enabled once the interface exists (drivers register their ports in any order). Like the box's own
 * policy, the marking is withdrawn only when its file is deleted: stopped for any other reason (the bundle
 * updated or removed) it leaves the feature on, and the graph parks, then drops and counts, what arrives for
 * the absent node, rather than let it pass unmarked.
 */
@Component(service = {}, immediate = true, configurationPid = DscpMarkConfig.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class DscpMarkConfig implements InterfaceListener {
    static final String FACTORY_PID = "io.sluice.example.dscp";
    /** OSGi Compendium 112.5.16 (ComponentConstants): the configuration was deleted. */
    static final int CONFIGURATION_DELETED = 4;

    private static final System.Logger LOG = System.getLogger(DscpMarkConfig.class.getName());
    /** Interface listeners are called with the table's lock held: the graph is changed from here instead. */
    private static final ExecutorService APPLIER = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "ip4-dscp-mark-config");
        thread.setDaemon(true);
        return thread;
    });

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private final DscpMarkNode node;
    private final String interfaceName;
    private final int dscp;
    private volatile int appliedSw = -1;

    record Settings(String interfaceName, int dscp) {
        static Settings parse(Map<String, ?> properties) {
            // Karaf's file installer names the file it read (a URL); a configuration made otherwise, its PID.
            Object file = properties.get("felix.fileinstall.filename");
            String origin = file != null ? file.toString() : FACTORY_PID;
            Object name = properties.get("interface");
            if (name == null || name.toString().isBlank()) {
                throw new IllegalArgumentException(origin + ": key 'interface' is missing: the interface to mark, e.g. tap2");
            }
            Object value = properties.get("dscp");
            int dscp;
            try {
                dscp = Integer.parseInt(String.valueOf(value).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(origin + ": key 'dscp' = '" + value + "': not a whole number 0..63");
            }
            if (dscp < 0 || dscp > 63) {
                throw new IllegalArgumentException(origin + ": key 'dscp' = '" + value
                        + "': a code point is six bits, 0..63 (RFC 2474)");
            }
            return new Settings(name.toString().trim(), dscp);
        }
    }

    @Activate
    public DscpMarkConfig(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces,
                          @Reference DscpMarkNode node, Map<String, Object> properties) {
        this.graph = graph;
        this.interfaces = interfaces;
        this.node = node;
        Settings settings;
        try {
            settings = Settings.parse(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; refused, nothing marked");
            settings = null;
        }
        this.interfaceName = settings == null ? null : settings.interfaceName();
        this.dscp = settings == null ? 0 : settings.dscp();
        if (settings != null) {
            interfaces.addListener(this);
            APPLIER.execute(this::apply);
        }
    }

    @Override
    public void interfaceChanged(InterfaceSnapshot previous, InterfaceSnapshot current) {
        APPLIER.execute(this::apply);
    }

    private synchronized void apply() {
        int sw = interfaces.find(interfaceName);
        if (sw < 0 || sw == appliedSw) {
            return;
        }
        node.setCodePoint(sw, dscp);
        try {
            graph.enableFeature(FeatureArc.IP4_UNICAST, DscpMarkNode.NAME, sw, true);
            appliedSw = sw;
        } catch (IllegalArgumentException notYet) {
            LOG.log(System.Logger.Level.WARNING, "ip4-dscp-mark on " + interfaceName + ": " + notYet.getMessage()
                    + "; retried when the interfaces change");
        }
    }

    @Deactivate
    void deactivate(int reason) {
        if (interfaceName == null) {
            return;
        }
        interfaces.removeListener(this);
        if (reason != CONFIGURATION_DELETED) {
            return;
        }
        synchronized (this) {
            int sw = appliedSw;
            if (sw >= 0) {
                graph.enableFeature(FeatureArc.IP4_UNICAST, DscpMarkNode.NAME, sw, false);
                node.setCodePoint(sw, DscpMarkNode.UNSET);
                appliedSw = -1;
            }
        }
    }
}
