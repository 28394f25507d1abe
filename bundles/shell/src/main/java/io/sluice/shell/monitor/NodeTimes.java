package io.sluice.shell.monitor;

import io.sluice.graph.api.GraphRuntime.NodeStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each node did between two readings of the runtime counters: calls, vectors and time, sorted by time, the
 * busiest first (as {@code top} sorts by CPU). A node that was not there before starts from zero; counters
 * cleared in between (runtime:show --clear) count from zero, never negative.
 */
final class NodeTimes {

    record NodeTime(String name, String state, long calls, long vectors, long clockNanos) {
        double vectorsPerCall() {
            return calls == 0 ? 0 : (double) vectors / calls;
        }

        double nanosPerVector() {
            return vectors == 0 ? 0 : (double) clockNanos / vectors;
        }
    }

    private NodeTimes() {
    }

    /** Nodes that ran between the readings (all of them with {@code all}), by time then calls, then name. */
    static List<NodeTime> between(List<NodeStats> before, List<NodeStats> after, boolean all) {
        Map<String, NodeStats> earlier = new HashMap<>();
        for (NodeStats s : before) {
            earlier.put(s.name(), s);
        }
        List<NodeTime> times = new ArrayList<>();
        for (NodeStats now : after) {
            NodeStats then = earlier.get(now.name());
            boolean cleared = then != null && now.calls() < then.calls();
            NodeStats base = then == null || cleared ? null : then;
            NodeTime time = new NodeTime(now.name(), now.state(),
                    now.calls() - (base == null ? 0 : base.calls()),
                    now.vectors() - (base == null ? 0 : base.vectors()),
                    Math.max(0, now.clockNanos() - (base == null ? 0 : base.clockNanos())));
            if (all || time.calls() > 0) {
                times.add(time);
            }
        }
        times.sort(Comparator.comparingLong(NodeTime::clockNanos).reversed()
                .thenComparing(Comparator.comparingLong(NodeTime::calls).reversed())
                .thenComparing(NodeTime::name));
        return times;
    }
}
