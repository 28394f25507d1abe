package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.ErrorCount;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** VPP's {@code show errors}: count, node, reason; zero counts only with --all. */
@Command(scope = "errors", name = "show", description = "Error counters per node, as VPP's show errors")
@Service
public class ErrorsShow implements Action {

    @Reference
    GraphRuntime graph;

    @Option(name = "--all", description = "Include counters that are zero")
    boolean all;

    @Option(name = "--clear", description = "Clear the counters after showing them")
    boolean clear;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Count").alignRight();
        table.column("Node");
        table.column("Counter");
        table.column("Reason");
        for (ErrorCount error : graph.errors()) {
            if (all || error.count() != 0) {
                table.addRow().addContent(error.count(), error.node(), error.error(), error.description());
            }
        }
        table.print(System.out, !noFormat);
        if (clear) {
            graph.clearErrors();
        }
        return null;
    }
}
