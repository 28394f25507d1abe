package io.sluice.acl.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.util.List;

/**
 * acl-plugin-out-ip4-fa: the egress ACL on the ip4-output arc (after ip4-rewrite, before
 * nat44-in2out-output, so it sees the addresses as routed, before source NAT). Evaluates the output list of
 * the transmit interface; a reply to a session created by the input ACL of the same interface passes as
 * that session (action 3).
 *
 * <p>Next arcs: 0 is error-drop; the others are appended by the runtime per interface, as for
 * {@link AclInputNode}. VPP printed 1 for the seed's reply to tap2-output, the arc it had added first;
 * here the arcs to the end of ip4-output are added in sw_if_index order, so the same packet shows the arc
 * index this node has for tap2-output, which is higher when lower interfaces have arcs of their own.
 */
@Component(service = Node.class, immediate = true)
public final class AclOutputNode implements Node {
    public static final String NAME = "acl-plugin-out-ip4-fa";

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(NAME,
                    NextArc.names(AclDataplane.Next.class), List.of(AclError.values()), AclDataplane::format)
            .withFeature(FeatureRegistration.on(FeatureArc.IP4_OUTPUT).before("nat44-in2out-output"));

    private final AclManager manager;
    private final AclSessionsImpl sessions;
    private final AclDenyLogImpl denyLog;

    @Activate
    public AclOutputNode(@Reference AclManager manager, @Reference AclSessionsImpl sessions,
                         @Reference AclDenyLogImpl denyLog) {
        this.manager = manager;
        this.sessions = sessions;
        this.denyLog = denyLog;
    }

    /** A node whose deny log is never enabled (tests). */
    public AclOutputNode(AclManager manager, AclSessionsImpl sessions) {
        this(manager, sessions, new AclDenyLogImpl());
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        return AclDataplane.process(context, frame, false, manager.policy(), sessions.table(), sessions.now(),
                denyLog.recorder());
    }
}
