package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.NodeKind;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the names of input nodes: the only nodes a trace can start at. */
@Service
public class NodeNameCompleter implements Completer {

    @Reference
    GraphRuntime graph;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (GraphRuntime.NodeInfo node : graph.nodes()) {
            if (node.kind() == NodeKind.INPUT) {
                names.getStrings().add(node.name());
            }
        }
        return names.complete(session, commandLine, candidates);
    }
}
