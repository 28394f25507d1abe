package io.sluice.shell.vnet;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.GraphRuntime.WorkerRxMode;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.InterfaceTable.RxQueue;
import io.sluice.vnet.api.PortRxMode;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import java.util.List;

/**
 * {@code interface:rx-placement}: VPP's {@code show interface rx-placement}, each receive queue with the node and
 * the worker that poll it (where its port's {@code rx-placement} puts it, or after the node's worker in turn) and its
 * rx-mode (the port's own, or its worker's when the port has none set).
 */
@Command(scope = "interface", name = "rx-placement", description = "Lists receive queues: interface, queue, input node, worker, rx-mode")
@Service
public class InterfaceRxPlacement implements Action {

    @Reference
    InterfaceTable interfaces;

    @Reference
    GraphRuntime graph;

    @Option(name = "--no-format", description = "Plain columns, no table borders (for scripts)")
    boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        for (String column : new String[] {"Interface", "Queue", "Node", "Worker", "Mode", "Worker mode", "Worker state"}) {
            table.column(column);
        }
        InterfaceSnapshot snapshot = interfaces.snapshot();
        List<WorkerRxMode> workers = graph.rxModes();
        for (RxQueue queue : interfaces.rxQueues()) {
            int worker = queue.worker();
            WorkerRxMode workerMode = worker >= 0 && worker < workers.size() ? workers.get(worker) : null;
            PortRxMode own = interfaces.rxMode(queue.swIfIndex());
            String workerConfigured = workerMode == null ? "-" : workerMode.mode();
            table.addRow().addContent(snapshot.name(queue.swIfIndex()), queue.queue(), queue.inputNode(),
                    worker < 0 ? "-" : worker, own != null ? own.configName() : workerConfigured + " (worker's)",
                    workerConfigured, workerMode == null ? "-" : workerMode.state());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
