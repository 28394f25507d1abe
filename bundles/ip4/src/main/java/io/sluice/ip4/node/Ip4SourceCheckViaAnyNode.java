package io.sluice.ip4.node;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.ip4.api.Ip4Graph;
import io.sluice.ip4.internal.fib.Ip4FibImpl;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ip4-source-check-via-any}: loose uRPF: the source must be routed out of some interface
 * ({@link Ip4SourceCheck}).
 */
@Component(service = Node.class, immediate = true)
public final class Ip4SourceCheckViaAnyNode implements Node {

    public static final int NEXT_DROP = Ip4SourceCheck.NEXT_DROP;

    private static final NodeRegistration REGISTRATION = Ip4SourceCheck.registration(Ip4Graph.IP4_SOURCE_CHECK_VIA_ANY);

    private final Ip4FibImpl fib;

    @Activate
    public Ip4SourceCheckViaAnyNode(@Reference Ip4FibImpl fib) {
        this.fib = fib;
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        return Ip4SourceCheck.process(context, frame, fib.forwarding(), false);
    }
}
