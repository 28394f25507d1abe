package io.sluice.ip4.internal.fib;

import java.util.Arrays;

/**
 * An open-addressing map from non-negative {@code long} keys to {@code int} values (linear probing, deletion
 * by backward shift): the FIB's route store, a million routes without a boxed entry each.
 */
final class LongIntMap {
    private static final long FREE = -1L;

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    LongIntMap() {
        this(16);
    }

    LongIntMap(int expected) {
        int capacity = 16;
        while (capacity < expected * 2) {
            capacity <<= 1;
        }
        allocate(capacity);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, FREE);
        values = new int[capacity];
        mask = capacity - 1;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9e3779b97f4a7c15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    int size() {
        return size;
    }

    boolean containsKey(long key) {
        return indexOf(key) >= 0;
    }

    /** The value of {@code key}, or {@code missing}. */
    int get(long key, int missing) {
        int i = indexOf(key);
        return i < 0 ? missing : values[i];
    }

    private int indexOf(long key) {
        int i = slot(key, mask);
        long k;
        while ((k = keys[i]) != FREE) {
            if (k == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    void put(long key, int value) {
        if ((size + 1) * 2 > keys.length) {
            long[] oldKeys = keys;
            int[] oldValues = values;
            allocate(keys.length * 2);
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != FREE) {
                    put(oldKeys[i], oldValues[i]);
                }
            }
        }
        int i = slot(key, mask);
        long k;
        while ((k = keys[i]) != FREE) {
            if (k == key) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        size++;
    }

    boolean remove(long key) {
        int i = indexOf(key);
        if (i < 0) {
            return false;
        }
        // Backward-shift: move later entries of the probe run into the hole so lookups never stop early.
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            long k = keys[j];
            if (k == FREE) {
                break;
            }
            int home = slot(k, mask);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = k;
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = FREE;
        size--;
        return true;
    }

    /** Calls {@code visitor} for every entry (order unspecified). */
    void forEach(Visitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != FREE) {
                visitor.visit(keys[i], values[i]);
            }
        }
    }

    long memoryBytes() {
        return 12L * keys.length;
    }

    interface Visitor {
        void visit(long key, int value);
    }
}
