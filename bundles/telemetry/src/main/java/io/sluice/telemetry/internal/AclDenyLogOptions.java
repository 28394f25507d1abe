package io.sluice.telemetry.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Denied-flow logging's settings, ConfigAdmin PID {@value #PID} (etc/io.sluice.acl.logging.cfg; docs/configuration.md,
 * "ACL denied-flow logging"), read as NAT event logging's are: every key checked, every problem reported at once with
 * its key and why. Which ACLs log is theirs to say ({@code log = deny} in an ACL's file); this file says where to.
 *
 * @param syslogServer     where RFC 5424 messages go (UDP)
 * @param intervalSeconds  at most one event per denied flow per this many seconds
 */
record AclDenyLogOptions(boolean enabled, InetSocketAddress syslogServer, int syslogFacility, String syslogHostname,
                         int ringSize, int intervalSeconds) {

    static final String PID = "io.sluice.acl.logging";
    static final String FILE = "etc/" + PID + ".cfg";

    /** Reads ConfigAdmin properties; throws IllegalArgumentException naming the file, every bad key and why. */
    static AclDenyLogOptions from(Map<String, ?> properties) {
        List<String> problems = new ArrayList<>();
        boolean enabled = NatLoggingOptions.bool(properties, "enabled", true, problems);
        InetSocketAddress syslog = NatLoggingOptions.endpoint(properties, "syslog.server",
                NatLoggingOptions.SYSLOG_PORT, problems);
        int facility = NatLoggingOptions.syslogFacility(properties, problems);
        String hostname = NatLoggingOptions.syslogHostname(properties, problems);
        int ring = NatLoggingOptions.ringSize(properties, problems);
        int interval = NatLoggingOptions.integer(properties, "interval-seconds", 60, 1, 3600, problems);
        if (enabled && syslog == null && problems.isEmpty()) {
            problems.add("enabled = true but syslog.server is not set: nothing would be sent");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(FILE + " refused: " + String.join("; ", problems));
        }
        return new AclDenyLogOptions(enabled, syslog, facility, hostname, ring, interval);
    }
}
