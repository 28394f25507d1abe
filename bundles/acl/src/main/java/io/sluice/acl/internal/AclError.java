package io.sluice.acl.internal;

import io.sluice.graph.api.NodeError;

/** Counters of both ACL nodes, with VPP's acl-plugin descriptions. */
enum AclError implements NodeError {
    ACL_DROP("ACL deny packets"),
    ACL_PERMIT("ACL permit packets"),
    ACL_NEW_SESSION("new sessions added"),
    ACL_EXIST_SESSION("existing session packets"),
    ACL_CHECK("checked packets"),
    ACL_TOO_MANY_SESSIONS("too many sessions to add new"),
    /**
     * The feature sits on the interface but no list is loaded for it (the ACL bundle is being updated, its
     * configuration is not read yet, or a bound ACL is not defined): the packet is dropped, never waved through.
     */
    ACL_NO_POLICY("no ACL list loaded for the interface (dropped)"),
    /** An ICMP error whose quoted packet belongs to a session (Linux conntrack's RELATED): admitted with it. */
    ACL_RELATED("ICMP errors admitted as related to a session"),
    /**
     * A permit+reflect refused because its interface holds {@code sessions.max-per-interface} or its host
     * {@code sessions.max-per-host} (also counted in acl-too-many-sessions): only that interface or host is denied
     * new flows, the others still open theirs.
     */
    SESSION_QUOTA_EXCEEDED("session quota of the interface or host exceeded"),
    /**
     * A destination unreachable, time exceeded or parameter problem whose quoted packet belongs to no session (or
     * that is not addressed to the quoted packet's sender, or is cut short), denied by the rules: counted besides
     * acl-drop, as the sign of a probe or of a flow the box never passed.
     */
    ACL_ICMP_ERROR_NO_SESSION("ICMP errors about no session denied");

    private final String description;

    AclError(String description) {
        this.description = description;
    }

    @Override
    public String description() {
        return description;
    }
}
