package io.sluice.ip4.config;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ForwardingWatchTest {

    /** The process was forked shortly before the JVM in it started, and both clocks agree to within 10 ms ticks. */
    @Test
    void theProcessAgeComesFromTheKernelAndIsJustAboveTheJvmUptime() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux's /proc (not here)");
        long before = ManagementFactory.getRuntimeMXBean().getUptime();
        long age = ForwardingWatch.processAgeMillis();
        long after = ManagementFactory.getRuntimeMXBean().getUptime();
        assertTrue(age >= before - 20, "process age " + age + " ms, JVM uptime " + before + " ms");
        assertTrue(age <= after + 5_000, "process age " + age + " ms, JVM uptime " + after + " ms");
    }
}
