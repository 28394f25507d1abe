package io.sluice.shell.commands;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.BufferStats;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** Buffer pool occupancy per worker, like VPP's {@code show buffers}. */
@Command(scope = "buffers", name = "show", description = "Shows each worker's buffer pool: capacity, free, in use, allocation failures")
@Service
public class BuffersShow implements Action {

    @Reference
    GraphRuntime graph;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Worker").alignRight();
        table.column("Capacity").alignRight();
        table.column("Free").alignRight();
        table.column("In use").alignRight();
        table.column("Alloc failures").alignRight();
        for (BufferStats pool : graph.buffers()) {
            table.addRow().addContent(pool.worker(), pool.capacity(), pool.free(), pool.outstanding(),
                    pool.allocFailures());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
