package io.sluice.ip4.node;

import io.sluice.graph.api.NodeError;

/** Counters of ip4-input and ip4-input-no-checksum, worded as VPP's src/vnet/ip/ip4_error.h. */
public enum Ip4InputError implements NodeError {
    TOO_SHORT("ip4 length < 20 bytes"),
    BAD_LENGTH("ip4 length > l2 length"),
    BAD_HEADER_LENGTH("ip4 header length > ip4 length"),
    BAD_CHECKSUM("bad ip4 checksum"),
    VERSION("ip4 version != 4"),
    FRAGMENT_OFFSET_ONE("ip4 fragment offset == 1"),
    TIME_EXPIRED("ip4 ttl <= 1");

    private final String description;

    Ip4InputError(String description) {
        this.description = description;
    }

    @Override
    public String description() {
        return description;
    }
}
