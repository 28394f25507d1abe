package io.sluice.acl.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which denied flows were logged recently: a fixed, lossy cache that lets one event per flow through per interval,
 * the way firewall deny logs report a new denied flow once and then stay quiet about it. A flow is its 5-tuple, its
 * interface and its direction, hashed to 64 bits: the upper 40 bits are kept as a fingerprint, beside the time of the
 * flow's last event in units of 64 ms (24 bits, so the clock wraps after 12 days; a wrap can only make an old entry
 * look recent by coincidence). Buckets of two slots; a new flow takes an empty slot or the one logged longer ago.
 *
 * <pre>
 *  slot (one long):  fingerprint (40, never 0) | time of the last event / 64 ms (24)      0: empty
 * </pre>
 *
 * <p>No allocation and no lock: each slot is one long read and written opaquely, so workers sharing the cache never
 * see a torn entry. Two workers racing on one flow may both log it, and more concurrent denied flows than the cache
 * holds evict each other and are logged more often than once per interval: the cache errs towards logging. It
 * suppresses a flow that was not logged only when two flows share bucket and fingerprint (odds 2^-40).
 */
final class FlowRateLimiter {
    static final int SLOTS = 1 << 14;
    private static final int TIME_SHIFT = 6;
    private static final int TIME_BITS = 24;
    private static final long TIME_MASK = (1L << TIME_BITS) - 1;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] slots = new long[SLOTS];
    private final long intervalUnits;

    FlowRateLimiter(long intervalMillis) {
        if (intervalMillis < 1 || (intervalMillis >> TIME_SHIFT) >= TIME_MASK / 2) {
            throw new IllegalArgumentException("interval " + intervalMillis + " ms is outside what the cache holds");
        }
        intervalUnits = (intervalMillis + (1L << TIME_SHIFT) - 1) >> TIME_SHIFT;
    }

    /**
     * True when the flow had no event within the interval (and now has one, at {@code nowMillis}); false when it is
     * to be suppressed.
     */
    boolean admit(int sourceAddress, int destinationAddress, int protocol, int sourcePort, int destinationPort,
                  int swIfIndex, int direction, long nowMillis) {
        long hash = mix(((long) sourceAddress << 32) ^ (destinationAddress & 0xffffffffL))
                ^ mix(((long) (sourcePort & 0xffff) << 48 | (long) (destinationPort & 0xffff) << 32
                | (protocol & 0xff) << 24 | (direction & 0xff) << 16) + 0x9e3779b97f4a7c15L * (swIfIndex + 1));
        long fingerprint = hash >>> TIME_BITS;
        if (fingerprint == 0) {
            fingerprint = 1;
        }
        long now = (nowMillis >>> TIME_SHIFT) & TIME_MASK;
        long entry = fingerprint << TIME_BITS | now;
        int first = (int) hash & (SLOTS - 2);
        long a = (long) SLOT.getOpaque(slots, first);
        long b = (long) SLOT.getOpaque(slots, first + 1);
        if (a >>> TIME_BITS == fingerprint) {
            return refresh(first, a, now, entry);
        }
        if (b >>> TIME_BITS == fingerprint) {
            return refresh(first + 1, b, now, entry);
        }
        int victim = a == 0 ? first : b == 0 ? first + 1 : age(a, now) >= age(b, now) ? first : first + 1;
        SLOT.setOpaque(slots, victim, entry);
        return true;
    }

    private boolean refresh(int slot, long seen, long now, long entry) {
        if (age(seen, now) < intervalUnits) {
            return false;
        }
        SLOT.setOpaque(slots, slot, entry);
        return true;
    }

    private static long age(long seen, long now) {
        return (now - seen) & TIME_MASK;
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser: every input bit moves every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
