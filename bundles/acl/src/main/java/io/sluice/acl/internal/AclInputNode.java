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
 * acl-plugin-in-ip4-fa: the ingress ACL on the ip4-unicast arc, before nat44-out2in (so it sees the
 * addresses as they arrived). Evaluates the input list of the receiving interface.
 *
 * <p>Next arcs: 0 is error-drop (VPP's acl next 0); the runtime appends the arcs to the features that follow
 * on each interface, in the order it first needs them, as VPP's vnet_feature_next adds next nodes to the
 * node. The trace's {@code next index} is the arc this node took, so a permitted packet shows the index of
 * the feature after it on that interface; the number equals VPP's when the arcs were added in the same
 * order (the seed's 2 for nat44-out2in), and may differ otherwise.
 *
 * <p>State lives outside this class: rule sets in {@link AclManager}'s snapshot, sessions in
 * {@link AclSessionsImpl}'s off-heap table. A replacement instance (hot swap) carries on with both.
 */
@Component(service = Node.class, immediate = true)
public final class AclInputNode implements Node {
    public static final String NAME = "acl-plugin-in-ip4-fa";

    private static final NodeRegistration REGISTRATION = NodeRegistration.internal(NAME,
                    NextArc.names(AclDataplane.Next.class), List.of(AclError.values()), AclDataplane::format)
            .withFeature(FeatureRegistration.on(FeatureArc.IP4_UNICAST).before("nat44-out2in"));

    private final AclManager manager;
    private final AclSessionsImpl sessions;
    private final AclDenyLogImpl denyLog;

    @Activate
    public AclInputNode(@Reference AclManager manager, @Reference AclSessionsImpl sessions,
                        @Reference AclDenyLogImpl denyLog) {
        this.manager = manager;
        this.sessions = sessions;
        this.denyLog = denyLog;
    }

    /** A node whose deny log is never enabled (tests). */
    public AclInputNode(AclManager manager, AclSessionsImpl sessions) {
        this(manager, sessions, new AclDenyLogImpl());
    }

    @Override
    public NodeRegistration registration() {
        return REGISTRATION;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        return AclDataplane.process(context, frame, true, manager.policy(), sessions.table(), sessions.now(),
                denyLog.recorder());
    }
}
