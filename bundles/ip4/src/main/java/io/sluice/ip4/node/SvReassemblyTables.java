package io.sluice.ip4.node;

import java.util.function.LongSupplier;

/** The per-worker tables of one sv-reassembly node and its clock (read once per frame). */
final class SvReassemblyTables {

    final SvReassemblyTable[] byWorker;
    private final LongSupplier nanoClock;

    SvReassemblyTables(SvReassemblySettings settings, int workers, LongSupplier nanoClock) {
        this.byWorker = new SvReassemblyTable[Math.max(1, workers)];
        for (int w = 0; w < byWorker.length; w++) {
            byWorker[w] = new SvReassemblyTable(settings);
        }
        this.nanoClock = nanoClock;
    }

    long now() {
        return nanoClock.getAsLong();
    }

    int clear() {
        int freed = 0;
        for (SvReassemblyTable table : byWorker) {
            freed += table.clear(table.pool);
        }
        return freed;
    }

    int heldBuffers() {
        int held = 0;
        for (SvReassemblyTable table : byWorker) {
            held += table.heldBuffers();
        }
        return held;
    }

    int reassemblies() {
        int active = 0;
        for (SvReassemblyTable table : byWorker) {
            active += table.active();
        }
        return active;
    }
}
