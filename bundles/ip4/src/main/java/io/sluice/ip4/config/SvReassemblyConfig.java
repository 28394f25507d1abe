package io.sluice.ip4.config;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.ip4.node.Ip4SvReassemblyFeatureNode;
import io.sluice.ip4.node.SvReassemblySettings;
import io.sluice.vnet.api.InterfaceListener;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import java.util.Map;

/**
 * Shallow virtual reassembly, PID {@value #PID} (optional file {@code etc/io.sluice.ip4.reassembly.cfg}; keys in
 * docs/configuration.md): builds ip4-sv-reassembly-feature and ip4-sv-reassembly-output-feature with the limits,
 * adds them to the graph and enables them on every interface, on both arcs, ahead of any ACL or NAT there (a feature
 * stays enabled when this component goes: the desired state is the graph's). It is always on, not only where an ACL
 * or NAT sits, so that a policy bound later never meets a fragment without its ports; a packet that is not a fragment
 * costs one read of its flags. New limits rebuild both nodes (their held fragments are freed, under the barrier).
 */
@Component(service = {}, immediate = true, configurationPid = SvReassemblyConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class SvReassemblyConfig implements InterfaceListener {

    public static final String PID = "io.sluice.ip4.reassembly";

    private static final System.Logger LOG = System.getLogger(SvReassemblyConfig.class.getName());

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private SvReassemblySettings settings;
    private Ip4SvReassemblyFeatureNode input;
    private Ip4SvReassemblyFeatureNode output;
    private int enabled = 1;

    @Activate
    public SvReassemblyConfig(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces,
                              Map<String, Object> properties) {
        this.graph = graph;
        this.interfaces = interfaces;
        SvReassemblySettings parsed;
        try {
            parsed = parse(new ConfigValues(PID, properties));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; the defaults are in force instead");
            parsed = SvReassemblySettings.DEFAULTS;
        }
        install(parsed);
        interfaces.addListener(this);
        enable(interfaces.snapshot());
    }

    @Modified
    void modified(Map<String, Object> properties) {
        SvReassemblySettings parsed;
        try {
            parsed = parse(new ConfigValues(PID, properties));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; the limits in force stay");
            return;
        }
        synchronized (this) {
            if (parsed.equals(settings)) {
                return;
            }
            uninstall();
            install(parsed);
        }
    }

    @Deactivate
    void deactivate() {
        interfaces.removeListener(this);
        synchronized (this) {
            uninstall();
        }
    }

    static SvReassemblySettings parse(ConfigValues values) {
        SvReassemblySettings d = SvReassemblySettings.DEFAULTS;
        return new SvReassemblySettings(
                values.integer("max-reassemblies", 1, 1 << 20, d.maxReassemblies()),
                values.integer("max-fragments", 1, 64, d.maxFragments()),
                values.integer("max-held-buffers", 0, 1 << 20, d.maxHeldBuffers()),
                values.integer("timeout-ms", 1, 60_000, (int) d.timeoutMillis()));
    }

    private synchronized void install(SvReassemblySettings next) {
        settings = next;
        int workers = graph.workerCount();
        input = new Ip4SvReassemblyFeatureNode(next, workers, System::nanoTime);
        output = Ip4SvReassemblyFeatureNode.output(next, workers, System::nanoTime);
        graph.addNode(input);
        graph.addNode(output);
        LOG.log(System.Logger.Level.INFO, "ip4-sv-reassembly: max-reassemblies " + next.maxReassemblies()
                + ", max-fragments " + next.maxFragments() + ", max-held-buffers " + next.maxHeldBuffers()
                + ", timeout-ms " + next.timeoutMillis() + " (per worker and node)");
    }

    /** Removes both nodes (their buffers park meanwhile), then frees what they held in the workers' pools. */
    private void uninstall() {
        Ip4SvReassemblyFeatureNode oldInput = input;
        Ip4SvReassemblyFeatureNode oldOutput = output;
        try {
            graph.removeNode(oldInput);
            graph.removeNode(oldOutput);
            int freed = graph.withBarrier(() -> oldInput.clear() + oldOutput.clear());
            if (freed > 0) {
                LOG.log(System.Logger.Level.INFO, "ip4-sv-reassembly: freed " + freed + " held fragments");
            }
        } catch (RuntimeException e) {
            // The graph is going away itself (the box stops): its pools go with it.
            LOG.log(System.Logger.Level.DEBUG, "ip4-sv-reassembly: graph gone before the nodes' removal", e);
        }
    }

    @Override
    public void interfaceChanged(InterfaceSnapshot previous, InterfaceSnapshot current) {
        enable(current);
    }

    private synchronized void enable(InterfaceSnapshot snapshot) {
        for (int sw = enabled; sw < snapshot.size(); sw++) {
            if (snapshot.name(sw) != null) {
                graph.enableFeature(FeatureArc.IP4_UNICAST, Ip4Graph.IP4_SV_REASSEMBLY_FEATURE, sw, true);
                graph.enableFeature(FeatureArc.IP4_OUTPUT, Ip4Graph.IP4_SV_REASSEMBLY_OUTPUT_FEATURE, sw, true);
            }
        }
        enabled = Math.max(enabled, snapshot.size());
    }
}
