package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** VPP's {@code trace add <input-node> <count>}. */
@Command(scope = "trace", name = "add", description = "Traces the next packets entering an input node")
@Service
public class TraceAdd implements Action {

    @Reference
    GraphRuntime graph;

    @Argument(index = 0, name = "input-node", description = "An input node, e.g. virtio-input or dpdk-input",
            required = true)
    @Completion(NodeNameCompleter.class)
    String node;

    @Argument(index = 1, name = "count", description = "How many packets to trace", required = true)
    int count;

    @Override
    public Object execute() {
        graph.traceAdd(node, count);
        return null;
    }
}
