package io.sluice.bench.nat44;

import io.sluice.nat44.testkit.Nat44Testkit.Sessions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory per NAT44 session for both storages: the table's own bytes divided by the sessions, and
 * the process's resident set (VmRSS, /proc/self/status; proc(5)) before and after filling it with
 * {@code args[0]} sessions (1M by default). Run each storage in its own JVM: {@code ffm} or {@code chronicle}.
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
        if (storage.equals("chronicle")) {
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
