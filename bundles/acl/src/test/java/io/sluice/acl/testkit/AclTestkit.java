package io.sluice.acl.testkit;

import io.sluice.acl.api.AclService;
import io.sluice.acl.api.AclSessions;
import io.sluice.acl.api.AclSessions.SessionTimeouts;
import io.sluice.acl.internal.AclInputNode;
import io.sluice.acl.internal.AclManager;
import io.sluice.acl.internal.AclOutputNode;
import io.sluice.acl.internal.AclSessionsImpl;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.Node;
import io.sluice.vnet.api.InterfaceTable;

/**
 * The ACL plugin without OSGi, for benchmarks and other bundles' tests: its manager (as {@link AclService}),
 * a standalone session table and acl-plugin-in-ip4-fa over both, reached through the api types only.
 */
public final class AclTestkit implements AutoCloseable {

    private final AclManager manager;
    private final AclSessionsImpl sessions;
    private final AclInputNode inputNode;
    private final AclOutputNode outputNode;

    private AclTestkit(AclManager manager, AclSessionsImpl sessions) {
        this.manager = manager;
        this.sessions = sessions;
        this.inputNode = new AclInputNode(manager, sessions);
        this.outputNode = new AclOutputNode(manager, sessions);
    }

    /** A plugin on {@code graph} with the default session limit and VPP's timeouts. */
    public static AclTestkit standalone(GraphRuntime graph, InterfaceTable interfaces) {
        return new AclTestkit(new AclManager(graph, interfaces),
                AclSessionsImpl.standalone(AclSessionsImpl.DEFAULT_MAX_SESSIONS, SessionTimeouts.VPP_DEFAULTS));
    }

    /**
     * A plugin on {@code graph} whose session table holds at most {@code maxSessions}, with VPP's timeouts: a
     * benchmark that makes sessions without end clears a small table cheaply.
     */
    public static AclTestkit standalone(GraphRuntime graph, InterfaceTable interfaces, long maxSessions) {
        return new AclTestkit(new AclManager(graph, interfaces),
                AclSessionsImpl.standalone(maxSessions, SessionTimeouts.VPP_DEFAULTS));
    }

    /** The reflect session table the nodes share, as the control plane sees it. */
    public AclSessions sessions() {
        return sessions;
    }

    public AclService service() {
        return manager;
    }

    /** acl-plugin-in-ip4-fa (not yet added to a graph). */
    public Node inputNode() {
        return inputNode;
    }

    /** acl-plugin-out-ip4-fa (not yet added to a graph), over the same sessions as {@link #inputNode()}. */
    public Node outputNode() {
        return outputNode;
    }

    @Override
    public void close() {
        manager.deactivate();
        sessions.close();
    }
}
