package io.sluice.ip4.api;

import io.sluice.packet.api.PacketFormat;

import java.util.List;

/**
 * The IPv4 forwarding information base as the control plane sees it: tables of routes (table 0 by default)
 * and the adjacencies they point at. Routes come from four sources, highest priority first: {@code local}
 * (a /32 per interface address), {@code connected} (the subnet of each interface address), {@code static}
 * (configuration and {@code ip:route}) and {@code neighbour} (a /32 per known neighbour, as VPP's adj-nbr
 * routes); the same prefix from two sources resolves to the higher one's adjacency.
 *
 * <p>Every change is published to the workers as one immutable snapshot: a reader never sees half of it. How
 * workers read the table is the ip4 bundle's own business (ip4-lookup reads the trie directly, with no
 * interface call per packet).
 */
public interface Ip4Fib {

    int MAX_TABLES = 256;

    /** A route as the shell shows it: {@code source} is local, connected, static or neighbour. */
    record Route(int table, int address, int length, String source, int adjacency, String via) {
        public String prefix() {
            return PacketFormat.formatIp4(address) + "/" + length;
        }
    }

    /**
     * Adds (or replaces) a static route: {@code address/length} via {@code nextHop} on {@code swIfIndex}. With
     * {@code swIfIndex} -1 the interface is the one whose connected subnet holds the next hop; with
     * {@code nextHop} 0 the route is attached to the interface (every destination is its own next hop; an
     * attached /32, a pod's route, goes straight to that host's neighbour adjacency, as VPP's attached-host).
     */
    void addRoute(int table, int address, int length, int nextHop, int swIfIndex);

    /** Adds a static route that drops what it matches. */
    void addDropRoute(int table, int address, int length);

    /**
     * Adds {@code count} static routes in one update (one publication): the bulk path for a full table.
     * Every route needs its interface ({@code swIfIndexes[i] >= 0}).
     */
    void addRoutes(int table, int[] addresses, int[] lengths, int[] nextHops, int[] swIfIndexes, int count);

    /** Removes a static route; false when there was none. */
    boolean removeRoute(int table, int address, int length);

    /** Binds an interface to a FIB table; its local and connected routes move with it. */
    void setInterfaceTable(int swIfIndex, int table);

    /** The FIB table interface {@code swIfIndex} is bound to (0 unless configured). */
    int tableOf(int swIfIndex);

    /** Every route of {@code table}, by prefix; the winning source of each. */
    List<Route> routes(int table);

    /** The route {@code address} matches in {@code table} (the longest prefix), or null for none. */
    Route longestMatch(int table, int address);

    /** Number of routes in a table, counting each prefix once per source. */
    int routeCount(int table);

    /** Bytes held by a table: the trie's arrays and the route store. */
    long memoryBytes(int table);
}
