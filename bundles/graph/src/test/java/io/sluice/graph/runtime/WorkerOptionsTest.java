package io.sluice.graph.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The worker keys of io.sluice.graph: VPP's cpu words, rx placement, the frame queues, the profile's cores. */
class WorkerOptionsTest {

    @TempDir
    Path profiles;

    private static boolean twoCores() {
        return Runtime.getRuntime().availableProcessors() >= 2;
    }

    @Test
    void mainCoreAndCorelistWorkersPinWorkerZeroThenTheOthers() {
        if (!twoCores()) {
            return;
        }
        GraphOptions options = GraphOptions.from(Map.of("workers", "2", "main-core", "0", "corelist-workers", "1"));
        assertArrayEquals(new int[] {0, 1}, options.cpus());
        assertArrayEquals(new int[] {1, 2, 3, 5}, GraphOptions.coreRanges("1-3,5", "corelist-workers"));
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> GraphOptions.from(Map.of("workers", "2", "cpus", "0,1", "main-core", "0")));
        assertEquals("cpus: give either cpus or main-core/corelist-workers, not both", both.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> GraphOptions.coreRanges("3-1", "corelist-workers"));
        assertEquals("corelist-workers: range '3-1' is empty", empty.getMessage());
    }

    @Test
    void placementNamesAWorkerPerInputAndAnUnknownWorkerIsRefused() {
        GraphOptions options = GraphOptions.from(Map.of("workers", "2", "placement", "dpdk-input:1, virtio-input:0"));
        assertEquals(Map.of("dpdk-input", 1, "virtio-input", 0), options.placement());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> GraphOptions.from(Map.of("workers", "2", "placement", "dpdk-input:2")));
        assertEquals("placement: dpdk-input on worker 2, but the workers are 0..1", refused.getMessage());
        IllegalArgumentException queue = assertThrows(IllegalArgumentException.class,
                () -> GraphOptions.from(Map.of("handoff-queue", "1000")));
        assertEquals("handoff-queue: must be a power of two >= 64, got 1000", queue.getMessage());
        assertEquals(GraphOptions.DEFAULT_HANDOFF_QUEUE, GraphOptions.DEFAULTS.handoffQueue());
    }

    @Test
    void theProfilesWorkerCoresApplyUnlessTheGraphSaysOtherwise() throws Exception {
        if (!twoCores()) {
            return;
        }
        Files.writeString(profiles.resolve("box.profile"), "description = two workers\ncores.workers = 0-1\n");
        Map<String, Object> hardware = Map.of("profile", "box", "directory", profiles.toString());
        GraphOptions oneWorker = GraphOptions.from(ProfileCores.apply(hardware));
        assertEquals(1, oneWorker.workers(), "the count stays the graph's");
        assertArrayEquals(new int[] {0}, oneWorker.cpus(), "pinned to the profile's first core");

        Map<String, Object> twoWorkers = new java.util.HashMap<>(hardware);
        twoWorkers.put("workers", "2");
        assertArrayEquals(new int[] {0, 1}, GraphOptions.from(ProfileCores.apply(twoWorkers)).cpus());

        Map<String, Object> ownCpus = new java.util.HashMap<>(hardware);
        ownCpus.put("cpus", "1");
        assertArrayEquals(new int[] {1}, GraphOptions.from(ProfileCores.apply(ownCpus)).cpus());

        Map<String, Object> tooMany = new java.util.HashMap<>(hardware);
        tooMany.put("workers", "3");
        GraphOptions unpinned = GraphOptions.from(ProfileCores.apply(tooMany));
        assertEquals(3, unpinned.workers());
        assertArrayEquals(new int[0], unpinned.cpus(), "more workers than the profile's cores: not pinned");

        Files.writeString(profiles.resolve("big.profile"), "cores.workers = 0-4095\n");
        GraphOptions absent = GraphOptions.from(ProfileCores.apply(Map.of("profile", "big", "directory",
                profiles.toString())));
        assertEquals(1, absent.workers(), "cores this box lacks: unpinned");
        assertArrayEquals(new int[0], absent.cpus());
    }
}
