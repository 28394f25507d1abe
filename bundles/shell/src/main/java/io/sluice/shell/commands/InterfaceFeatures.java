package io.sluice.shell.commands;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.shell.vnet.InterfaceNameCompleter;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** VPP's {@code show interface features <if>}: the features each arc runs on an interface, in order. */
@Command(scope = "interface", name = "features", description = "Feature arcs of an interface and the features on them, in order")
@Service
public class InterfaceFeatures implements Action {
    static final List<String> ARCS = List.of(FeatureArc.IP4_UNICAST, FeatureArc.IP4_OUTPUT);

    @Reference
    GraphRuntime graph;

    @Reference
    InterfaceTable interfaces;

    @Argument(index = 0, name = "interface", description = "The interface, e.g. tap2 or GigabitEthernet0/8/0",
            required = true)
    @Completion(InterfaceNameCompleter.class)
    String name;

    @Override
    public Object execute() {
        InterfaceSnapshot snapshot = interfaces.snapshot();
        int sw = snapshot.find(name);
        if (sw < 0) {
            throw new IllegalArgumentException("no interface named '" + name + "'");
        }
        System.out.println("Feature paths configured on " + name + "...");
        for (String arc : ARCS) {
            System.out.println();
            System.out.println(arc + ":");
            List<String> features = graph.enabledFeatures(arc, sw);
            if (features.isEmpty()) {
                System.out.println("  none configured");
            }
            for (String feature : features) {
                System.out.println("  " + feature);
            }
        }
        return null;
    }
}
