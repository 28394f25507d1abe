package io.sluice.common;

import java.util.Arrays;

/**
 * A map from {@code long} keys to {@code int} values on two primitive arrays: open addressing with linear
 * probing, deletion by backward shift (no tombstones, so a long-lived map never degrades), no boxing. Key -1
 * is reserved as the empty slot. Not thread-safe: a writer owns it, or it is built once and then only read.
 *
 * <p>Used by the FIB's route store (a million routes without a boxed entry each) and NAT44's static mappings
 * and per-inside-address session counts. Each bundle holds its own private copy of this package.
 */
public final class LongIntMap {
    private static final long EMPTY = -1L;

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    public LongIntMap() {
        this(8);
    }

    /** A map that holds {@code expected} entries before it grows. */
    public LongIntMap(int expected) {
        int slots = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
        keys = new long[slots];
        values = new int[slots];
        Arrays.fill(keys, EMPTY);
        mask = slots - 1;
    }

    /** The murmur3 64-bit finalizer: every key bit reaches the low bits the slot is taken from. */
    private static int slot(long key, int mask) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    public int size() {
        return size;
    }

    public boolean containsKey(long key) {
        return indexOf(key) >= 0;
    }

    /** The value of {@code key}, or {@code missing} when it is absent. Allocation-free. */
    public int get(long key, int missing) {
        int i = indexOf(key);
        return i < 0 ? missing : values[i];
    }

    private int indexOf(long key) {
        int i = slot(key, mask);
        long k;
        while ((k = keys[i]) != EMPTY) {
            if (k == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    public void put(long key, int value) {
        if (key == EMPTY) {
            throw new IllegalArgumentException("key -1 is reserved");
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int i = slot(key, mask);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            keys[i] = key;
            size++;
        }
        values[i] = value;
    }

    /** Adds {@code delta} to the value of {@code key} (absent counts as 0); at 0 the key is removed. */
    public int add(long key, int delta) {
        int value = get(key, 0) + delta;
        if (value == 0) {
            remove(key);
        } else {
            put(key, value);
        }
        return value;
    }

    /** Removes {@code key}; false when it was absent. */
    public boolean remove(long key) {
        int hole = indexOf(key);
        if (hole < 0) {
            return false;
        }
        // Backward shift: move later entries of the probe run into the hole so that no lookup stops early.
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
        return true;
    }

    public void clear() {
        Arrays.fill(keys, EMPTY);
        size = 0;
    }

    /** Calls {@code visitor} for every entry, in no particular order (control plane only). */
    public void forEach(Visitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.visit(keys[i], values[i]);
            }
        }
    }

    /** Bytes held by the two arrays. */
    public long memoryBytes() {
        return 12L * keys.length;
    }

    public interface Visitor {
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
