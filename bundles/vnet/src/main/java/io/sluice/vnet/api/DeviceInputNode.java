package io.sluice.vnet.api;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.InterruptibleInput;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.QueuePlacedInput;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.TraceFormatter;

import java.util.List;

/**
 * A driver's input node: its registration and the {@link DeviceInput} loop it runs, with final methods, so
 * that a driver writes only its part ({@link DeviceInput.Driver}: one batch of a port, its trace records) and
 * its formatter and errors. Every worker runs it, each polling the ports placed on it ({@link QueuePlacedInput}). A worker may sleep on the ports' descriptors when they are quiet (rx-mode): a
 * port without one ({@link DeviceInput.Port#rxFd}) keeps it polling.
 *
 * @param <P> what the node polls: a port, or one receive queue of a port
 */
public abstract class DeviceInputNode<P extends DeviceInput.Port> implements Node, DeviceInput.Driver<P>,
        InterruptibleInput, QueuePlacedInput {

    private final NodeRegistration registration;
    private final DeviceInput<P> input;
    private final DeviceInput.EthernetArcs ethernetArcs;

    protected DeviceInputNode(InterfaceTable interfaces, NodeRegistration registration) {
        this.registration = registration;
        this.input = new DeviceInput<>(interfaces, registration.name(), this, registration.errors().size());
        this.ethernetArcs = null;
    }

    /**
     * An Ethernet device's input node, registered as {@code name} with the device-input arcs ({@link DeviceNext}),
     * the constants of {@code errors} as its error counters and {@code formatter} for its trace records; its
     * frames are accepted ({@link DeviceInput#acceptEthernet}) to {@link #ethernetArcs()}, counting {@code runt},
     * {@code oversize} and {@code down}.
     */
    protected <E extends Enum<E> & NodeError> DeviceInputNode(InterfaceTable interfaces, String name,
                                                              Class<E> errors, TraceFormatter formatter,
                                                              E runt, E oversize, E down) {
        this.registration = NodeRegistration.input(name, NextArc.names(DeviceNext.class),
                List.of(errors.getEnumConstants()), formatter);
        this.input = new DeviceInput<>(interfaces, name, this, registration.errors().size());
        this.ethernetArcs = DeviceInput.EthernetArcs.toEthernetInput(runt, oversize, down);
    }

    /** To ethernet-input, or to error-drop counting the node's errors (null for a node given its registration). */
    protected final DeviceInput.EthernetArcs ethernetArcs() {
        return ethernetArcs;
    }

    @Override
    public final NodeRegistration registration() {
        return registration;
    }

    @Override
    public final int process(NodeContext context, Frame frame) {
        return input.process(context, frame);
    }

    @Override
    public final int rxFds(int worker, int[] fds, int from) {
        return input.rxFds(worker, fds, from);
    }

    @Override
    public final int queueWorker(int swIfIndex, int queue) {
        return input.queueWorker(swIfIndex, queue);
    }

    @Override
    public final void placeQueues() {
        input.place();
    }

    /** The ports this node polls: a port component attaches and detaches its port here. */
    public final DeviceInput<P> deviceInput() {
        return input;
    }
}
