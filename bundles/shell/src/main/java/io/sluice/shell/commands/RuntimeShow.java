package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.NodeStats;
import io.sluice.graph.api.GraphRuntime.ThreadRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * VPP's {@code show runtime}: per node calls, vectors, suspends, time per vector. Clocks are nanoseconds of
 * wall time (the VM offers no cycle counter), so the last column is ns/vector where VPP shows clocks. With several
 * workers, one table per thread as VPP's ({@code Thread 1 sluice_wk_0 (lcore 1)}, the input nodes it polls and its
 * handoffs), and {@code --total} adds the sum over the threads.
 */
@Command(scope = "runtime", name = "show", description = "Per-node calls, vectors and time, as VPP's show runtime")
@Service
public class RuntimeShow implements Action {

    @Reference
    GraphRuntime graph;

    @Option(name = "--clear", description = "Clear the counters after showing them")
    boolean clear;

    @Option(name = "--all", description = "Include nodes that have not run")
    boolean all;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Option(name = "--total", description = "With several workers, also the sum over all threads")
    boolean total;

    @Override
    public Object execute() {
        // Read without the barrier, first: when a worker is stuck, reading the counters below fails (the barrier
        // gives up and names it), and this is what tells the operator why.
        for (GraphRuntime.WorkerHealth worker : graph.workerHealth()) {
            if (worker.stuckInNode() != null) {
                System.out.printf(Locale.ROOT, "watchdog: worker %d (%s) has been inside node %s for %.1f s "
                        + "(%d stalls since start): its interfaces are not polled%n", worker.worker(), worker.thread(),
                        worker.stuckInNode(), worker.stuckForNanos() / 1e9, worker.stalls());
            } else if (!worker.running()) {
                System.out.printf(Locale.ROOT, "watchdog: worker %d (%s) is not running%n", worker.worker(),
                        worker.thread());
            }
            if (worker.restarts() > 0) {
                System.out.printf(Locale.ROOT, "watchdog: worker %d (%s) restarted %d times, %d buffers lost%s%n",
                        worker.worker(), worker.thread(), worker.restarts(), worker.lostBuffers(),
                        worker.failedNodes().isEmpty() ? ""
                                : "; failed nodes (node-failed): " + String.join(", ", worker.failedNodes()));
            }
        }
        List<ThreadRuntime> threads = graph.runtimeByThread();
        if (threads.size() == 1) {
            print(threads.get(0).nodes());
        } else {
            for (ThreadRuntime thread : threads) {
                System.out.printf(Locale.ROOT, "Thread %d %s (lcore %s)%n", thread.worker(), thread.thread(),
                        thread.cpu() < 0 ? "not pinned" : Integer.toString(thread.cpu()));
                System.out.printf(Locale.ROOT, "inputs: %s; handoff: %d sent, %d refused, %d received, %d in flight%n",
                        thread.inputs().isEmpty() ? "none" : String.join(", ", thread.inputs()), thread.handoffSent(),
                        thread.handoffRefused(), thread.handoffReceived(), thread.handoffInFlight());
                print(thread.nodes());
            }
            if (total) {
                System.out.println("Total of " + threads.size() + " threads");
                print(sum(threads));
            }
        }
        GraphRuntime.BarrierStats barrier = graph.barrierStats();
        System.out.printf(Locale.ROOT, "barrier: %d pauses, last %.1f us, max %.1f us, total %.1f us%n",
                barrier.count(), barrier.lastPauseNanos() / 1e3, barrier.maxPauseNanos() / 1e3,
                barrier.totalPauseNanos() / 1e3);
        for (GraphRuntime.WorkerRxMode worker : graph.rxModes()) {
            String window = worker.mode().equals("adaptive") ? " (window " + worker.adaptiveWindowMicros() + " us)" : "";
            String slice = worker.sliceMicros() > 0 ? ", slice " + worker.sliceMicros() + " us" : "";
            System.out.printf(Locale.ROOT, "rx-mode: worker %d %s%s, %s, %d sleeps (%d woken by the control plane)%s%n",
                    worker.worker(), worker.mode(), window, worker.state(), worker.sleeps(),
                    worker.wokenByControlPlane(), slice);
        }
        if (clear) {
            graph.clearRuntimeStats();
        }
        return null;
    }

    private void print(List<NodeStats> nodes) {
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("State");
        table.column("Calls").alignRight();
        table.column("Vectors").alignRight();
        table.column("Suspends").alignRight();
        table.column("ns/vector").alignRight();
        table.column("Vectors/Call").alignRight();
        for (NodeStats node : nodes) {
            if (!all && node.calls() == 0) {
                continue;
            }
            table.addRow().addContent(node.name(), node.state(), node.calls(), node.vectors(), node.suspends(),
                    String.format(Locale.ROOT, "%.2f", node.nanosPerVector()),
                    String.format(Locale.ROOT, "%.2f", node.vectorsPerCall()));
        }
        table.print(System.out, !noFormat);
    }

    /** The threads' counters summed node by node (every thread lists the same nodes, in slot order). */
    private static List<NodeStats> sum(List<ThreadRuntime> threads) {
        Map<String, NodeStats> total = new LinkedHashMap<>();
        for (ThreadRuntime thread : threads) {
            for (NodeStats node : thread.nodes()) {
                total.merge(node.name(), node, (a, b) -> new NodeStats(a.name(), a.kind(), a.state(),
                        a.calls() + b.calls(), a.vectors() + b.vectors(), a.suspends() + b.suspends(),
                        a.clockNanos() + b.clockNanos()));
            }
        }
        return List.copyOf(total.values());
    }
}
