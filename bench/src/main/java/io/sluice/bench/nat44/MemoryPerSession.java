package io.sluice.bench.nat44;

import io.sluice.nat44.testkit.Nat44Testkit;
import io.sluice.nat44.testkit.Nat44Testkit.Sessions;
import io.sluice.packet.api.Ipv4;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Resident memory per NAT44 session for both storages: the table's own bytes divided by the sessions, and
 * the process's resident set (VmRSS, /proc/self/status; proc(5)) before and after filling it with
 * {@code args[1]} sessions (1M by default). Run each storage in its own JVM: {@code ffm} or {@code chronicle}.
 *
 * <p>{@code dataplane}: the whole NAT44-ED dataplane as a box holds it, the records in a memory-mapped file, filled
 * through the slow path's session creation with {@code args[1]} sessions of which every {@code args[2]} (1 by default)
 * share one inside endpoint and so one endpoint mapping (each to its own remote); prints each item's bytes
 * (records, both session indexes, TCP windows, endpoint mappings, per-address counts, port bitmaps) and the resident
 * set split into anonymous memory and file pages (RssAnon, RssFile). Nothing of it is on the Java heap (the endpoint
 * mappings are off-heap too, sized by the capacity); the total is printed in MiB and in decimal GB, the unit of issue
 * 17's goal (10M sessions in less than 1.28 GB, 1.28e9 bytes).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Xmx1g -cp bench/target/benchmarks.jar \
 *     io.sluice.bench.nat44.MemoryPerSession dataplane 10000000 1</pre>
 */
public final class MemoryPerSession {

    private MemoryPerSession() {
    }

    public static void main(String[] args) throws Exception {
        String storage = args.length > 0 ? args[0] : "ffm";
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Path dir = Files.createTempDirectory("nat44-memory");
        System.gc();
        long before = rssBytes();
        long tableBytes;
        if (storage.equals("dataplane")) {
            dataplane(dir, sessions, args.length > 2 ? Integer.parseInt(args[2]) : 1);
        } else if (storage.equals("chronicle")) {
            try (ChronicleSessionTable table = new ChronicleSessionTable(new File(dir.toFile(), "s.bin"), sessions)) {
                for (int i = 0; i < sessions; i++) {
                    if (table.insert(SessionStoreBenchmark.insideKey(i), SessionStoreBenchmark.outsideKey(i), 0,
                            Long.MAX_VALUE) < 0) {
                        throw new IllegalStateException("table refused session " + i);
                    }
                }
                tableBytes = table.memoryBytes();
                report(storage, sessions, tableBytes, before);
            }
        } else {
            try (Sessions table = Sessions.open(dir.resolve("s.bin"), sessions)) {
                for (int i = 0; i < sessions; i++) {
                    if (table.insert(SessionStoreBenchmark.insideKey(i), SessionStoreBenchmark.outsideKey(i)) < 0) {
                        throw new IllegalStateException("table refused session " + i);
                    }
                }
                tableBytes = table.memoryBytes();
                report(storage, sessions, tableBytes, before);
            }
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static void dataplane(Path dir, int sessions, int perMapping) throws Exception {
        int mappings = (sessions + perMapping - 1) / perMapping;
        // Dynamic ports are 1024..65535 on each pool address.
        int[] pool = new int[mappings / 64_000 + 1];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = 0xc6120000 + i;
        }
        System.gc();
        long[] before = rss();
        long heapBefore = heapUsed();
        try (Nat44Testkit nat = Nat44Testkit.inside2OutsideOnFile(dir.resolve("sessions"), sessions,
                System.currentTimeMillis(), pool, 6, 1, 256 * perMapping)) {
            for (int i = 0; i < sessions; i++) {
                int endpoint = i / perMapping;
                // 256 inside endpoints per inside address; each session of an endpoint to its own remote.
                if (!nat.createSession(0x0a000000 + (endpoint >>> 8), 1024 + (endpoint & 0xff), Ipv4.PROTOCOL_TCP,
                        0x1f000000 + (i % perMapping), 443, 6)) {
                    throw new IllegalStateException("the dataplane refused session " + i);
                }
            }
            long[] after = rss();
            long heap = heapUsed() - heapBefore;
            long[] counts = nat.counts();
            System.out.printf(Locale.ROOT, "dataplane: %d sessions, %d endpoint mappings (%d sessions each)%n",
                    counts[0], counts[1], perMapping);
            long total = 0;
            for (Map.Entry<String, Long> item : nat.memoryItems().entrySet()) {
                total += item.getValue();
                System.out.printf(Locale.ROOT, "  %-36s %8.1f MiB  %6.1f B/session%n", item.getKey(),
                        item.getValue() / 1048576.0, (double) item.getValue() / sessions);
            }
            System.out.printf(Locale.ROOT, "  %-36s %8.1f MiB  %6.1f B/session  (%.3f GB, 1e9 B)%n", "total",
                    total / 1048576.0, (double) total / sessions, total / 1e9);
            System.out.printf(Locale.ROOT, "  resident set +%.1f MiB (%.1f B/session): anonymous +%.1f MiB, file pages"
                            + " +%.1f MiB; Java heap in use +%.1f MiB%n", (after[0] - before[0]) / 1048576.0,
                    (double) (after[0] - before[0]) / sessions, (after[1] - before[1]) / 1048576.0,
                    (after[2] - before[2]) / 1048576.0, heap / 1048576.0);
        }
    }

    private static long heapUsed() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** VmRSS, RssAnon and RssFile (proc(5)), in bytes. */
    private static long[] rss() throws Exception {
        long[] values = new long[3];
        String[] names = {"VmRSS:", "RssAnon:", "RssFile:"};
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            for (int i = 0; i < names.length; i++) {
                if (line.startsWith(names[i])) {
                    values[i] = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        return values;
    }

    private static void report(String storage, int sessions, long tableBytes, long rssBefore) throws Exception {
        long rssAfter = rssBytes();
        System.out.printf("%s: %d sessions, table %.1f MiB (%d B/session), RSS +%.1f MiB (%d B/session)%n", storage,
                sessions, tableBytes / 1048576.0, tableBytes / sessions, (rssAfter - rssBefore) / 1048576.0,
                (rssAfter - rssBefore) / sessions);
    }

    private static long rssBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
