package io.sluice.vnet.api;

import java.util.List;

/**
 * The interface table as the forwarding path reads it: immutable arrays indexed by sw_if_index, replaced
 * whole when the control plane changes anything. A node reads {@link InterfaceTable#snapshot()} once per
 * frame.
 */
public final class InterfaceSnapshot {
    private final String[] names;
    private final long[] macs;
    private final int[] mtus;
    private final boolean[] adminUp;
    private final int[][] ip4Addresses;
    private final int[][] ip4PrefixLengths;

    public InterfaceSnapshot(String[] names, long[] macs, int[] mtus, boolean[] adminUp, int[][] ip4Addresses,
                             int[][] ip4PrefixLengths) {
        this.names = names;
        this.macs = macs;
        this.mtus = mtus;
        this.adminUp = adminUp;
        this.ip4Addresses = ip4Addresses;
        this.ip4PrefixLengths = ip4PrefixLengths;
    }

    /** One past the highest sw_if_index. */
    public int size() {
        return names.length;
    }

    public boolean exists(int swIfIndex) {
        return swIfIndex >= 0 && swIfIndex < names.length && names[swIfIndex] != null;
    }

    public String name(int swIfIndex) {
        return exists(swIfIndex) ? names[swIfIndex] : null;
    }

    public long mac(int swIfIndex) {
        return macs[swIfIndex];
    }

    public int mtu(int swIfIndex) {
        return mtus[swIfIndex];
    }

    public boolean adminUp(int swIfIndex) {
        return exists(swIfIndex) && adminUp[swIfIndex];
    }

    /** The interface's IPv4 addresses (network order ints); empty when none. */
    public int[] ip4Addresses(int swIfIndex) {
        return exists(swIfIndex) ? ip4Addresses[swIfIndex] : EMPTY;
    }

    public int[] ip4PrefixLengths(int swIfIndex) {
        return exists(swIfIndex) ? ip4PrefixLengths[swIfIndex] : EMPTY;
    }

    /** True when {@code address} is one of the interface's own addresses. */
    public boolean ownsIp4(int swIfIndex, int address) {
        if (!exists(swIfIndex)) {
            return false;
        }
        for (int own : ip4Addresses[swIfIndex]) {
            if (own == address) {
                return true;
            }
        }
        return false;
    }

    /** The first interface that owns {@code address}, or -1. */
    public int ownerOfIp4(int address) {
        for (int sw = 0; sw < names.length; sw++) {
            if (ownsIp4(sw, address)) {
                return sw;
            }
        }
        return -1;
    }

    /** sw_if_index of the interface named {@code name}, or -1. */
    public int find(String name) {
        return List.of(names).indexOf(name);
    }

    private static final int[] EMPTY = new int[0];
}
