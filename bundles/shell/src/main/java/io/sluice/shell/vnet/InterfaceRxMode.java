package io.sluice.shell.vnet;

import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.PortRxMode;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * {@code interface:rx-mode IF polling|interrupt|adaptive}: VPP's {@code set interface rx-mode}. A port in polling
 * keeps the worker that polls it from sleeping; in interrupt or adaptive its worker sleeps on it as the worker's own
 * rx-mode says. Until the port is configured again: its driver configuration's {@code rx-mode} key is what a
 * restart brings back.
 */
@Command(scope = "interface", name = "rx-mode", description = "Sets a port's rx-mode: polling, interrupt or adaptive (until its driver configuration is applied again)")
@Service
public class InterfaceRxMode implements Action {

    @Reference
    InterfaceTable interfaces;

    @Argument(index = 0, name = "interface", required = true, description = "interface name")
    @Completion(InterfaceNameCompleter.class)
    String interfaceName;

    @Argument(index = 1, name = "mode", required = true, description = "polling, interrupt or adaptive")
    @Completion(value = StringsCompleter.class, values = {"polling", "interrupt", "adaptive"})
    String mode;

    @Override
    public Object execute() {
        PortRxMode rxMode = PortRxMode.named(mode.trim());
        int sw = interfaces.find(interfaceName);
        if (sw <= 0 || interfaces.device(sw) == null) {
            throw new IllegalArgumentException("no interface " + interfaceName);
        }
        boolean polled = interfaces.rxQueues().stream().anyMatch(queue -> queue.swIfIndex() == sw);
        if (!polled) {
            throw new IllegalArgumentException(interfaceName + " has no receive queue a device-input node polls");
        }
        interfaces.setRxMode(sw, rxMode);
        System.out.println(interfaceName + ": rx-mode " + rxMode.configName());
        return null;
    }
}
