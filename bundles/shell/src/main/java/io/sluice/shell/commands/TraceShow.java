package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** VPP's {@code show trace [max N]}: the captured packets, node by node. */
@Command(scope = "trace", name = "show", description = "Shows the traced packets, node by node, as VPP does")
@Service
public class TraceShow implements Action {

    @Reference
    GraphRuntime graph;

    @Option(name = "--max", description = "At most this many packets per worker (default 50, as VPP)")
    int max = 50;

    @Override
    public Object execute() {
        System.out.print(graph.traceShow(max));
        return null;
    }
}
