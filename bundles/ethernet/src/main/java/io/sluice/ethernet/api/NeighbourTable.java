package io.sluice.ethernet.api;

import io.sluice.packet.api.PacketFormat;

import java.util.List;

/**
 * IPv4 neighbours by (sw_if_index, address): the MAC each next hop answers ARP with, static (configured) or
 * dynamic (learned by arp-input, aged out when not heard from). Reads are lock-free and allocation-free; every
 * change is published whole, and listeners (the FIB) are told after it on a control-plane thread.
 */
public interface NeighbourTable {

    /** No MAC known: the value {@link #mac} returns for an unknown neighbour. */
    long NO_MAC = -1L;
    /** Dynamic entries not heard from for this long are removed (VPP's and Linux's order of magnitude). */
    long DEFAULT_AGEING_SECONDS = 300;
    int DEFAULT_MAX_ENTRIES = 65536;
    /**
     * Dynamic entries one interface may hold: a pod answering or asking ARP for every address it can invent fills
     * its own share only, never the table the GbE's next hops live in.
     */
    int DEFAULT_MAX_ENTRIES_PER_INTERFACE = 4096;

    /** A neighbour as the shell lists it. */
    record Neighbour(int swIfIndex, int address, long mac, boolean isStatic, long idleNanos) {
        @Override
        public String toString() {
            return PacketFormat.formatIp4(address) + " " + PacketFormat.formatMac(mac) + " sw_if_index " + swIfIndex
                    + (isStatic ? " static" : " dynamic");
        }
    }

    /** The MAC of {@code address} on {@code swIfIndex}, or {@link #NO_MAC}. */
    long mac(int swIfIndex, int address);

    void addStatic(int swIfIndex, int address, long mac);

    /** Removes the entry, static or dynamic; returns false when there was none. */
    boolean remove(int swIfIndex, int address);

    /** Removes every entry of an interface (it went away). */
    void removeInterface(int swIfIndex);

    /** Every entry, by interface then address. */
    List<Neighbour> entries();

    void setAgeingSeconds(long seconds);

    long ageingSeconds();

    void setMaxEntries(int max);

    /** Dynamic entries one interface may hold before its least recently heard one makes room for a new one. */
    void setMaxEntriesPerInterface(int max);

    /** Learned neighbours dropped because the queue to the control plane, or the interface's share of it, was full. */
    long learnQueueOverflows();

    /** Learned neighbours refused because the table (or the interface's share) held only static entries. */
    long tableFullRefusals();

    /** Dynamic entries removed to make room for a newly learned one (least recently heard first). */
    long evictions();

    /** Adds a listener and tells it of every entry already present. */
    void addListener(NeighbourListener listener);

    void removeListener(NeighbourListener listener);
}
