package io.sluice.common.state;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A state file is reserved whole but resident only where it is used: opening maps nothing in, a pass over every
 * record does, and {@link StateFile#releaseResidentPages()} gives that back with the contents kept. Resident
 * sizes are read from this process's /proc/self/smaps (page tables, not timing).
 */
class StateFileResidencyTest {
    private static final int RECORDS = 16384;
    private static final StateFile.Spec SPEC =
            new StateFile.Spec(0x5245_5349L, 1, 256, RECORDS, 256L * RECORDS, "test-records " + RECORDS);

    private static StateFile open(Path file) throws IOException {
        return StateFile.open(file, SPEC, null, payload -> null, StateFile.FreeSpace.FILESYSTEM);
    }

    /** Twice what Linux maps around a read fault of a file page (mm/memory.c, fault_around_bytes: 64 kB). */
    private static final long FAULT_AROUND_KB = 128;
    private static final Pattern MAPPING = Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    /** The Rss of the mappings of {@code file} in this process, kB. */
    private static long residentKb(Path file) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        String name = file.toRealPath().toString();
        long kb = 0;
        boolean ours = false;
        for (String line : lines) {
            if (MAPPING.matcher(line).lookingAt()) {
                ours = line.endsWith(" " + name);
            } else if (ours && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kb;
    }

    @Test
    void aFreshFileIsReservedButNotResidentAndGivesBackWhatAScanReadIn(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.bin");
        long fileKb = SPEC.fileSize() / 1024;
        try (StateFile state = open(file)) {
            assertEquals(SPEC.fileSize(), Files.size(file));
            assertTrue(residentKb(file) <= FAULT_AROUND_KB, "a fresh file maps nothing in but its header: "
                    + residentKb(file) + " kB");

            long sum = 0;
            for (long at = 0; at < SPEC.payloadSize(); at += 4096) {
                sum += state.payload().get(ValueLayout.JAVA_BYTE, at);
            }
            assertEquals(0, sum);
            assertTrue(residentKb(file) >= fileKb - 8, "a pass over every page maps it all: " + residentKb(file) + " kB");

            state.payload().set(ValueLayout.JAVA_LONG, 256L * 100, 42L);
            state.releaseResidentPages();
            assertEquals(0, residentKb(file), "released");

            assertEquals(42L, state.payload().get(ValueLayout.JAVA_LONG, 256L * 100), "the contents stay the file's");
            // a read fault maps the pages around it too (the kernel's fault_around_bytes, 64 kB by default)
            assertTrue(residentKb(file) <= FAULT_AROUND_KB, "only the pages read again are resident: "
                    + residentKb(file) + " kB");
        }
        try (StateFile state = open(file)) {
            assertEquals(StateFile.Outcome.REOPENED, state.outcome());
            assertEquals(42L, state.payload().get(ValueLayout.JAVA_LONG, 256L * 100), "and reach the file");
        }
    }

    @Test
    void aRangeGivesBackOnlyTheWholePagesInsideIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("r.bin");
        try (StateFile state = open(file)) {
            long page = StateFile.PAGE_SIZE;
            for (long at = 0; at < SPEC.payloadSize(); at += page) {
                state.payload().set(ValueLayout.JAVA_BYTE, at, (byte) 1);
            }
            long before = residentKb(file);
            // payload offset 100 is inside the file's first page (the header's), so the range's first whole page is
            // the second one; its end, 40 pages on, cuts the 41st page of the file, which stays
            assertEquals(39 * page, state.releaseResidentPages(100, 40 * page));
            assertEquals(before - 39 * page / 1024, residentKb(file), "only the 39 whole pages left");
            assertEquals(0, state.releaseResidentPages(page, page - 1), "less than a page gives nothing back");
            for (long at = 0; at < SPEC.payloadSize(); at += page) {
                assertEquals(1, state.payload().get(ValueLayout.JAVA_BYTE, at), "the contents stay, at " + at);
            }
        }
    }
}
