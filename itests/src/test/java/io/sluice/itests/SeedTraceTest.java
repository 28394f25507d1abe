package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SeedTrace, on trace:show texts in the graph's layout: one worker's exact path, and two workers' joined halves. */
class SeedTraceTest {

    private static final List<String> PATH = List.of("virtio-input", "ip4-input", "nat44-in2out-output", "tap2-tx");

    private static String thread(int thread, String name, String... packets) {
        StringBuilder out = new StringBuilder("------------------- Start of thread " + thread + " " + name
                + " -------------------\n");
        for (int p = 0; p < packets.length; p++) {
            out.append("Packet ").append(p + 1).append("\n\n").append(packets[p]).append('\n');
        }
        return out.toString();
    }

    private static String node(int micros, String name, String... lines) {
        StringBuilder out = new StringBuilder(String.format("00:00:01:%06d: %s%n", micros, name));
        for (String line : lines) {
            out.append("  ").append(line).append('\n');
        }
        return out.toString();
    }

    private static final String ONE_WORKER = thread(0, "sluice_main",
            node(1, "virtio-input", "virtio: hw_if_index 2") + node(2, "ip4-input", "TCP: 10.1.1.3 -> 203.0.113.51",
                    "  flags 0x02 SYN, tcp header: 40 bytes") + node(3, "nat44-in2out-output", "NAT44_IN2OUT_FAST_PATH")
                    + node(4, "tap2-tx", "tap2"));

    /** The same SYN handed from thread 0 to thread 1 after ip4-input; an unrelated packet first on thread 1. */
    private static final String TWO_WORKERS = thread(0, "sluice_main",
            node(1, "virtio-input", "virtio: hw_if_index 2") + node(2, "ip4-input", "TCP: 10.1.1.3 -> 203.0.113.51",
                    "  flags 0x02 SYN, tcp header: 40 bytes")
                    + node(3, "nat44-in2out-output-worker-handoff",
                            "NAT44_IN2OUT_WORKER_HANDOFF : next-worker 1 trace index 0"))
            + thread(1, "sluice_wk_0",
            node(5, "dpdk-input", "GigabitEthernet0/8/0 rx queue 0") + node(6, "ip4-input", "UDP: 1 -> 2"),
            node(7, "handoff_trace", "HANDED-OFF: from thread 0 trace index 0")
                    + node(8, "nat44-in2out-output", "NAT44_IN2OUT_FAST_PATH") + node(9, "tap2-tx", "tap2"));

    @Test
    void withOneWorkerThePathIsExactlyTheSeeds() {
        Map<String, String> syn = SeedTrace.packetWith(ONE_WORKER, "virtio-input", "flags 0x02 SYN,", "tap2-tx");
        SeedTrace.assertPath(PATH, syn, 1, ONE_WORKER);
        assertEquals("  TCP: 10.1.1.3 -> 203.0.113.51\n    flags 0x02 SYN, tcp header: 40 bytes\n", syn.get("ip4-input"));
    }

    @Test
    void withOneWorkerAHandoffLineIsNotTheSeedsPath() {
        Map<String, String> syn = SeedTrace.packetWith(TWO_WORKERS, "virtio-input", "flags 0x02 SYN,", "tap2-tx");
        assertThrows(AssertionError.class, () -> SeedTrace.assertPath(PATH, syn, 1, TWO_WORKERS));
    }

    @Test
    void withTwoWorkersTheHalvesAreJoinedAndTheHandoffLinesAccepted() {
        Map<String, String> syn = SeedTrace.packetWith(TWO_WORKERS, "virtio-input", "flags 0x02 SYN,", "tap2-tx");
        assertEquals(List.of("virtio-input", "ip4-input", "nat44-in2out-output-worker-handoff", "handoff_trace",
                "nat44-in2out-output", "tap2-tx"), List.copyOf(syn.keySet()));
        SeedTrace.assertPath(PATH, syn, 2, TWO_WORKERS);
        assertEquals(List.of("nat44-in2out-output-worker-handoff: NAT44_IN2OUT_WORKER_HANDOFF : next-worker 1 trace index 0",
                "handoff_trace: HANDED-OFF: from thread 0 trace index 0"), SeedTrace.handoffSteps(syn));
    }

    @Test
    void withTwoWorkersEverySeedNodeIsStillRequiredInOrder() {
        Map<String, String> syn = SeedTrace.packetWith(TWO_WORKERS, "virtio-input", "flags 0x02 SYN,", "tap2-tx");
        List<String> longer = List.of("virtio-input", "ip4-input", "ip4-lookup", "nat44-in2out-output", "tap2-tx");
        assertThrows(AssertionError.class, () -> SeedTrace.assertPath(longer, syn, 2, TWO_WORKERS));
        List<String> reordered = List.of("ip4-input", "virtio-input", "nat44-in2out-output", "tap2-tx");
        assertThrows(AssertionError.class, () -> SeedTrace.assertPath(reordered, syn, 2, TWO_WORKERS));
    }

    @Test
    void aHandoffTraceWithoutAHandoffNodeBeforeItIsRefused() {
        String trace = thread(0, "sluice_main", node(1, "virtio-input", "virtio") + node(2, "handoff_trace",
                "HANDED-OFF: from thread 1 trace index 0") + node(3, "ip4-input", "TCP") + node(4,
                "nat44-in2out-output", "x") + node(5, "tap2-tx", "tap2"));
        Map<String, String> packet = SeedTrace.packetWith(trace, "virtio-input");
        assertThrows(AssertionError.class, () -> SeedTrace.assertPath(PATH, packet, 2, trace));
    }

    @Test
    void aPacketWithoutTheWordsIsNotFound() {
        assertThrows(AssertionError.class, () -> SeedTrace.packetWith(ONE_WORKER, "flags 0x12 SYN ACK"));
    }
}
