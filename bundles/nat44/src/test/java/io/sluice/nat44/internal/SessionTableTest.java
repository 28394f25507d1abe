package io.sluice.nat44.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The open-addressing indexes against a HashMap model, through many inserts and backward-shift deletes. */
class SessionTableTest {

    @Test
    void randomInsertsAndDeletesAgreeWithAModel() {
        try (SessionTable table = SessionTable.anonymous(2000)) {
            Map<Long, Integer> byIn = new HashMap<>();
            Map<Long, Integer> byOut = new HashMap<>();
            List<Integer> live = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(1);
            for (int step = 0; step < 200_000; step++) {
                if (live.size() < 1900 && (live.isEmpty() || random.nextInt(3) != 0)) {
                    // a small key space so probe chains cluster and wrap around
                    long in = SessionTable.key(random.nextInt(64), random.nextInt(64), 6);
                    long out = SessionTable.key(0xc0a81001, 1024 + random.nextInt(60_000), 6);
                    if (byIn.containsKey(in) || byOut.containsKey(out)) {
                        continue;
                    }
                    int s = table.insert(in, out, 0, 0, 0, false, 0, 1);
                    assertTrue(s >= 0);
                    byIn.put(in, s);
                    byOut.put(out, s);
                    live.add(s);
                } else {
                    int s = live.remove(random.nextInt(live.size()));
                    byIn.remove(table.inKey(s));
                    byOut.remove(table.outKey(s));
                    table.remove(s);
                }
                if (step % 1000 == 0) {
                    for (Map.Entry<Long, Integer> e : byIn.entrySet()) {
                        assertEquals(e.getValue(), table.lookupIn2Out(e.getKey(), 0, 0));
                    }
                    for (Map.Entry<Long, Integer> e : byOut.entrySet()) {
                        assertEquals(e.getValue(), table.lookupOut2In(e.getKey(), 0, 0));
                    }
                    assertEquals(-1, table.lookupIn2Out(SessionTable.key(1000, 1, 6), 0, 0));
                }
            }
            assertEquals(live.size(), table.count());
        }
    }

    /**
     * The slow path's batches (SessionTable.beginBatch): out2in entries of a batch's inserts wait for its end, or for
     * a remove, which publishes them first; a record freed and taken again inside one batch must leave exactly one
     * entry per live session in each index.
     */
    @Test
    void batchedInsertsAndRemovesAgreeWithAModel() {
        try (SessionTable table = SessionTable.anonymous(600)) {
            Map<Long, Integer> byIn = new HashMap<>();
            Map<Long, Integer> byOut = new HashMap<>();
            List<Integer> live = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(3);
            for (int batch = 0; batch < 2_000; batch++) {
                table.beginBatch();
                int steps = 1 + random.nextInt(300);
                for (int step = 0; step < steps; step++) {
                    if (live.size() < 590 && (live.isEmpty() || random.nextInt(3) != 0)) {
                        long in = SessionTable.key(random.nextInt(40), random.nextInt(40), 17);
                        long out = SessionTable.key(0xc0a81001, 1024 + random.nextInt(2_000), 17);
                        if (byIn.containsKey(in) || byOut.containsKey(out)) {
                            continue;
                        }
                        int s = table.insert(in, out, 0, 0, 0, false, 0, 1);
                        assertTrue(s >= 0);
                        byIn.put(in, s);
                        byOut.put(out, s);
                        live.add(s);
                        assertEquals(s, table.lookupIn2Out(in, 0, 0), "in2out is published at once");
                    } else {
                        int s = live.remove(random.nextInt(live.size()));
                        byIn.remove(table.inKey(s));
                        byOut.remove(table.outKey(s));
                        table.remove(s);
                    }
                }
                table.endBatch();
                assertEquals(2L * live.size(), table.indexEntries());
                if (batch % 50 == 0) {
                    for (Map.Entry<Long, Integer> e : byIn.entrySet()) {
                        assertEquals(e.getValue(), table.lookupIn2Out(e.getKey(), 0, 0));
                    }
                    for (Map.Entry<Long, Integer> e : byOut.entrySet()) {
                        assertEquals(e.getValue(), table.lookupOut2In(e.getKey(), 0, 0));
                    }
                }
            }
            // Every live session once in each index, nothing else.
            assertEquals(live.size(), table.count());
            assertEquals(2L * live.size(), table.indexEntries());
            assertEquals(live.size(), table.rebuild(Long.MIN_VALUE));
            assertEquals(2L * live.size(), table.indexEntries());
            for (Map.Entry<Long, Integer> e : byOut.entrySet()) {
                assertEquals(e.getValue(), table.lookupOut2In(e.getKey(), 0, 0));
            }
        }
    }

    @Test
    void sessionsAreCountedPerProtocolThroughInsertRemoveAndRebuild(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        try (SessionTable table = SessionTable.open(file, 64)) {
            int[] protocols = {6, 6, 6, 17, 17, 1, 47};
            for (int i = 0; i < protocols.length; i++) {
                long expiresAt = i == 0 ? 10 : 1_000;
                assertTrue(table.insert(SessionTable.key(1, i, protocols[i]), SessionTable.key(2, i, protocols[i]),
                        0, 0, 0, false, 0, expiresAt) >= 0);
            }
            assertEquals(3, table.count(6));
            assertEquals(2, table.count(17));
            assertEquals(1, table.count(1));
            assertEquals(1, table.count(47));
            assertEquals(1, table.count(50), "every other protocol together");
            table.remove(table.lookupIn2Out(SessionTable.key(1, 3, 17), 0, 0));
            assertEquals(1, table.count(17));
            assertEquals(6, table.count(6) + table.count(17) + table.count(1) + table.count(0));
            assertEquals(table.count(), table.count(6) + table.count(17) + table.count(1) + table.count(0));
        }
        try (SessionTable table = SessionTable.open(file, 64)) {
            synchronized (table.lock()) {
                table.rebuild(100);
            }
            assertEquals(2, table.count(6), "the expired TCP session is not counted after the rebuild");
            assertEquals(1, table.count(17));
            assertEquals(1, table.count(1));
            assertEquals(1, table.count(47));
        }
    }

    @Test
    void fullTableRefusesAndFreedRecordsAreReused() {
        try (SessionTable table = SessionTable.anonymous(3)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(table.insert(SessionTable.key(1, i, 17), SessionTable.key(2, i, 17), 0, 0, 0, false, 0, 1) >= 0);
            }
            assertEquals(-1, table.insert(SessionTable.key(1, 9, 17), SessionTable.key(2, 9, 17), 0, 0, 0, false, 0, 1));
            table.remove(1);
            assertEquals(1, table.insert(SessionTable.key(1, 9, 17), SessionTable.key(2, 9, 17), 0, 0, 0, false, 0, 1));
        }
    }

    /**
     * Records are taken low to high and scans stop at the high water, so a big table holding few sessions reads
     * and writes only their pages; a reopen finds the high water again past the last session kept, and an
     * expired session above it is freed, not left for a later open's duplicate check.
     */
    @Test
    void recordsAreTakenFromTheBottomAndScansStopAtTheHighWater(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        try (SessionTable table = SessionTable.open(file, 1 << 16)) {
            assertEquals(0, table.highWater());
            for (int i = 0; i < 10; i++) {
                assertEquals(i, table.insert(SessionTable.key(1, i, 17), SessionTable.key(2, i, 17), 0, 0, 0, false,
                        0, i < 8 ? Long.MAX_VALUE : 5));
            }
            assertEquals(10, table.highWater());
            table.remove(3);
            assertEquals(3, table.insert(SessionTable.key(1, 30, 17), SessionTable.key(2, 30, 17), 0, 0, 0, false, 0,
                    Long.MAX_VALUE), "a freed record is taken before the high water moves");
            assertEquals(10, table.highWater());
            int[] expired = new int[16];
            assertEquals(2, table.collectExpired(10, 1 << 16, expired), "sessions 8 and 9, each once");
        }
        try (SessionTable table = SessionTable.open(file, 1 << 16)) {
            assertEquals(10, table.count());
            table.rebuild(10);
            assertEquals(8, table.count());
            assertEquals(8, table.highWater(), "the expired sessions above the last live one are freed");
            assertEquals(8, table.insert(SessionTable.key(1, 9, 17), SessionTable.key(2, 9, 17), 0, 0, 0, false, 0,
                    Long.MAX_VALUE), "session 9's flow again, in record 8");
        }
        try (SessionTable table = SessionTable.open(file, 1 << 16)) {
            assertEquals(9, table.count(), "no stale session beside the new one of the same flow");
        }
    }

    /**
     * The header says from which record on nothing is in use, and a start reads only the records below it: a
     * session written above it is not seen, one of a file without the field is (the whole file is read once), and
     * the field then follows the high water in its steps.
     */
    @Test
    void aStartReadsOnlyTheRecordsBelowTheHeadersUnusedMark(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        try (SessionTable table = SessionTable.open(file, 1 << 16)) {
            assertEquals(0, unusedFrom(file), "a fresh table: nothing in use");
            for (int i = 0; i < 2000; i++) {
                table.insert(SessionTable.key(1, i, 17), SessionTable.key(2, i, 17), 0, 0, 0, false, 0, Long.MAX_VALUE);
            }
            assertEquals(2 * SessionTable.UNUSED_FROM_STEP, unusedFrom(file), "raised ahead of the high water");
        }
        patchHeader(file, SessionTable.H_UNUSED_FROM, SessionTable.UNUSED_FROM_STEP);
        try (SessionTable table = SessionTable.open(file, 1 << 16)) {
            assertEquals(SessionTable.UNUSED_FROM_STEP, table.count(), "the records above the mark are not read");
        }
        // the sessions 1024..1999 are still in the file; a header without the field's tag reads it whole
        patchHeader(file, SessionTable.H_UNUSED_FROM_TAG, 0);
        patchHeader(file, SessionTable.H_UNUSED_FROM, 0);
        try (SessionTable table = SessionTable.open(file, 1 << 16)) {
            assertEquals(2000, table.count(), "a file from before the field: every record read");
            assertEquals(2000, table.highWater());
        }
        assertEquals(2000, unusedFrom(file), "the rebuild at open sets it to the high water");
        patchHeader(file, SessionTable.H_UNUSED_FROM, (1 << 16) + 1);
        try (SessionTable table = SessionTable.open(file, 1 << 16)) {
            assertEquals(2000, table.count(), "a mark beyond the table is not trusted: the whole file is read");
        }
    }

    private static int unusedFrom(Path file) throws java.io.IOException {
        java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(file))
                .order(java.nio.ByteOrder.nativeOrder());
        int payload = io.sluice.common.state.StateFile.HEADER_SIZE;
        assertEquals(SessionTable.UNUSED_FROM_MARK, header.getInt(payload + SessionTable.H_UNUSED_FROM_TAG));
        return header.getInt(payload + SessionTable.H_UNUSED_FROM);
    }

    private static void patchHeader(Path file, int field, int value) throws java.io.IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder());
            bytes.putInt(0, value);
            channel.write(bytes, io.sluice.common.state.StateFile.HEADER_SIZE + field);
        }
    }

    @Test
    void oneMillionSessionsFitIn128MiB() {
        try (SessionTable table = SessionTable.anonymous(1_000_000)) {
            assertTrue(table.memoryBytes() < 128L * 1024 * 1024, table.memoryBytes() + " bytes");
        }
    }
}
