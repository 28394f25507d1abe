package io.sluice.ethernet.node;

import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.vnet.api.InterfaceListener;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Ends the {@link EthernetGraph#INTERFACE_OUTPUT} arc at each interface's {@code <if>-output} node, as vnet
 * does for ip4-output, so that ARP replies and requests leave by the interface they are for.
 */
@Component(service = InterfaceOutputArc.class, immediate = true)
public final class InterfaceOutputArc implements InterfaceListener {

    private final GraphRuntime graph;
    private final InterfaceTable interfaces;
    private int ended;

    @Activate
    public InterfaceOutputArc(@Reference GraphRuntime graph, @Reference InterfaceTable interfaces) {
        this.graph = graph;
        this.interfaces = interfaces;
        interfaces.addListener(this);
        endArcs(interfaces.snapshot());
    }

    @Deactivate
    void deactivate() {
        interfaces.removeListener(this);
    }

    @Override
    public void interfaceChanged(InterfaceSnapshot previous, InterfaceSnapshot current) {
        endArcs(current);
    }

    private synchronized void endArcs(InterfaceSnapshot snapshot) {
        for (int sw = Math.max(1, ended); sw < snapshot.size(); sw++) {
            String name = snapshot.name(sw);
            if (name != null) {
                graph.setFeatureArcEnd(EthernetGraph.INTERFACE_OUTPUT.name(), sw, InterfaceTable.outputNodeName(name));
            }
        }
        ended = Math.max(ended, snapshot.size());
    }
}
