package io.sluice.vnet.api;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.InterruptibleInput;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;

/**
 * A driver's input node: its registration and the {@link DeviceInput} loop it runs, with final methods, so
 * that a driver writes only its part ({@link DeviceInput.Driver}: one batch of a port, its trace records) and
 * its formatter and errors. Its worker may sleep on the ports' descriptors when they are quiet (rx-mode): a
 * port without one ({@link DeviceInput.Port#rxFd}) keeps it polling.
 *
 * @param <P> what the node polls: a port, or one receive queue of a port
 */
public abstract class DeviceInputNode<P extends DeviceInput.Port> implements Node, DeviceInput.Driver<P>,
        InterruptibleInput {

    private final NodeRegistration registration;
    private final DeviceInput<P> input;

    protected DeviceInputNode(InterfaceTable interfaces, NodeRegistration registration) {
        this.registration = registration;
        this.input = new DeviceInput<>(interfaces, registration.name(), this, registration.errors().size());
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
    public final int rxFds(int[] fds, int from) {
        return input.rxFds(fds, from);
    }

    /** The ports this node polls: a port component attaches and detaches its port here. */
    public final DeviceInput<P> deviceInput() {
        return input;
    }
}
