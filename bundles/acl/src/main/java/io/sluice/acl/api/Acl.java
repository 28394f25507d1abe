package io.sluice.acl.api;

import java.util.List;

/**
 * A named, ordered list of rules; the first rule that matches decides, and a packet no rule matches is
 * denied (VPP's implicit deny at the end of an ACL list). {@code index} is the number VPP shows
 * ({@code acl-index N}, {@code match: acl N}): -1 when defining asks for the lowest free one.
 * {@code logDenied}: the packets this ACL denies (its deny rules, and the implicit deny of a list it is in)
 * are recorded in the {@link AclDenyLog}, one event per denied flow per interval; off by default.
 */
public record Acl(String name, int index, List<AclRule> rules, boolean logDenied) {

    public Acl {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an ACL needs a name");
        }
        if (index < -1) {
            throw new IllegalArgumentException("ACL index must be 0 or more (or -1 for the lowest free), not " + index);
        }
        rules = List.copyOf(rules);
    }

    /** An ACL whose denies are not logged. */
    public Acl(String name, int index, List<AclRule> rules) {
        this(name, index, rules, false);
    }

    public Acl withIndex(int newIndex) {
        return new Acl(name, newIndex, rules, logDenied);
    }
}
