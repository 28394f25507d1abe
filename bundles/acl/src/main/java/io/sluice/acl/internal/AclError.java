package io.sluice.acl.internal;

import io.sluice.graph.api.NodeError;

/** Counters of both ACL nodes, with VPP's acl-plugin descriptions. */
enum AclError implements NodeError {
    ACL_DROP("ACL deny packets"),
    ACL_PERMIT("ACL permit packets"),
    ACL_NEW_SESSION("new sessions added"),
    ACL_EXIST_SESSION("existing session packets"),
    ACL_CHECK("checked packets"),
    ACL_TOO_MANY_SESSIONS("too many sessions to add new");

    private final String description;

    AclError(String description) {
        this.description = description;
    }

    @Override
    public String description() {
        return description;
    }
}
