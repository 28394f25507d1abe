package io.sluice.shell.vnet;

import io.sluice.vnet.api.InterfaceTable;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * VPP's {@code clear interfaces}: {@code interface:list} counts from now on. The dataplane's counters are not
 * reset (the workers own them and telemetry exports them as counters that never go back): the console keeps
 * a baseline ({@link CounterBaseline}).
 */
@Command(scope = "interface", name = "clear-counters",
        description = "Clears the interface counters interface:list shows (a baseline: telemetry's counters go on)")
@Service
public class InterfaceClearCounters implements Action {

    @Reference
    InterfaceTable interfaces;

    @Override
    public Object execute() {
        var now = interfaces.stats();
        CounterBaseline.clear(now);
        System.out.println("counters of " + now.stream().filter(s -> s.name() != null).count()
                + " interfaces cleared (interface:list counts from now)");
        return null;
    }
}
