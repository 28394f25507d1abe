package io.sluice.acl.api;

import java.util.List;

/**
 * A named, ordered list of rules; the first rule that matches decides, and a packet no rule matches is
 * denied (VPP's implicit deny at the end of an ACL list). {@code index} is the number VPP shows
 * ({@code acl-index N}, {@code match: acl N}): -1 when defining asks for the lowest free one.
 */
public record Acl(String name, int index, List<AclRule> rules) {

    public Acl {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an ACL needs a name");
        }
        if (index < -1) {
            throw new IllegalArgumentException("ACL index must be 0 or more (or -1 for the lowest free), not " + index);
        }
        rules = List.copyOf(rules);
    }

    public Acl withIndex(int newIndex) {
        return new Acl(name, newIndex, rules);
    }
}
