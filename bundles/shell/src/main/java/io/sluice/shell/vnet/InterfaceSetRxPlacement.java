package io.sluice.shell.vnet;

import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code interface:set-rx-placement IF QUEUE WORKER}: VPP's {@code set interface rx-placement IF queue N worker W}.
 * The queue moves under the graph's barrier: its old worker stops polling it before the new one starts. Until the
 * port is configured again: its driver configuration's {@code rx-placement} key (or the default placement) is what a
 * restart or a driver update brings back. {@code interface:rx-placement} shows where each queue is.
 */
@Command(scope = "interface", name = "set-rx-placement", description = "Moves a port's receive queue to a worker (until its driver configuration is applied again)")
@Service
public class InterfaceSetRxPlacement implements Action {

    @Reference
    InterfaceTable interfaces;

    @Argument(index = 0, name = "interface", required = true, description = "interface name")
    @Completion(InterfaceNameCompleter.class)
    String interfaceName;

    @Argument(index = 1, name = "queue", required = true, description = "receive queue, as interface:rx-placement lists it")
    int queue;

    @Argument(index = 2, name = "worker", required = true, description = "worker index, 0..workers-1")
    int worker;

    @Override
    public Object execute() {
        int sw = interfaces.find(interfaceName);
        if (sw <= 0 || interfaces.device(sw) == null) {
            throw new IllegalArgumentException("no interface " + interfaceName);
        }
        interfaces.placeRxQueue(sw, queue, worker);
        System.out.println(interfaceName + " queue " + queue + ": worker " + worker);
        return null;
    }
}
