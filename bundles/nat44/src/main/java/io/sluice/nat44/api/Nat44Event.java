package io.sluice.nat44.api;

/**
 * One NAT44 event as {@link Nat44EventLog#drain} copies it: {@value #LONGS} longs, read with the static accessors
 * below. Addresses are network order ints, ports unsigned 16-bit, times wall-clock milliseconds.
 *
 * <pre>
 *  long 0   time (ms since 1970)
 *  long 1   inside address (high 32)         | outside address (low 32)
 *  long 2   remote address (high 32)         | inside port (16) | outside port (16)
 *  long 3   remote port (16) | protocol (8) | natEvent (8) | quota event (8) | 0 (24)
 *  long 4   limit (32: maxSessionEntries, maxEntriesPerUser; natPoolId) | 0
 * </pre>
 *
 * <p>Event types are IANA's natEvent values (RFC 8158 section 4.1, the "natEvent" registry), quota kinds its
 * natQuotaExceededEvent values (RFC 8158 section 4.4).
 */
public final class Nat44Event {
    public static final int LONGS = 5;

    /** natEvent 3: every pool address is out of ports for the protocol (RFC 8158 section 4.4, "NAT Addresses exhausted"). */
    public static final int ADDRESSES_EXHAUSTED = 3;
    public static final int SESSION_CREATE = 4;
    public static final int SESSION_DELETE = 5;
    /** natEvent 13, with a natQuotaExceededEvent kind below. */
    public static final int QUOTA_EXCEEDED = 13;

    public static final int QUOTA_MAX_SESSION_ENTRIES = 1;
    public static final int QUOTA_MAX_ENTRIES_PER_USER = 3;

    private Nat44Event() {
    }

    /** Packs one event into {@code r} from long {@code offset} on ({@code i * LONGS} for record {@code i}). */
    public static void pack(long[] r, int offset, long timeMillis, int natEvent, int quotaEvent, int protocol,
                             int insideAddress, int insidePort, int outsideAddress, int outsidePort, int remoteAddress,
                             int remotePort, int limit) {
        int at = offset;
        r[at] = timeMillis;
        r[at + 1] = ((long) insideAddress << 32) | (outsideAddress & 0xffffffffL);
        r[at + 2] = ((long) remoteAddress << 32) | ((long) (insidePort & 0xffff) << 16) | (outsidePort & 0xffff);
        r[at + 3] = ((long) (remotePort & 0xffff) << 48) | ((long) (protocol & 0xff) << 40)
                | ((long) (natEvent & 0xff) << 32) | ((long) (quotaEvent & 0xff) << 24);
        r[at + 4] = (long) limit << 32;
    }

    public static long time(long[] r, int i) {
        return r[i * LONGS];
    }

    public static int insideAddress(long[] r, int i) {
        return (int) (r[i * LONGS + 1] >>> 32);
    }

    public static int outsideAddress(long[] r, int i) {
        return (int) r[i * LONGS + 1];
    }

    public static int remoteAddress(long[] r, int i) {
        return (int) (r[i * LONGS + 2] >>> 32);
    }

    public static int insidePort(long[] r, int i) {
        return (int) (r[i * LONGS + 2] >>> 16) & 0xffff;
    }

    public static int outsidePort(long[] r, int i) {
        return (int) r[i * LONGS + 2] & 0xffff;
    }

    public static int remotePort(long[] r, int i) {
        return (int) (r[i * LONGS + 3] >>> 48) & 0xffff;
    }

    public static int protocol(long[] r, int i) {
        return (int) (r[i * LONGS + 3] >>> 40) & 0xff;
    }

    public static int natEvent(long[] r, int i) {
        return (int) (r[i * LONGS + 3] >>> 32) & 0xff;
    }

    public static int quotaEvent(long[] r, int i) {
        return (int) (r[i * LONGS + 3] >>> 24) & 0xff;
    }

    /** maxSessionEntries or maxEntriesPerUser for a quota event; natPoolId for addresses exhausted. */
    public static int limit(long[] r, int i) {
        return (int) (r[i * LONGS + 4] >>> 32);
    }
}
