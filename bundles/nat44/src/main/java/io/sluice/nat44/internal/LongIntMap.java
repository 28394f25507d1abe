package io.sluice.nat44.internal;

import java.util.Arrays;

/**
 * A map from {@code long} keys to {@code int} values on primitive arrays: linear probing, backward-shift
 * deletion, no boxing. Used for the static mapping lookups (built once per configuration, read by workers)
 * and for per-inside-address session counts (mutated under the session table's lock). Key -1 is reserved
 * (endpoint keys never have protocol 255 with port 65535 and address 255.255.255.255).
 */
final class LongIntMap {
    private static final long EMPTY = -1L;

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    LongIntMap(int expected) {
        int slots = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
        keys = new long[slots];
        values = new int[slots];
        Arrays.fill(keys, EMPTY);
        mask = slots - 1;
    }

    private static int slot(long key, int mask) {
        return (int) SessionTable.mix(key) & mask;
    }

    /** The value of {@code key}, or {@code missing}. */
    int get(long key, int missing) {
        int pos = slot(key, mask);
        while (true) {
            long k = keys[pos];
            if (k == key) {
                return values[pos];
            }
            if (k == EMPTY) {
                return missing;
            }
            pos = (pos + 1) & mask;
        }
    }

    void put(long key, int value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int pos = slot(key, mask);
        while (keys[pos] != EMPTY && keys[pos] != key) {
            pos = (pos + 1) & mask;
        }
        if (keys[pos] == EMPTY) {
            keys[pos] = key;
            size++;
        }
        values[pos] = value;
    }

    /** Adds {@code delta} to the value of {@code key} (absent counts as 0); at 0 the key is removed. */
    int add(long key, int delta) {
        int value = get(key, 0) + delta;
        if (value == 0) {
            remove(key);
        } else {
            put(key, value);
        }
        return value;
    }

    void remove(long key) {
        int hole = slot(key, mask);
        while (keys[hole] != key) {
            if (keys[hole] == EMPTY) {
                return;
            }
            hole = (hole + 1) & mask;
        }
        int next = hole;
        while (true) {
            next = (next + 1) & mask;
            long k = keys[next];
            if (k == EMPTY) {
                break;
            }
            int home = slot(k, mask);
            boolean staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!staysPut) {
                keys[hole] = k;
                values[hole] = values[next];
                hole = next;
            }
        }
        keys[hole] = EMPTY;
        size--;
    }

    int size() {
        return size;
    }

    void clear() {
        Arrays.fill(keys, EMPTY);
        size = 0;
    }

    /** Calls {@code visitor} for every entry (control plane only). */
    void forEach(EntryVisitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.visit(keys[i], values[i]);
            }
        }
    }

    interface EntryVisitor {
        void visit(long key, int value);
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }
}
