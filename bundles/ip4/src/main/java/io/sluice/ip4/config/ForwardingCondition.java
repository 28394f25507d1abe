package io.sluice.ip4.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Whether the box forwards what it was configured to: every interface, route and neighbour configuration it was
 * given has reached its component and is in force (or was refused, which the component logged as an error: the
 * box forwards with the rest), and every interface a configuration puts admin up is registered, up, with its link
 * up, and polled by a worker. A box with no interface configured forwards nothing. A pure function of what
 * {@link ForwardingWatch} reads, so that it is tested without a framework.
 */
final class ForwardingCondition {

    /** One configuration ConfigAdmin holds for the ip4 bundle's factory PIDs. */
    record Configured(String pid, String factoryPid) {
    }

    /** The interfaces as the dataplane has them. */
    interface Ports {
        /** Null when {@code name} is registered, admin and link up and polled by a worker; else why not, in words. */
        String notForwarding(String name);

        /** How {@code name} is polled, e.g. "tap2 (virtio-input, worker 0)". */
        String describe(String name);
    }

    record Result(boolean forwarding, String summary, List<String> reasons) {
        Result {
            reasons = List.copyOf(reasons);
        }
    }

    private ForwardingCondition() {
    }

    static Result evaluate(List<Configured> configured, Map<String, ConfigProgress.Entry> progress, Ports ports) {
        List<String> reasons = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        TreeSet<String> forwarding = new TreeSet<>();
        int interfaceConfigs = 0;
        int routes = 0;
        int neighbours = 0;
        for (Configured c : configured) {
            ConfigProgress.Entry entry = progress.get(c.pid());
            if (entry == null) {
                reasons.add(c.pid() + ": not yet received by its component");
                continue;
            }
            switch (entry.state()) {
                case WAITING -> reasons.add(entry.origin() + ": " + entry.detail());
                case REFUSED, FAILED -> refused.add(entry.origin());
                case APPLIED -> {
                }
            }
            if (entry.state() == ConfigProgress.State.WAITING) {
                continue;
            }
            switch (c.factoryPid()) {
                case InterfaceConfig.PID -> interfaceConfigs++;
                case RouteConfig.PID -> routes++;
                case NeighbourConfig.PID -> neighbours++;
                default -> {
                }
            }
            if (entry.forwardingInterface() != null) {
                forwarding.add(entry.forwardingInterface());
            }
        }
        if (configured.stream().noneMatch(c -> c.factoryPid().equals(InterfaceConfig.PID))) {
            reasons.add("no interface is configured (etc/io.sluice.interface-<name>.cfg)");
        } else if (forwarding.isEmpty() && interfaceConfigs > 0) {
            reasons.add("no configured interface is admin up");
        }
        List<String> polled = new ArrayList<>();
        for (String name : forwarding) {
            String why = ports.notForwarding(name);
            if (why != null) {
                reasons.add(name + ": " + why);
            } else {
                polled.add(ports.describe(name));
            }
        }
        if (!reasons.isEmpty()) {
            return new Result(false, "", reasons);
        }
        String summary = polled.size() + (polled.size() == 1 ? " interface" : " interfaces") + " up and polled ("
                + String.join(", ", polled) + "), " + routes + (routes == 1 ? " route" : " routes") + " and "
                + neighbours + (neighbours == 1 ? " neighbour" : " neighbours") + " configured";
        if (!refused.isEmpty()) {
            summary += "; refused, with the error logged: " + String.join(", ", refused);
        }
        return new Result(true, summary, List.of());
    }
}
