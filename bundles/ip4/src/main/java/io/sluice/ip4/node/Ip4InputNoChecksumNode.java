package io.sluice.ip4.node;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.ip4.api.Ip4Graph;
import org.osgi.service.component.annotations.Component;

import java.util.List;

/** {@code ip4-input-no-checksum}: IPv4 header validation ({@link Ip4Input}), header checksum already verified by the driver (BufferPool.FLAG_IP4_CHECKSUM_VERIFIED). */
@Component(service = Node.class, immediate = true)
public final class Ip4InputNoChecksumNode implements Node {

    public static final int NEXT_DROP = Ip4Input.NEXT_DROP;
    public static final int NEXT_ICMP_ERROR = Ip4Input.NEXT_ICMP_ERROR;

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(Ip4Graph.IP4_INPUT_NO_CHECKSUM,
                    NextArc.names(Ip4Input.Next.class), List.of(Ip4InputError.values()),
                    Ip4Input::format)
            .startingArcs(Ip4Graph.UNICAST_ARC);

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        return Ip4Input.process(context, frame, false);
    }
}
