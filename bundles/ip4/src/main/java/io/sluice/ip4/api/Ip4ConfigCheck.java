package io.sluice.ip4.api;

import java.util.Map;

/**
 * Checks a configuration of the ip4 bundle's factory PIDs exactly as the component that reads it would, without
 * applying anything: the console checks what it is about to write through ConfigAdmin, so that a value the
 * .cfg file would have refused is refused at the prompt with the same message (origin, key and why).
 */
public interface Ip4ConfigCheck {

    /** One interface's L3 settings, files {@code etc/io.sluice.interface-<name>.cfg}. */
    String INTERFACE_PID = "io.sluice.interface";

    /** One static route, files {@code etc/io.sluice.ip4.route-<name>.cfg}. */
    String ROUTE_PID = "io.sluice.ip4.route";

    /** One static neighbour, files {@code etc/io.sluice.ip4.neighbour-<name>.cfg}. */
    String NEIGHBOUR_PID = "io.sluice.ip4.neighbour";

    /**
     * Returns normally when {@code properties} would be accepted for {@code factoryPid}; otherwise throws
     * IllegalArgumentException with the message the component logs for such a file. An unknown PID is refused.
     */
    void check(String factoryPid, Map<String, ?> properties);
}
