package io.sluice.ip4.api;

import java.util.List;

/**
 * Echo requests (RFC 792) from the box itself, as VPP's {@code ping}: the requests enter the graph at
 * ip4-lookup from node {@code ip4-ping}, so they take the routes, ACLs and rewrites any packet of the box takes;
 * replies addressed to the box are taken off ip4-local by {@code ip4-icmp-echo-reply} and matched to the
 * request by identifier and sequence number. One ping runs at a time; a second caller waits for the first.
 */
public interface Ip4Ping {

    /** Bytes of data after the ICMP header, as ping(8) and VPP send by default. */
    int DEFAULT_DATA_LENGTH = 56;

    /**
     * @param destination    network order address
     * @param source         the requests' source address; 0 for the first address of {@code swIfIndex}, or with
     *                       {@code swIfIndex} -1 of the interface the route to the destination leaves by
     * @param swIfIndex      the interface whose FIB table routes the requests and whose address is the source
     *                       unless one is given; -1 for the table 0 and the route's interface
     * @param count          requests to send, at least 1
     * @param intervalMillis between two requests
     * @param timeoutMillis  how long to wait for the replies after the last request
     * @param dataLength     bytes of data in each request
     */
    record Request(int destination, int source, int swIfIndex, int count, long intervalMillis, long timeoutMillis,
                   int dataLength) {
    }

    /** One reply: its sequence number (from 1) and the time since its request left ip4-ping. */
    record Reply(int sequence, long roundTripNanos) {
    }

    /** What was sent from which source, and the replies received, by sequence number. */
    record Result(int source, int sent, List<Reply> replies) {
    }

    /**
     * Sends the requests and waits for their replies.
     *
     * @throws IllegalArgumentException for a request that cannot be sent: no route, no source address, a count
     *                                  or a size out of range (the message says which)
     */
    Result ping(Request request) throws InterruptedException;
}
