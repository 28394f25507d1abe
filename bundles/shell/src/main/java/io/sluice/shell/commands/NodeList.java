package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.NodeInfo;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** The graph's nodes as the runtime holds them: like VPP's {@code show vlib graph}, one row per node. */
@Command(scope = "node", name = "list", description = "Lists the graph's nodes: name, kind, state and next arcs")
@Service
public class NodeList implements Action {

    @Reference
    GraphRuntime graph;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Kind");
        table.column("State");
        table.column("Feature arc");
        table.column("Next");
        for (NodeInfo node : graph.nodes()) {
            table.addRow().addContent(node.name(), node.kind().name().toLowerCase(Locale.ROOT), node.state(),
                    node.featureArc() == null ? "" : node.featureArc(), String.join(" ", node.nextNodes()));
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
