package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.TraceNodeFilter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * VPP's {@code trace filter include|exclude <node> <count>} and {@code trace filter none}: trace:show then shows
 * only the traced packets whose path went through (or did not go through) the node, at most count of them.
 */
@Command(scope = "trace", name = "filter", description = "Shows only traced packets that went through (include) or "
        + "did not go through (exclude) a node, at most <count>; 'none' removes the filter; no argument shows it")
@Service
public class TraceFilterCommand implements Action {

    @Reference
    GraphRuntime graph;

    @Argument(index = 0, name = "mode", description = "include, exclude or none")
    @Completion(value = StringsCompleter.class, values = {"include", "exclude", "none"})
    String mode;

    @Argument(index = 1, name = "node", description = "The node a packet's path must (or must not) go through")
    @Completion(NodeNameCompleter.class)
    String node;

    @Argument(index = 2, name = "count", description = "How many such packets to show at most (default 50)")
    int count = 50;

    @Override
    public Object execute() {
        if (mode == null) {
            TraceNodeFilter current = graph.traceNodeFilter();
            System.out.println(current == null ? "trace filter: none" : "trace filter: " + current.describe());
            return null;
        }
        switch (mode) {
            case "none" -> {
                graph.traceNodeFilter(null);
                System.out.println("trace filter: none");
            }
            case "include", "exclude" -> {
                if (node == null) {
                    throw new IllegalArgumentException("trace filter " + mode + ": which node?");
                }
                TraceNodeFilter filter = new TraceNodeFilter(node, mode.equals("include"), count);
                graph.traceNodeFilter(filter);
                System.out.println("trace filter: " + filter.describe());
            }
            default -> throw new IllegalArgumentException("trace filter: '" + mode
                    + "' is not include, exclude or none");
        }
        return null;
    }
}
