package io.sluice.telemetry.internal;

import java.util.ArrayDeque;

/** A stand-in for a forwarding path's ring in the exporters' tests: records queued by the test, drained in order. */
final class QueuedRecords {
    private final ArrayDeque<long[]> records = new ArrayDeque<>();
    private final int longs;
    int enabledWith;

    QueuedRecords(int longs) {
        this.longs = longs;
    }

    /** A new record of the ring's size, queued; the test packs it. */
    long[] add() {
        long[] r = new long[longs];
        records.add(r);
        return r;
    }

    int drain(long[] out, int max) {
        int n = 0;
        while (n < max && !records.isEmpty()) {
            System.arraycopy(records.poll(), 0, out, n * longs, longs);
            n++;
        }
        return n;
    }
}
