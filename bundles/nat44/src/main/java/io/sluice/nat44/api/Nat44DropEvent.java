package io.sluice.nat44.api;

/**
 * One packet a NAT44 node dropped, as {@link Nat44DropLog#drain} copies it: {@value #LONGS} longs, read with the
 * static accessors below. Addresses are network order ints, ports unsigned 16-bit (for ICMP: type and code), times
 * wall-clock milliseconds. The reason is the node and the error counter that counted the drop, named by
 * {@link Nat44DropLog#reasonName(int)} as {@code errors:show} names them.
 *
 * <pre>
 *  long 0   time (ms since 1970)
 *  long 1   source address (high 32)           | destination address (low 32)
 *  long 2   source port (16) | destination port (16) | protocol (8) | 0 (8) | reason (16)
 * </pre>
 */
public final class Nat44DropEvent {
    public static final int LONGS = 3;

    private Nat44DropEvent() {
    }

    /** Packs one event into {@code r} from long {@code offset} on ({@code i * LONGS} for record {@code i}). */
    public static void pack(long[] r, int offset, long timeMillis, int reason, int protocol, int sourceAddress,
                            int sourcePort, int destinationAddress, int destinationPort) {
        r[offset] = timeMillis;
        r[offset + 1] = ((long) sourceAddress << 32) | (destinationAddress & 0xffffffffL);
        r[offset + 2] = ((long) (sourcePort & 0xffff) << 48) | ((long) (destinationPort & 0xffff) << 32)
                | ((long) (protocol & 0xff) << 24) | (reason & 0xffff);
    }

    public static long time(long[] r, int i) {
        return r[i * LONGS];
    }

    public static int sourceAddress(long[] r, int i) {
        return (int) (r[i * LONGS + 1] >>> 32);
    }

    public static int destinationAddress(long[] r, int i) {
        return (int) r[i * LONGS + 1];
    }

    public static int sourcePort(long[] r, int i) {
        return (int) (r[i * LONGS + 2] >>> 48) & 0xffff;
    }

    public static int destinationPort(long[] r, int i) {
        return (int) (r[i * LONGS + 2] >>> 32) & 0xffff;
    }

    public static int protocol(long[] r, int i) {
        return (int) (r[i * LONGS + 2] >>> 24) & 0xff;
    }

    /** The node and error counter that dropped the packet; {@link Nat44DropLog#reasonName(int)} names it. */
    public static int reason(long[] r, int i) {
        return (int) r[i * LONGS + 2] & 0xffff;
    }
}
