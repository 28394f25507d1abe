package io.sluice.nat44.internal;

import io.sluice.common.state.StateFile;
import io.sluice.graph.api.FeatureArc;
import io.sluice.packet.api.Tcp;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.FreeingDevice;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each fault the session file can have, provoked: truncated, corrupt header, foreign, damaged records, the
 * format before the header, a disk that cannot hold it at start, a disk that fills while it is in use. The box
 * either keeps forwarding (a fresh or migrated table, said in the log) or fails closed (nothing untranslated
 * leaves, counted); no worker ever sees an exception.
 */
class SessionFileFaultsTest {
    private static final long IN_KEY = SessionTable.key(0x0a010103, 41084, 6);
    private static final long OUT_KEY = SessionTable.key(0xc0a81001, 1025, 6);

    private static List<Path> movedAside(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("sessions.bin.moved-")).toList();
        }
    }

    private static void oneSession(Path file) throws IOException {
        try (SessionTable table = SessionTable.open(file, 4096)) {
            assertTrue(table.insert(IN_KEY, OUT_KEY, 0x1f866133, 80, TestBed.TAP2, false, 0, Long.MAX_VALUE) >= 0);
        }
    }

    private static void write(Path file, long at, byte... bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), at);
        }
    }

    /** After a replaced file, the box translates as before: a new connection gets a session and leaves translated. */
    private static void forwardsWithAFreshTable(Path file) throws IOException {
        try (TestBed bed = TestBed.mapped(file)) {
            assertEquals(0, bed.dataplane.table().count(), "nothing is read from the damaged file");
            bed.sendOut(Frames.tcp("10.1.1.3", 41084, "31.134.97.51", 80, Tcp.FLAG_SYN), TestBed.TAP2);
            assertEquals(1, bed.gbeOutput.size(), "and the box forwards, translated");
            assertEquals(1, bed.error(Nat44In2OutSlowPathNode.NAME, "sessions-created"));
        }
    }

    @Test
    void aTruncatedFileIsMovedAsideAndTheBoxForwardsWithAFreshTable(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sessions.bin");
        oneSession(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(63 * 64);
        }
        forwardsWithAFreshTable(file);
        assertEquals(63 * 64, Files.size(movedAside(dir).getFirst()), "kept as it was, for a post-mortem");
        assertEquals(SessionTable.fileSpec(4096).fileSize(), Files.size(file));
    }

    @Test
    void aCorruptHeaderIsMovedAside(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sessions.bin");
        oneSession(file);
        write(file, 35, (byte) 0x10); // the record count, under the header's checksum
        forwardsWithAFreshTable(file);
        assertEquals(1, movedAside(dir).size());
    }

    @Test
    void aForeignFileIsMovedAside(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sessions.bin");
        Files.write(file, new byte[(int) SessionTable.fileSpec(4096).fileSize()]);
        write(file, 0, "#!/bin/sh\necho someone else's file\n".getBytes());
        forwardsWithAFreshTable(file);
        assertTrue(new String(Files.readAllBytes(movedAside(dir).getFirst()), 0, 9).equals("#!/bin/sh"));
    }

    @Test
    void twoSessionsOnOneEndpointAreDamageAndMoveTheFileAside(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sessions.bin");
        try (SessionTable table = SessionTable.open(file, 4096)) {
            table.insert(IN_KEY, OUT_KEY, 0, 0, TestBed.TAP2, false, 0, Long.MAX_VALUE);
            table.insert(SessionTable.key(0x0a010104, 41084, 6), SessionTable.key(0xc0a81001, 1026, 6), 0, 0,
                    TestBed.TAP2, false, 0, Long.MAX_VALUE);
            // A stray write gives the second session the first one's outside endpoint.
            table.records().set(ValueLayout.JAVA_LONG, SessionTable.base(table.lookupIn2Out(
                    SessionTable.key(0x0a010104, 41084, 6), 0, 0)) + SessionTable.S_OUT_KEY, OUT_KEY);
        }
        forwardsWithAFreshTable(file);
        assertEquals(1, movedAside(dir).size());
    }

    @Test
    void aFileOfTheFormatBeforeTheHeaderIsMigratedWithItsSessions(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sessions.bin");
        // The earlier format: the table's bytes alone (its own header first), as an anonymous table holds them.
        try (SessionTable old = SessionTable.anonymous(4096)) {
            old.insert(IN_KEY, OUT_KEY, 0x1f866133, 80, TestBed.TAP2, false, 0, Long.MAX_VALUE);
            Files.write(file, old.records().toArray(ValueLayout.JAVA_BYTE));
        }
        try (SessionTable table = SessionTable.open(file, 4096)) {
            assertEquals(StateFile.Outcome.MIGRATED, table.fileOutcome());
            assertEquals(1, table.count(), "the session is kept");
            assertEquals(OUT_KEY, table.outKey(table.lookupIn2Out(IN_KEY, 0x1f866133, 80)));
        }
        assertTrue(movedAside(dir).isEmpty());
        try (SessionTable table = SessionTable.open(file, 4096)) {
            assertEquals(StateFile.Outcome.REOPENED, table.fileOutcome(), "and opens as it is from then on");
            assertEquals(1, table.count());
        }
    }

    /**
     * A session file the disk cannot back: NAT44 does not start translating with it, and nothing leaves the
     * outside untranslated: the configured outside is guarded, each packet dropped and counted as no-configuration.
     */
    @Test
    void aSessionFileThatCannotBeBackedFailsClosed(@TempDir Path dir) throws IOException {
        Path notADirectory = dir.resolve("a-file");
        Files.writeString(notADirectory, "in the way");
        Path file = notADirectory.resolve("sessions.bin");
        try (TestBed bed = TestBed.inMemory()) {
            InterfaceTableImpl interfaces = new InterfaceTableImpl(bed.harness.engine());
            int gbe = interfaces.register(new FreeingDevice("GigabitEthernet0/8/0"));
            Nat44Runtime runtime = new Nat44Runtime(bed.harness.engine(), interfaces, Map.of("addresses",
                    "192.168.16.1", "inside", "tap2", "output-feature", "GigabitEthernet0/8/0", "session-file",
                    file.toString(), "max-sessions", "4096"), bed.clock::get, false);
            try {
                assertTrue(runtime.refusalReason().startsWith("io.sluice.nat44: session-file cannot be used: "),
                        runtime.refusalReason());
                assertTrue(runtime.refusalReason().contains(file.getParent().toString()), "naming the file");
                assertTrue(runtime.dataplane().policy().refusing, "the dropping policy is published");
                assertTrue(bed.harness.engine().enabledFeatures(FeatureArc.IP4_OUTPUT, gbe)
                        .contains(Nat44In2OutOutputNode.NAME), "the outside is guarded");
                bed.removeNodes();
                Nat44Dataplane refusing = runtime.dataplane();
                bed.harness.add(new Nat44Out2InNode(refusing)).add(new Nat44In2OutOutputNode(refusing))
                        .add(new Nat44In2OutSlowPathNode(refusing));
                bed.sendOut(Frames.tcp("10.1.1.3", 41084, "31.134.97.51", 80, Tcp.FLAG_SYN), TestBed.TAP2);
                assertEquals(0, bed.gbeOutput.size(), "nothing leaves untranslated");
                assertEquals(1, bed.error(Nat44In2OutOutputNode.NAME, "no-configuration"), "dropped and counted");
                assertEquals(0, bed.harness.outstanding());
                runtime.modified(Map.of("addresses", "192.168.16.1", "inside", "tap2", "output-feature",
                        "GigabitEthernet0/8/0", "session-file", file.toString(), "max-sessions", "4096"));
                assertTrue(runtime.dataplane().policy().refusing, "a new configuration does not lift it");
            } finally {
                runtime.deactivate();
            }
        }
    }

    /** Housekeeping's msync of the session file waits for no lock a worker's slow path takes. */
    @Test
    void flushingTheSessionFileTakesNoTableLock(@TempDir Path dir) throws Exception {
        try (TestBed bed = TestBed.inMemory()) {
            InterfaceTableImpl interfaces = new InterfaceTableImpl(bed.harness.engine());
            interfaces.register(new FreeingDevice("GigabitEthernet0/8/0"));
            Nat44Runtime runtime = new Nat44Runtime(bed.harness.engine(), interfaces, Map.of("addresses",
                    "192.168.16.1", "inside", "tap2", "output-feature", "GigabitEthernet0/8/0", "session-file",
                    dir.resolve("sessions.bin").toString(), "max-sessions", "4096"), bed.clock::get, false);
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread slowPath = new Thread(() -> {
                synchronized (runtime.dataplane().table().lock()) {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            slowPath.start();
            try {
                held.await();
                // A liveness check, not a speed one: taking the lock would never return while it is held.
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                        runtime::flushSessionFile, "msync while the slow path holds the table lock");
            } finally {
                release.countDown();
                slowPath.join();
                runtime.deactivate();
            }
        }
    }

    /**
     * A disk that fills while the table is in use: the file was reserved whole at open, so every session the table
     * can hold is made (each record's page written) on a full disk, and the next is a counted refusal. The same
     * writes through a sparse mapping fault, which is what the reservation prevents. Needs root for the tmpfs.
     */
    @Test
    void aDiskThatFillsUpAfterTheOpenRefusesNewSessionsCountedNeverAFault(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
        Path mount = Files.createDirectories(dir.resolve("small-disk"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString()),
                "tmpfs could not be mounted here");
        try {
            int capacity = 1024;
            Path file = mount.resolve("sessions.bin");
            try (TestBed bed = new TestBed(SessionTable.open(file, capacity))) {
                fill(mount.resolve("filler"));
                assertSparseWritesFault(mount.resolve("sparse.bin"));

                for (int i = 0; i < capacity + 1; i++) {
                    bed.sendOut(Frames.udp("10.1.1.3", 10_000 + i, "8.8.8.8", 53, 12, true), TestBed.TAP2);
                }
                assertEquals(capacity, bed.dataplane.table().count(), "every record's page written on a full disk");
                assertEquals(capacity, bed.gbeOutput.size());
                assertEquals(1, bed.error(Nat44In2OutSlowPathNode.NAME, "max-sessions-exceeded"),
                        "the one session too many is refused and counted");
                assertEquals(0, bed.harness.outstanding(), "and its buffer freed");
                bed.dataplane.table().force();
            }
        } finally {
            assertTrue(run("umount", mount.toString()), "the tmpfs is unmounted");
        }
    }

    /** Writes until the filesystem says ENOSPC. */
    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            IOException full = assertThrows(IOException.class, () -> {
                while (true) {
                    out.write(chunk);
                    out.flush();
                }
            });
            assertNotNull(full.getMessage());
        } catch (IOException closing) {
            // closing flushes what could not be written: the disk is full either way
        }
        assertFalse(Files.getFileStore(filler.getParent()).getUsableSpace() >= 4096, "the disk is full");
    }

    /** A page of a sparse shared mapping on the full disk: writing it is the fault the reservation prevents. */
    private static void assertSparseWritesFault(Path sparse) throws IOException {
        try (FileChannel channel = FileChannel.open(sparse, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); Arena arena = Arena.ofShared()) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, 1 << 16, arena);
            Error fault = assertThrows(Error.class, () -> mapping.set(ValueLayout.JAVA_LONG, 8192, 1L));
            assertTrue(fault instanceof InternalError, fault.toString());
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().transferTo(OutputStream.nullOutputStream());
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
