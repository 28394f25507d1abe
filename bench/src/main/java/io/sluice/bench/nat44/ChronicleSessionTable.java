package io.sluice.bench.nat44;

import io.sluice.packet.api.PortBlocks;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytes;

import java.io.File;
import java.io.FileNotFoundException;

/**
 * The NAT44 session table of bundles/nat44 (SessionTable) rebuilt on Chronicle Bytes for the storage
 * comparison: the same 64-byte records in a file mapped by {@link MappedBytes}, the same two linear-probing
 * indexes of tagged longs in a native {@link BytesStore}, the same backward-shift delete. Only what the
 * benchmarks measure (insert, lookup, remove) is here.
 */
final class ChronicleSessionTable implements AutoCloseable {
    private static final int HEADER_SIZE = 64;
    private static final int SESSION_SIZE = 64;
    private static final int S_IN_KEY = 0;
    private static final int S_OUT_KEY = 8;
    private static final int S_EXPIRES = 16;
    private static final int S_LAST_HEARD = 24;
    private static final int S_FLAGS = 55;
    private static final int S_NEXT_FREE = 60;

    private final MappedBytes records;
    private final BytesStore<?, Void> in2out;
    private final BytesStore<?, Void> out2in;
    private final long slotMask;
    private final int capacity;
    private int freeHead;

    ChronicleSessionTable(File file, int capacity) throws FileNotFoundException {
        this.capacity = capacity;
        this.records = MappedBytes.singleMappedBytes(file, HEADER_SIZE + (long) capacity * SESSION_SIZE);
        this.records.singleThreadedCheckDisabled(true);
        long slots = Long.highestOneBit(Math.max(2L * capacity, 16L) - 1) << 1;
        this.slotMask = slots - 1;
        this.in2out = BytesStore.nativeStoreWithFixedCapacity(slots * 8);
        this.out2in = BytesStore.nativeStoreWithFixedCapacity(slots * 8);
        in2out.zeroOut(0, slots * 8);
        out2in.zeroOut(0, slots * 8);
        for (int s = capacity - 1; s >= 0; s--) {
            records.writeInt(base(s) + S_NEXT_FREE, s == capacity - 1 ? -1 : s + 1);
        }
        freeHead = 0;
    }

    private static long base(int s) {
        return HEADER_SIZE + (long) s * SESSION_SIZE;
    }

    /** The NAT's own hash (its session table indexes by it too), so the two tables spread keys alike. */
    private static long mix(long key) {
        return PortBlocks.mix(key);
    }

    int lookupIn2Out(long key) {
        return probe(in2out, S_IN_KEY, key);
    }

    int lookupOut2In(long key) {
        return probe(out2in, S_OUT_KEY, key);
    }

    private int probe(BytesStore<?, Void> index, int keyField, long key) {
        long h = mix(key);
        int tag = (int) (h >>> 32);
        long pos = h & slotMask;
        while (true) {
            long entry = index.readVolatileLong(pos << 3);
            if (entry == 0) {
                return -1;
            }
            if ((int) (entry >>> 32) == tag) {
                int s = (int) entry - 1;
                if (records.readLong(base(s) + keyField) == key) {
                    return s;
                }
            }
            pos = (pos + 1) & slotMask;
        }
    }

    int insert(long inKey, long outKey, long now, long expiresAt) {
        int s = freeHead;
        if (s < 0) {
            return -1;
        }
        long base = base(s);
        freeHead = records.readInt(base + S_NEXT_FREE);
        records.writeLong(base + S_IN_KEY, inKey);
        records.writeLong(base + S_OUT_KEY, outKey);
        records.writeLong(base + S_EXPIRES, expiresAt);
        records.writeLong(base + S_LAST_HEARD, now);
        records.writeByte(base + S_FLAGS, (byte) 1);
        insertIndex(in2out, inKey, s);
        insertIndex(out2in, outKey, s);
        return s;
    }

    private void insertIndex(BytesStore<?, Void> index, long key, int s) {
        long h = mix(key);
        long pos = h & slotMask;
        while (index.readVolatileLong(pos << 3) != 0) {
            pos = (pos + 1) & slotMask;
        }
        index.writeOrderedLong(pos << 3, (h & 0xffffffff00000000L) | ((s + 1) & 0xffffffffL));
    }

    void remove(int s) {
        long base = base(s);
        removeIndex(in2out, S_IN_KEY, records.readLong(base + S_IN_KEY), s);
        removeIndex(out2in, S_OUT_KEY, records.readLong(base + S_OUT_KEY), s);
        records.writeByte(base + S_FLAGS, (byte) 0);
        records.writeInt(base + S_NEXT_FREE, freeHead);
        freeHead = s;
    }

    private void removeIndex(BytesStore<?, Void> index, int keyField, long key, int s) {
        long hole = mix(key) & slotMask;
        while (true) {
            long entry = index.readVolatileLong(hole << 3);
            if (entry == 0) {
                return;
            }
            if ((int) entry == s + 1) {
                break;
            }
            hole = (hole + 1) & slotMask;
        }
        long next = hole;
        while (true) {
            next = (next + 1) & slotMask;
            long entry = index.readVolatileLong(next << 3);
            if (entry == 0) {
                break;
            }
            long home = mix(records.readLong(base((int) entry - 1) + keyField)) & slotMask;
            boolean staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!staysPut) {
                index.writeOrderedLong(hole << 3, entry);
                hole = next;
            }
        }
        index.writeOrderedLong(hole << 3, 0L);
    }

    long memoryBytes() {
        return HEADER_SIZE + (long) capacity * SESSION_SIZE + 2 * (slotMask + 1) * 8;
    }

    @Override
    public void close() {
        records.releaseLast();
        in2out.releaseLast();
        out2in.releaseLast();
    }
}
