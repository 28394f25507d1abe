package io.sluice.ip4.node;

import io.sluice.graph.api.NodeError;

/**
 * Counters of ip4-source-check-via-rx and ip4-source-check-via-any. {@code src-check-miss} has VPP's wording
 * (src/vnet/ip/ip4_error.h, IP4_ERROR_SRC_LOOKUP_MISS); {@code martian-source} has the term of RFC 1812
 * section 5.3.7.
 */
public enum Ip4SourceCheckError implements NodeError {
    SRC_CHECK_MISS("ip4 source lookup miss"),
    MARTIAN_SOURCE("ip4 martian source address");

    private final String description;

    Ip4SourceCheckError(String description) {
        this.description = description;
    }

    @Override
    public String description() {
        return description;
    }
}
