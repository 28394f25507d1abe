package io.sluice.vnet.api;

import io.sluice.graph.api.GraphRuntime;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The lifecycle every driver's port component shares (one component per factory configuration): read the
 * configuration or refuse it with its message, register the port in the interface table (its {@code -output}
 * and {@code -tx} nodes), have the driver's input node poll it; on deactivation undo that in reverse order, the
 * polling stopped under the graph's barrier so that no worker is inside the port when it closes.
 *
 * <p>An interface that is registered again under its name (the driver's bundle updated, the box restarting)
 * keeps its sw_if_index and its admin state; only a fresh one gets the configured admin state.
 */
public final class PortAttachment<P extends PolledPort> {

    /** OSGi Compendium 112.5.16 (ComponentConstants): the configuration was changed, or deleted. */
    public static final int CONFIGURATION_MODIFIED = 3;
    public static final int CONFIGURATION_DELETED = 4;

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private final P port;
    /** Stops the input node polling the port's queues (under the barrier). */
    private final Runnable detachQueues;

    private PortAttachment(GraphRuntime graph, InterfaceTable interfaces, P port, Runnable detachQueues) {
        this.graph = graph;
        this.interfaces = interfaces;
        this.port = port;
        this.detachQueues = detachQueues;
    }

    /**
     * Reads the configuration with {@code parse}, opens its port with {@code open}, registers the port and has
     * {@code input} poll it. A refused configuration is logged as its message followed by {@code consequence}
     * ("; port not created") and rethrown, so the component does not activate. A port that cannot be registered
     * is logged naming the PID, unregistered and closed, and the failure rethrown: nothing is left behind.
     */
    public static <C extends PortConfig, P extends PolledPort> PortAttachment<P> open(
            Map<String, Object> properties, Function<Map<String, Object>, C> parse, String consequence,
            Function<C, P> open, GraphRuntime graph, InterfaceTable interfaces, DeviceInput<P> input,
            System.Logger log) {
        return open(properties, parse, consequence, open, graph, interfaces, input, port -> List.of(port), log);
    }

    /**
     * As {@link #open(Map, Function, String, Function, GraphRuntime, InterfaceTable, DeviceInput, System.Logger)}
     * for a port with several receive queues: {@code input} polls each of {@code queuesOf(port)}, each placed on its
     * worker by the port's {@code rx-placement} (or the configuration's default, {@link PortConfig#rxPlacement}).
     */
    public static <C extends PortConfig, P extends PolledPort, Q extends DeviceInput.Port> PortAttachment<P> open(
            Map<String, Object> properties, Function<Map<String, Object>, C> parse, String consequence,
            Function<C, P> open, GraphRuntime graph, InterfaceTable interfaces, DeviceInput<Q> input,
            Function<P, List<Q>> queuesOf, System.Logger log) {
        C config;
        PortRxMode rxMode;
        int[] rxPlacement;
        try {
            config = parse.apply(properties);
            PortProperties checked = new PortProperties(properties, config.pid());
            rxMode = rxMode(checked);
            rxPlacement = rxPlacement(checked, interfaces.workerCount());
            if (rxPlacement == null && !graph.inputPlacedByConfiguration(input.nodeName())) {
                // the graph's placement of the node is the operator's word too; only without either does the
                // driver's choice (a steered queue's worker, a pod's owner) apply
                rxPlacement = config.rxPlacement(interfaces.workerCount());
            }
        } catch (IllegalArgumentException e) {
            log.log(System.Logger.Level.ERROR, e.getMessage() + consequence);
            throw e;
        }
        P port = open.apply(config);
        List<Q> queues = queuesOf.apply(port);
        PortAttachment<P> attachment = new PortAttachment<>(graph, interfaces, port, () -> {
            for (Q queue : queues) {
                input.detach(queue);
            }
        });
        try {
            boolean fresh = interfaces.find(port.name()) < 0;
            int sw = interfaces.register(port);
            port.setSwIfIndex(sw);
            if (fresh) {
                interfaces.setAdminUp(sw, config.adminUp());
            }
            interfaces.setRxMode(sw, rxMode);
            interfaces.setRxPlacement(sw, rxPlacement);
            for (Q queue : queues) {
                input.attach(queue);
            }
            return attachment;
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, config.pid() + ": cannot register " + port.name() + ": "
                    + e.getMessage());
            attachment.unregisterQuietly();
            port.close(true);
            throw e;
        }
    }

    /** The configured rx-mode ({@link PortConfig#RX_MODE}), or null when the key is absent: the worker's applies. */
    static PortRxMode rxMode(PortProperties properties) {
        String text = properties.optional(PortConfig.RX_MODE);
        if (text == null) {
            return null;
        }
        try {
            return PortRxMode.named(text);
        } catch (IllegalArgumentException e) {
            throw properties.refuse(PortConfig.RX_MODE, e.getMessage());
        }
    }

    /**
     * The configured rx placement ({@link PortConfig#RX_PLACEMENT}): workers, each within 0..{@code workers}-1, or
     * null when the key is absent.
     */
    static int[] rxPlacement(PortProperties properties, int workers) {
        String text = properties.optional(PortConfig.RX_PLACEMENT);
        if (text == null) {
            return null;
        }
        String[] words = text.trim().split("[,\\s]+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw properties.refuse(PortConfig.RX_PLACEMENT, "names no worker");
        }
        int[] placed = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            try {
                placed[i] = Integer.parseInt(words[i]);
            } catch (NumberFormatException e) {
                throw properties.refuse(PortConfig.RX_PLACEMENT, "'" + words[i] + "' is not a worker number");
            }
            if (placed[i] < 0 || placed[i] >= workers) {
                throw properties.refuse(PortConfig.RX_PLACEMENT, "worker " + placed[i] + ", but the workers are 0.."
                        + (workers - 1));
            }
        }
        return placed;
    }

    public P port() {
        return port;
    }

    /**
     * Unregisters the interface, stops polling under the barrier and closes the port; {@code reason} is the
     * component's deactivation reason: a changed or deleted configuration removes what the driver keeps.
     */
    public void detach(int reason) {
        unregisterQuietly();
        // after the barrier no worker is inside the input node or the interface's tx node with this port
        graph.withBarrier(() -> {
            detachQueues.run();
            return null;
        });
        port.close(reason == CONFIGURATION_DELETED || reason == CONFIGURATION_MODIFIED);
    }

    private void unregisterQuietly() {
        int sw = port.swIfIndex();
        if (sw > 0 && interfaces.device(sw) == port) {
            interfaces.unregister(sw);
        }
    }
}
