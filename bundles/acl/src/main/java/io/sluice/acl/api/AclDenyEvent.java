package io.sluice.acl.api;

/**
 * One denied-flow event as {@link AclDenyLog#drain} copies it: {@value #LONGS} longs, read with the static accessors
 * below. Addresses are network order ints, ports unsigned 16-bit (ICMP: type and code, as the ACL matches them),
 * times wall-clock milliseconds.
 *
 * <pre>
 *  long 0   time (ms since 1970)
 *  long 1   source address (high 32)  | destination address (low 32)
 *  long 2   source port (16) | destination port (16) | protocol (8) | reason (8) | direction (8) | 0 (8)
 *  long 3   sw_if_index (high 32)     | ACL index (low 32, -1: none)
 *  long 4   rule index within the ACL (high 32, -1: none) | 0
 * </pre>
 */
public final class AclDenyEvent {
    public static final int LONGS = 5;

    /** A deny rule of an ACL matched: ACL index and rule index say which. */
    public static final int REASON_RULE = 1;
    /** No rule of the interface's list matched: VPP's implicit deny at the end of a list (ACL and rule -1). */
    public static final int REASON_NO_MATCH = 2;
    /** The interface's list is not in force (not loaded, or naming an undefined ACL): the fail-closed drop. */
    public static final int REASON_NO_POLICY = 3;

    public static final int DIRECTION_INPUT = 1;
    public static final int DIRECTION_OUTPUT = 2;

    private AclDenyEvent() {
    }

    /** Packs one event into {@code r} from long {@code offset} on ({@code i * LONGS} for record {@code i}). */
    public static void pack(long[] r, int offset, long timeMillis, int sourceAddress, int destinationAddress,
                            int protocol, int sourcePort, int destinationPort, int swIfIndex, int direction,
                            int reason, int aclIndex, int ruleIndex) {
        r[offset] = timeMillis;
        r[offset + 1] = ((long) sourceAddress << 32) | (destinationAddress & 0xffffffffL);
        r[offset + 2] = ((long) (sourcePort & 0xffff) << 48) | ((long) (destinationPort & 0xffff) << 32)
                | ((long) (protocol & 0xff) << 24) | ((reason & 0xff) << 16) | ((direction & 0xff) << 8);
        r[offset + 3] = ((long) swIfIndex << 32) | (aclIndex & 0xffffffffL);
        r[offset + 4] = (long) ruleIndex << 32;
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

    public static int reason(long[] r, int i) {
        return (int) (r[i * LONGS + 2] >>> 16) & 0xff;
    }

    public static int direction(long[] r, int i) {
        return (int) (r[i * LONGS + 2] >>> 8) & 0xff;
    }

    public static int swIfIndex(long[] r, int i) {
        return (int) (r[i * LONGS + 3] >>> 32);
    }

    public static int aclIndex(long[] r, int i) {
        return (int) r[i * LONGS + 3];
    }

    public static int ruleIndex(long[] r, int i) {
        return (int) (r[i * LONGS + 4] >>> 32);
    }
}
