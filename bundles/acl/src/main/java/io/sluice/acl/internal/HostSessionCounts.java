package io.sluice.acl.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Live reflect sessions per host, for the per-host quota ({@code sessions.max-per-host}): an open-addressing table
 * of longs, each {@code address << 32 | OCCUPIED | count}, changed only by compare-and-set of the whole long, so
 * that any worker may add or remove without a lock. Touched once per session created or deleted, never per
 * packet.
 *
 * <p>A host's entry is looked for in the whole probe window ({@link #PROBE} slots from its home), not only up to
 * the first empty slot: an entry whose count falls to zero is emptied at once, and a lookup that stopped there
 * would miss entries placed after it. Two workers adding a new host at the same instant may give it two entries;
 * its count is then split between them and the quota is approximate, as the table's per-session counters are
 * under races. A host that finds no free slot in its window (more than the table's hosts at once) is not
 * counted: {@code sessions.max} and {@code sessions.max-per-interface} still bound what it can hold.
 */
final class HostSessionCounts {
    /** Hosts counted at once, at most: twice the addresses of a /17, far more than a box's pods. */
    static final int SLOTS = 1 << 16;
    static final int PROBE = 64;

    private static final long OCCUPIED = 1L << 31;
    private static final long COUNT_MASK = OCCUPIED - 1;
    private static final int MASK = SLOTS - 1;

    private final AtomicLongArray entries = new AtomicLongArray(SLOTS);

    /** True, with the host's count raised, when it holds fewer than {@code max} sessions. */
    boolean tryAdd(int address, long max) {
        while (true) {
            int home = home(address);
            int free = -1;
            for (int probe = 0; probe < PROBE; probe++) {
                int slot = (home + probe) & MASK;
                long entry = entries.get(slot);
                if (entry == 0) {
                    if (free < 0) {
                        free = slot;
                    }
                } else if ((int) (entry >>> 32) == address) {
                    long count = entry & COUNT_MASK;
                    if (count >= max) {
                        return false;
                    }
                    if (entries.compareAndSet(slot, entry, entry + 1)) {
                        return true;
                    }
                    free = -2;
                    break;
                }
            }
            if (free == -2) {
                continue;
            }
            if (free < 0) {
                return true;
            }
            if (entries.compareAndSet(free, 0, (long) address << 32 | OCCUPIED | 1)) {
                return true;
            }
        }
    }

    /** Lowers the host's count; its entry is emptied when the count reaches zero. */
    void remove(int address) {
        int home = home(address);
        for (int probe = 0; probe < PROBE; probe++) {
            int slot = (home + probe) & MASK;
            while (true) {
                long entry = entries.get(slot);
                if (entry == 0 || (int) (entry >>> 32) != address) {
                    break;
                }
                long count = entry & COUNT_MASK;
                long next = count <= 1 ? 0 : entry - 1;
                if (entries.compareAndSet(slot, entry, next)) {
                    return;
                }
            }
        }
    }

    /** The host's live sessions, as counted. */
    long count(int address) {
        int home = home(address);
        long total = 0;
        for (int probe = 0; probe < PROBE; probe++) {
            long entry = entries.get((home + probe) & MASK);
            if (entry != 0 && (int) (entry >>> 32) == address) {
                total += entry & COUNT_MASK;
            }
        }
        return total;
    }

    private static int home(int address) {
        int h = address * 0x9E3779B1;
        return (h ^ h >>> 16) & MASK;
    }
}
