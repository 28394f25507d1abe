package io.sluice.ip4.node;

import io.sluice.graph.api.NodeError;

/** Counters of ip4-sv-reassembly-feature and ip4-sv-reassembly-output-feature (VPP's ip4-sv-reass errors). */
public enum Ip4SvReassemblyError implements NodeError {
    STAMPED("non-first fragments given their datagram's L4 ports"),
    HELD("fragments held until their first fragment"),
    RELEASED("held fragments sent on after their first fragment"),
    TIMEOUT("held fragments dropped: their first fragment did not come in time"),
    TOO_MANY_FRAGMENTS("fragments dropped: more than max-fragments held for one datagram"),
    TABLE_FULL("fragments dropped: max-reassemblies or max-held-buffers reached"),
    MALFORMED("fragments dropped: overlapping the L4 header, past 65535 bytes, misaligned, or a first fragment"
            + " shorter than its L4 header");

    private final String description;

    Ip4SvReassemblyError(String description) {
        this.description = description;
    }

    @Override
    public String description() {
        return description;
    }
}
