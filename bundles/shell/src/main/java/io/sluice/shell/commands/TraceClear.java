package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** VPP's {@code clear trace}: forgets what was captured and disarms pending trace counts. */
@Command(scope = "trace", name = "clear", description = "Clears the trace buffer and stops tracing")
@Service
public class TraceClear implements Action {

    @Reference
    GraphRuntime graph;

    @Override
    public Object execute() {
        graph.traceClear();
        return null;
    }
}
