package io.sluice.driver.dpdk.internal;

import io.sluice.driver.dpdk.api.HardwareProfile;
import io.sluice.driver.dpdk.api.HardwareProfileException;
import io.sluice.driver.dpdk.api.PortDriver;
import io.sluice.driver.dpdk.api.PortProfile;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.vnet.api.InterfaceTable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Opens the dpdk ports of the hardware profile that {@code etc/io.sluice.hardware.cfg} selects: starts the
 * EAL with the profile's arguments, creates the mbuf pool, starts each port, registers it in the interface
 * table and adds dpdk-input to the graph. When DPDK is missing (or another version), or the profile has no
 * dpdk port, it does nothing else and says so in one log line; the other drivers are not affected.
 */
@Component(immediate = true, configurationPid = DpdkDriver.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class DpdkDriver {

    static final String PID = "io.sluice.hardware";
    private static final System.Logger LOG = System.getLogger(DpdkDriver.class.getName());

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private final List<DpdkPort> ports = new ArrayList<>();
    private DpdkInputNode input;
    private Thread opener;
    private boolean closing;
    private boolean keepPortsRunning;

    // org.osgi.service.component.ComponentConstants' deactivation reasons (OSGi Compendium, Declarative Services).
    private static final int DEACTIVATION_DISABLED = 1;
    private static final int DEACTIVATION_CONFIGURATION_MODIFIED = 3;
    private static final int DEACTIVATION_CONFIGURATION_DELETED = 4;

    @Activate
    public DpdkDriver(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces, Map<String, Object> config) {
        this.graph = graph;
        this.interfaces = interfaces;
        HardwareProfile profile;
        try {
            profile = HardwareProfileReader.load(directory(config), stringValue(config, "profile"));
        } catch (HardwareProfileException e) {
            LOG.log(System.Logger.Level.ERROR, PID + ": " + e.getMessage() + "; driver-dpdk opens no port");
            return;
        }
        List<PortProfile> wanted = profile.ports(PortDriver.DPDK);
        if (wanted.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "driver-dpdk idle: hardware profile " + profile.name()
                    + " has no dpdk port");
            return;
        }
        // EAL init, the mbuf pool and the ports take most of a second: off the thread that activates the box's
        // components, so the console is up sooner and the other drivers need not wait for DPDK.
        HardwareProfile chosen = profile;
        opener = new Thread(() -> openOrExplain(chosen, wanted), "sluice-dpdk-init");
        opener.setDaemon(true);
        opener.start();
    }

    private synchronized void openOrExplain(HardwareProfile profile, List<PortProfile> wanted) {
        if (closing) {
            return;
        }
        try {
            open(profile, wanted);
        } catch (DpdkUnavailableException e) {
            teardown();
            LOG.log(System.Logger.Level.WARNING, "driver-dpdk inactive: " + e.getMessage() + "; ports "
                    + wanted.stream().map(PortProfile::name).toList() + " of profile " + profile.name()
                    + " not opened");
        } catch (RuntimeException e) {
            teardown();
            LOG.log(System.Logger.Level.ERROR, "driver-dpdk: opening the ports of profile " + profile.name()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private void open(HardwareProfile profile, List<PortProfile> wanted) {
        Rte rte = Rte.bind();
        boolean initialised = Eal.start(rte, Eal.arguments(profile));
        MbufPool mbufs = MbufPool.open(rte, profile.dpdkMbufs());
        for (PortProfile portProfile : wanted) {
            DpdkPort port = DpdkPort.open(rte, mbufs, portProfile);
            ports.add(port);
            port.setSwIfIndex(interfaces.register(port));
        }
        input = new DpdkInputNode(interfaces);
        input.setPorts(ports);
        graph.addNode(input);
        LOG.log(System.Logger.Level.INFO, "driver-dpdk: " + rte.version() + (initialised ? "" : " (EAL already running)")
                + ", ports " + ports.stream().map(DpdkPort::name).toList() + " of profile " + profile.name()
                + (ports.stream().anyMatch(DpdkPort::tookOverRunningPort) ? " (taken over running)" : ""));
    }

    /**
     * Leaves the ports running when the bundle stops for an update (DS reason 6, bundle stopped; 2, a reference
     * gone; 5, disposed): the next instance takes them over with no link change. Stops them when the
     * configuration changed or went (3, 4) or the component was disabled (1), so that another profile can
     * configure them.
     */
    @Deactivate
    public void close(int reason) {
        keepPortsRunning = reason != DEACTIVATION_DISABLED && reason != DEACTIVATION_CONFIGURATION_MODIFIED
                && reason != DEACTIVATION_CONFIGURATION_DELETED;
        close();
    }

    /** Closes as for a changed configuration: the ports are stopped. */
    public void close() {
        Thread started;
        synchronized (this) {
            closing = true;
            started = opener;
        }
        if (started != null) {
            try {
                started.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            teardown();
        }
    }

    /** Waits until the ports are open (or opening gave up): for tests. */
    void awaitOpened() throws InterruptedException {
        Thread started = opener;
        if (started != null) {
            started.join(30_000);
        }
    }

    private void teardown() {
        if (input != null) {
            graph.removeNode(input);
            input = null;
        }
        for (DpdkPort port : ports) {
            if (port.swIfIndex() >= 0) {
                interfaces.unregister(port.swIfIndex());
            }
        }
        // no worker may be inside a burst while the port stops
        graph.withBarrier(() -> {
            for (DpdkPort port : ports) {
                if (keepPortsRunning) {
                    port.leaveRunning();
                } else {
                    port.stop();
                }
            }
            return null;
        });
        ports.clear();
    }

    private static Path directory(Map<String, Object> config) {
        Object value = config.get("directory");
        if (value == null) {
            String home = System.getProperty("karaf.home", ".");
            return Path.of(home, "hardware-profiles");
        }
        return Path.of(value.toString().trim());
    }

    private static String stringValue(Map<String, Object> config, String key) {
        Object value = config.get(key);
        if (value == null) {
            throw new HardwareProfileException("(none)", List.of(key + ": required in " + PID + ".cfg"));
        }
        return value.toString().trim();
    }
}
