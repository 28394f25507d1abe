package io.sluice.common.state;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each fault a state file can have at open: what is kept, what is moved aside, and that nothing is misread. */
class StateFileTest {
    private static final StateFile.Spec SPEC = new StateFile.Spec(0x54455354L, 1, 64, 16, 64 * 16, "test-records 16");
    private static final long LEGACY_MAGIC = 0x4c454741L;
    /** A legacy payload: its first long is LEGACY_MAGIC and it is exactly the payload's size. */
    private static final StateFile.Legacy LEGACY = (head, size) -> head.getLong(0) == LEGACY_MAGIC
            && size == SPEC.payloadSize() ? null : "a legacy table of " + SPEC.payloadSize() + " bytes";
    private static final StateFile.RecordCheck SOUND = payload -> null;

    private static StateFile open(Path file) throws IOException {
        return StateFile.open(file, SPEC, LEGACY, SOUND, StateFile.FreeSpace.FILESYSTEM);
    }

    private static List<Path> aside(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("s.bin.moved-")).toList();
        }
    }

    @Test
    void aFreshFileIsReservedWholeWithAHeaderAndReopensWithItsRecords(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("state/s.bin");
        try (StateFile state = open(file)) {
            assertEquals(StateFile.Outcome.CREATED, state.outcome());
            state.payload().set(ValueLayout.JAVA_LONG, 8, 42L);
        }
        assertEquals(SPEC.fileSize(), Files.size(file));
        try (StateFile state = open(file)) {
            assertEquals(StateFile.Outcome.REOPENED, state.outcome());
            assertEquals(42L, state.payload().get(ValueLayout.JAVA_LONG, 8));
        }
        assertNull(StateFile.headerProblem(file, SPEC));
    }

    @Test
    void aTruncatedFileIsMovedAsideNamingWhy(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.bin");
        open(file).close();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(SPEC.fileSize() / 2);
        }
        assertEquals("truncated or extended: 544 bytes, its header says 1088", StateFile.headerProblem(file, SPEC));
        try (StateFile state = open(file)) {
            assertEquals(StateFile.Outcome.REPLACED, state.outcome());
            assertEquals(SPEC.fileSize(), Files.size(file), "a fresh file of the full size");
            assertEquals(List.of(state.movedAside()), aside(dir));
            assertEquals(SPEC.fileSize() / 2, Files.size(state.movedAside()), "kept as it was, for a post-mortem");
        }
    }

    @Test
    void aCorruptHeaderFailsItsChecksum(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.bin");
        open(file).close();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0x7f}), StateFile.H_RECORD_COUNT);
        }
        assertEquals("header checksum mismatch (damaged header)", StateFile.headerProblem(file, SPEC));
        try (StateFile state = open(file)) {
            assertEquals(StateFile.Outcome.REPLACED, state.outcome());
        }
        assertEquals(1, aside(dir).size());
    }

    @Test
    void aForeignFileIsMovedAsideByteForByte(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.bin");
        byte[] foreign = "not a state file at all, but some operator's notes".getBytes();
        Files.write(file, foreign);
        try (StateFile state = open(file)) {
            assertEquals(StateFile.Outcome.REPLACED, state.outcome());
            assertArrayEquals(foreign, Files.readAllBytes(state.movedAside()));
            assertEquals(0L, state.payload().get(ValueLayout.JAVA_LONG, 0), "the fresh payload is zeros");
        }
    }

    @Test
    void anotherGeometryOrKindIsMovedAside(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.bin");
        open(file).close();
        StateFile.Spec bigger = new StateFile.Spec(SPEC.kind(), 1, 64, 32, 64 * 32, "test-records 32");
        assertTrue(StateFile.headerProblem(file, bigger).startsWith("written for 16 records of 64 bytes"));
        StateFile.Spec other = new StateFile.Spec(0x4f54484552L, 1, 64, 16, 64 * 16, "other 16");
        assertTrue(StateFile.headerProblem(file, other).startsWith("another kind of state"));
        try (StateFile state = StateFile.open(file, bigger, null, SOUND, StateFile.FreeSpace.FILESYSTEM)) {
            assertEquals(StateFile.Outcome.REPLACED, state.outcome());
            assertEquals(bigger.fileSize(), Files.size(file));
        }
    }

    @Test
    void aLegacyFileIsMigratedWithItsRecords(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.bin");
        ByteBuffer legacy = ByteBuffer.allocate((int) SPEC.payloadSize()).order(java.nio.ByteOrder.nativeOrder());
        legacy.putLong(0, LEGACY_MAGIC).putLong(640, 0x5e55L);
        Files.write(file, legacy.array());
        try (StateFile state = open(file)) {
            assertEquals(StateFile.Outcome.MIGRATED, state.outcome());
            assertEquals(LEGACY_MAGIC, state.payload().get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0x5e55L, state.payload().get(ValueLayout.JAVA_LONG, 640), "the records are kept");
        }
        assertNull(StateFile.headerProblem(file, SPEC), "the file has its header now");
        assertTrue(aside(dir).isEmpty());
        assertFalse(Files.exists(dir.resolve("s.bin.migrating")));
        try (StateFile state = open(file)) {
            assertEquals(StateFile.Outcome.REOPENED, state.outcome());
        }
    }

    @Test
    void aLegacyFileOfAnotherSizeIsMovedAsideNotMigrated(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.bin");
        ByteBuffer legacy = ByteBuffer.allocate(128).order(java.nio.ByteOrder.nativeOrder()).putLong(0, LEGACY_MAGIC);
        Files.write(file, legacy.array());
        try (StateFile state = open(file)) {
            assertEquals(StateFile.Outcome.REPLACED, state.outcome());
        }
    }

    @Test
    void damagedRecordsMoveTheFileAside(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.bin");
        open(file).close();
        StateFile.RecordCheck damaged = payload -> "record 3 out of range";
        try (StateFile state = StateFile.open(file, SPEC, LEGACY, damaged, StateFile.FreeSpace.FILESYSTEM)) {
            assertEquals(StateFile.Outcome.REPLACED, state.outcome());
            assertEquals(1, aside(dir).size());
        }
    }

    @Test
    void aDiskThatCannotHoldTheFileIsAnErrorNamingTheFileAndTheBytes(@TempDir Path dir) {
        Path file = dir.resolve("s.bin");
        IOException e = assertThrows(IOException.class,
                () -> StateFile.open(file, SPEC, LEGACY, SOUND, directory -> 100));
        assertEquals(file + ": test-records 16 needs 1088 bytes (64 + 1024), but its filesystem has 100 bytes free;"
                + " free 988 bytes or lower test-records 16", e.getMessage());
        assertFalse(Files.exists(file), "no half-made file is left");
    }
}
