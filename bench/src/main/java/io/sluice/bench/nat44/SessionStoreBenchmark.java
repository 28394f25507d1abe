package io.sluice.bench.nat44;

import io.sluice.nat44.testkit.Nat44Testkit.Sessions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The NAT44 session table on two storages, same layout and algorithm: java.lang.foreign (MemorySegment over
 * FileChannel.map, the bundle's SessionTable) and Chronicle Bytes (MappedBytes + native BytesStore). Both hold
 * {@code resident} sessions in a mapped file; lookups pick random resident keys (cache misses as on a box),
 * insertRemove adds a fresh session and deletes it again (the table stays at {@code resident}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Xmx1g"})
public class SessionStoreBenchmark {

    static final int PROTOCOL_TCP = 6;

    static long insideKey(int i) {
        return Sessions.key(0x0a000000 + (i >>> 8), 1024 + (i & 0xff), PROTOCOL_TCP);
    }

    static long outsideKey(int i) {
        return Sessions.key(0xc0a81000 + (i / 64_000), 1024 + (i % 64_000), PROTOCOL_TCP);
    }

    @State(Scope.Thread)
    public static class Stores {
        @Param({"1000000"})
        public int resident;

        Path dir;
        Sessions ffm;
        ChronicleSessionTable chronicle;
        long[] probeKeys;
        int cursor;
        int fresh;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            dir = Files.createTempDirectory("nat44-bench");
            ffm = Sessions.open(dir.resolve("ffm.bin"), resident + 65_536);
            chronicle = new ChronicleSessionTable(new File(dir.toFile(), "chronicle.bin"), resident + 65_536);
            for (int i = 0; i < resident; i++) {
                if (ffm.insert(insideKey(i), outsideKey(i)) < 0
                        || chronicle.insert(insideKey(i), outsideKey(i), 0, Long.MAX_VALUE) < 0) {
                    throw new IllegalStateException("table refused session " + i);
                }
            }
            SplittableRandom random = new SplittableRandom(42);
            probeKeys = new long[1 << 16];
            for (int i = 0; i < probeKeys.length; i++) {
                probeKeys[i] = insideKey(random.nextInt(resident));
            }
            fresh = resident;
        }

        long nextProbe() {
            return probeKeys[cursor++ & (probeKeys.length - 1)];
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            ffm.close();
            chronicle.close();
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    @Benchmark
    public int ffmLookup(Stores s) {
        return s.ffm.lookupIn2Out(s.nextProbe());
    }

    @Benchmark
    public int chronicleLookup(Stores s) {
        return s.chronicle.lookupIn2Out(s.nextProbe());
    }

    @Benchmark
    public int ffmInsertRemove(Stores s) {
        int i = s.fresh++ & 0x3fffffff;
        int session = s.ffm.insert(insideKey(i), outsideKey(i));
        s.ffm.remove(session);
        return session;
    }

    @Benchmark
    public int chronicleInsertRemove(Stores s) {
        int i = s.fresh++ & 0x3fffffff;
        int session = s.chronicle.insert(insideKey(i), outsideKey(i), 0, Long.MAX_VALUE);
        s.chronicle.remove(session);
        return session;
    }
}
