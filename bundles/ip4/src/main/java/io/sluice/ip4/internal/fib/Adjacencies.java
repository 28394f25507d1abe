package io.sluice.ip4.internal.fib;

import io.sluice.packet.api.PacketFormat;

/**
 * The adjacencies (VPP's dpo index space) as ip4-lookup and ip4-rewrite read them: immutable, indexed by
 * adjacency index, replaced whole when one changes. A rewrite adjacency carries the L2 header ip4-rewrite
 * writes: destination MAC (the neighbour), source MAC (the tx interface), EtherType IPv4.
 */
public final class Adjacencies {

    /** Nothing matched (no default route): ICMP destination unreachable. Always index 0. */
    public static final byte MISS = 0;
    /** A drop route. */
    public static final byte DROP = 1;
    /** One of the box's own addresses: ip4-local. */
    public static final byte LOCAL = 2;
    /** A next hop with a known MAC: ip4-rewrite. */
    public static final byte REWRITE = 3;
    /** A next hop whose MAC is not known yet: ip4-arp. */
    public static final byte INCOMPLETE = 4;
    /** A connected subnet: the destination itself is the next hop, resolved by ARP. */
    public static final byte GLEAN = 5;

    public static final int MISS_INDEX = 0;

    private static final String[] KIND_NAMES = {"unreachable", "drop", "local", "rewrite", "arp-incomplete", "glean"};

    private final byte[] kinds;
    private final int[] swIfIndexes;
    private final int[] nextHops;
    private final long[] dstMacs;
    private final long[] srcMacs;

    Adjacencies(byte[] kinds, int[] swIfIndexes, int[] nextHops, long[] dstMacs, long[] srcMacs) {
        this.kinds = kinds;
        this.swIfIndexes = swIfIndexes;
        this.nextHops = nextHops;
        this.dstMacs = dstMacs;
        this.srcMacs = srcMacs;
    }

    public int count() {
        return kinds.length;
    }

    public byte kind(int adjacency) {
        return kinds[adjacency];
    }

    public int swIfIndex(int adjacency) {
        return swIfIndexes[adjacency];
    }

    public int nextHop(int adjacency) {
        return nextHops[adjacency];
    }

    public long dstMac(int adjacency) {
        return dstMacs[adjacency];
    }

    public long srcMac(int adjacency) {
        return srcMacs[adjacency];
    }

    public static String kindName(byte kind) {
        return KIND_NAMES[kind];
    }

    /** The 14-byte rewrite as VPP prints it: {@code 08002702a536080027449fd80800}. */
    public String rewriteHex(int adjacency) {
        return String.format("%012x%012x0800", dstMacs[adjacency], srcMacs[adjacency]);
    }

    /** One line for {@code ip:fib}: {@code ipv4 via 192.168.16.100 GigabitEthernet0/8/0: 0800...}. */
    public String describe(int adjacency, java.util.function.IntFunction<String> interfaceName) {
        byte kind = kinds[adjacency];
        return switch (kind) {
            case REWRITE -> "ipv4 via " + PacketFormat.formatIp4(nextHops[adjacency]) + " "
                    + interfaceName.apply(swIfIndexes[adjacency]) + ": " + rewriteHex(adjacency);
            case INCOMPLETE -> "arp-incomplete via " + PacketFormat.formatIp4(nextHops[adjacency]) + " "
                    + interfaceName.apply(swIfIndexes[adjacency]);
            case GLEAN -> "glean " + interfaceName.apply(swIfIndexes[adjacency]);
            default -> KIND_NAMES[kind];
        };
    }
}
