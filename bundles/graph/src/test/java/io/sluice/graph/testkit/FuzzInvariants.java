package io.sluice.graph.testkit;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import io.sluice.packet.api.BufferPool;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What every fuzz target (issue 18, "Robustness") checks after each input it sends through nodes: no node threw
 * (the worker catches a node's Throwable, drops its frame and counts it as that node's {@code exception} error:
 * the box survives, but the fuzzer must see it), no buffer left outstanding, and no packet dropped without a
 * node's error counter saying why. Published in the graph bundle's test jar for every bundle's targets.
 */
public final class FuzzInvariants {
    /** The counter the worker keeps per node for the frames it lost to a Throwable from that node. */
    public static final String EXCEPTION = "exception";
    private static final String DROPPED = GraphRuntime.ERROR_DROP + "/dropped";

    private FuzzInvariants() {
    }

    /** Every error counter, keyed {@code node/counter}. */
    public static Map<String, Long> counters(GraphRuntime runtime) {
        Map<String, Long> counters = new TreeMap<>();
        for (ErrorCount error : runtime.errors()) {
            counters.merge(error.node() + "/" + error.error(), error.count(), Long::sum);
        }
        return counters;
    }

    /**
     * Fails when a node threw on {@code input} since {@code before} was read, or left buffers outstanding beyond
     * {@code outstandingBaseline}, or error-drop dropped more packets than the nodes' drop reasons counted
     * ({@code passing}: counters of packets passed, sent or translated, which explain no drop).
     */
    public static void check(GraphRuntime runtime, BufferPool pool, int outstandingBaseline, Map<String, Long> before,
                             Set<String> passing, String input) {
        Map<String, Long> after = counters(runtime);
        check(after, pool, outstandingBaseline, before, passing,
                after.getOrDefault(DROPPED, 0L) - before.getOrDefault(DROPPED, 0L), input);
    }

    /**
     * As {@link #check(GraphRuntime, BufferPool, int, Map, Set, String)} for a harness whose error-drop is a
     * capture ({@code dropped}: what it captured for this input).
     */
    public static void check(GraphRuntime runtime, BufferPool pool, int outstandingBaseline, Map<String, Long> before,
                             Set<String> passing, long dropped, String input) {
        check(counters(runtime), pool, outstandingBaseline, before, passing, dropped, input);
    }

    private static void check(Map<String, Long> after, BufferPool pool, int outstandingBaseline,
                              Map<String, Long> before, Set<String> passing, long dropped, String input) {
        long counted = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            String name = e.getKey();
            long moved = e.getValue() - before.getOrDefault(name, 0L);
            String counter = name.substring(name.indexOf('/') + 1);
            if (counter.equals(EXCEPTION) && moved > 0) {
                throw new AssertionError(name + ": the node threw on " + input);
            }
            if (!name.equals(DROPPED) && !passing.contains(counter)) {
                counted += moved;
            }
        }
        if (pool.outstanding() != outstandingBaseline) {
            throw new AssertionError((pool.outstanding() - outstandingBaseline) + " buffers left outstanding by "
                    + input);
        }
        if (dropped > counted) {
            throw new AssertionError(dropped + " packets dropped but " + counted + " drops counted by the nodes for "
                    + input + ": " + after);
        }
    }
}
