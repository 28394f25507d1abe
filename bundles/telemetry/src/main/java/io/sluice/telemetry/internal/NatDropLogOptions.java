package io.sluice.telemetry.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * NAT drop logging's settings, ConfigAdmin PID {@value #PID} (etc/io.sluice.nat44.drop.logging.cfg;
 * docs/configuration.md, "NAT drop logging"), read as ACL deny logging's are: every key checked, every problem
 * reported at once with its key and why. The PID has no dash: Karaf's file install reads {@code a-b.cfg} as instance
 * {@code b} of factory PID {@code a}.
 *
 * @param syslogServer     where RFC 5424 messages go (UDP)
 * @param intervalSeconds  the summary's interval: one line per (reason, source) per interval
 * @param maxLines         at most this many lines per interval; the rest are one "more suppressed" line
 */
record NatDropLogOptions(boolean enabled, InetSocketAddress syslogServer, int syslogFacility, String syslogHostname,
                         int ringSize, int intervalSeconds, int maxLines) {

    static final String PID = "io.sluice.nat44.drop.logging";
    static final String FILE = "etc/" + PID + ".cfg";

    /** Reads ConfigAdmin properties; throws IllegalArgumentException naming the file, every bad key and why. */
    static NatDropLogOptions from(Map<String, ?> properties) {
        List<String> problems = new ArrayList<>();
        boolean enabled = NatLoggingOptions.bool(properties, "enabled", true, problems);
        InetSocketAddress syslog = NatLoggingOptions.endpoint(properties, "syslog.server",
                NatLoggingOptions.SYSLOG_PORT, problems);
        int facility = NatLoggingOptions.syslogFacility(properties, problems);
        String hostname = NatLoggingOptions.syslogHostname(properties, problems);
        int ring = NatLoggingOptions.ringSize(properties, problems);
        int interval = NatLoggingOptions.integer(properties, "interval-seconds", 60, 1, 3600, problems);
        int maxLines = NatLoggingOptions.integer(properties, "max-lines", 100, 1, 10_000, problems);
        if (enabled && syslog == null && problems.isEmpty()) {
            problems.add("enabled = true but syslog.server is not set: nothing would be sent");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(FILE + " refused: " + String.join("; ", problems));
        }
        return new NatDropLogOptions(enabled, syslog, facility, hostname, ring, interval, maxLines);
    }
}
