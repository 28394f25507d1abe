package io.sluice.ip4.config;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells the operator, in the log, when the box forwards: the moment every interface, route and neighbour
 * configuration is in force and every interface they put up is up and polled by a worker
 * ({@link ForwardingCondition}), with the time since the JVM's process started. A console answering says nothing
 * of the dataplane, so this is the boot figure issue 21's budget counts ({@code ./sluice start} prints it). Checks
 * every {@value #CHECK_MILLIS} ms on its own thread, reading without the barrier, and stops once it has said so;
 * after {@value #WARN_AFTER_SECONDS} s without forwarding it warns with what is missing, then checks each second.
 */
@Component(service = {}, immediate = true)
public final class ForwardingWatch {

    static final long CHECK_MILLIS = 10;
    static final long WARN_AFTER_SECONDS = 120;
    /** What the log line starts with; {@code ./sluice start} looks for it. */
    static final String FORWARDING = "forwarding: ";

    private static final String FILTER = "(|(service.factoryPid=" + InterfaceConfig.PID + ")(service.factoryPid="
            + RouteConfig.PID + ")(service.factoryPid=" + NeighbourConfig.PID + "))";

    private final System.Logger log = System.getLogger(ForwardingWatch.class.getName());
    private final InterfaceTable interfaces;
    private final GraphRuntime graph;
    private final ConfigurationAdmin configAdmin;
    private final Thread thread;
    private volatile boolean running = true;

    @Activate
    public ForwardingWatch(@Reference InterfaceTable interfaces, @Reference GraphRuntime graph,
                           @Reference ConfigurationAdmin configAdmin) {
        this.interfaces = interfaces;
        this.graph = graph;
        this.configAdmin = configAdmin;
        this.thread = new Thread(this::watch, "sluice-forwarding-watch");
        thread.setDaemon(true);
        thread.start();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(1000);
    }

    private void watch() {
        long started = System.nanoTime();
        boolean warned = false;
        try {
            while (running) {
                ForwardingCondition.Result result = ForwardingCondition.evaluate(configured(),
                        ConfigProgress.snapshot(), new LivePorts());
                if (result.forwarding()) {
                    log.log(System.Logger.Level.INFO, FORWARDING + result.summary() + "; " + sinceStart(started));
                    return;
                }
                long waited = System.nanoTime() - started;
                if (!warned && waited >= WARN_AFTER_SECONDS * 1_000_000_000L) {
                    warned = true;
                    log.log(System.Logger.Level.WARNING, "not forwarding " + WARN_AFTER_SECONDS
                            + " s after the ip4 bundle started: " + String.join("; ", result.reasons()));
                }
                Thread.sleep(warned ? 1000 : CHECK_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "the forwarding watch stopped: " + e, e);
        }
    }

    /** "N ms after the JVM's process started (JVM uptime U ms, M ms after this watch started)". */
    private static String sinceStart(long watchStarted) {
        long watchMillis = (System.nanoTime() - watchStarted) / 1_000_000;
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        long processAge = processAgeMillis();
        return (processAge >= 0 ? processAge + " ms after the JVM's process started (" : "(") + "JVM uptime " + uptime
                + " ms, " + watchMillis + " ms after this watch started)";
    }

    /**
     * How long ago this process was forked, from the kernel's own clock: /proc/uptime less the process's start time
     * (/proc/self/stat field 22, in USER_HZ ticks since boot: 100 per second on Linux, proc(5)). Both have 10 ms
     * resolution; ProcessHandle's startInstant adds the boot time from /proc/stat's btime, which is whole seconds,
     * so it is up to a second off. -1 when /proc cannot be read.
     */
    static long processAgeMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long startTicks = Long.parseLong(fields[22 - 3]);
            String uptime = Files.readString(Path.of("/proc/uptime"));
            double uptimeSeconds = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
            return Math.round(uptimeSeconds * 1000) - startTicks * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private List<ForwardingCondition.Configured> configured() {
        Configuration[] found;
        try {
            found = configAdmin.listConfigurations(FILTER);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("cannot list the configurations: " + e.getMessage(), e);
        }
        List<ForwardingCondition.Configured> result = new ArrayList<>();
        if (found != null) {
            for (Configuration c : found) {
                // A configuration made but never given properties is not delivered to any component.
                if (c.getProperties() != null) {
                    result.add(new ForwardingCondition.Configured(c.getPid(), c.getFactoryPid()));
                }
            }
        }
        return result;
    }

    /** The interface table and the graph as they are now. */
    private final class LivePorts implements ForwardingCondition.Ports {

        @Override
        public String notForwarding(String name) {
            int sw = interfaces.find(name);
            if (sw < 0) {
                return "not registered by its driver";
            }
            if (!interfaces.snapshot().adminUp(sw)) {
                return "admin down";
            }
            Device device = interfaces.device(sw);
            if (device == null || !device.linkUp()) {
                return "link down";
            }
            List<String> inputs = new ArrayList<>();
            for (InterfaceTable.RxQueue queue : interfaces.rxQueues()) {
                if (queue.swIfIndex() == sw) {
                    if (graph.pollingWorker(queue.inputNode(), sw, queue.queue()) >= 0) {
                        return null;
                    }
                    inputs.add(queue.inputNode());
                }
            }
            return inputs.isEmpty() ? "no input node polls its receive queues" : "no worker polls " + inputs + " yet";
        }

        @Override
        public String describe(String name) {
            int sw = interfaces.find(name);
            for (InterfaceTable.RxQueue queue : interfaces.rxQueues()) {
                int worker = queue.swIfIndex() == sw ? graph.pollingWorker(queue.inputNode(), sw, queue.queue()) : -1;
                if (worker >= 0) {
                    return name + " (" + queue.inputNode() + ", worker " + worker + ")";
                }
            }
            return name;
        }
    }
}
