package io.sluice.telemetry.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * NAT event logging's settings, ConfigAdmin PID {@value #PID} (etc/io.sluice.nat44.logging.cfg; docs/configuration.md,
 * "NAT event logging"). Every key is checked and every problem reported at once, each with its key and why.
 *
 * @param ipfixCollector  where IPFIX messages go (UDP), or null
 * @param syslogServer    where RFC 5424 messages go (UDP), or null
 */
record NatLoggingOptions(boolean enabled, InetSocketAddress ipfixCollector, int templateRefreshSeconds,
                         int observationDomain, int natInstance, int maxMessageBytes, InetSocketAddress syslogServer,
                         int syslogFacility, String syslogHostname, int ringSize) {

    static final String PID = "io.sluice.nat44.logging";
    static final String FILE = "etc/" + PID + ".cfg";
    /** The IANA port for IPFIX over UDP (RFC 7011 section 10.3.4). */
    static final int IPFIX_PORT = 4739;
    static final int SYSLOG_PORT = 514;
    static final List<String> FACILITIES = List.of("kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
            "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2",
            "local3", "local4", "local5", "local6", "local7");

    /** Reads ConfigAdmin properties; throws IllegalArgumentException naming the file, every bad key and why. */
    static NatLoggingOptions from(Map<String, ?> properties) {
        List<String> problems = new ArrayList<>();
        boolean enabled = bool(properties, "enabled", true, problems);
        InetSocketAddress ipfix = endpoint(properties, "ipfix.collector", IPFIX_PORT, problems);
        int refresh = integer(properties, "ipfix.template-refresh-seconds", 60, 1, 86_400, problems);
        int domain = integer(properties, "ipfix.observation-domain", 1, 0, Integer.MAX_VALUE, problems);
        int instance = integer(properties, "ipfix.nat-instance", 1, 0, Integer.MAX_VALUE, problems);
        int maxBytes = integer(properties, "ipfix.max-message-bytes", 1400, 512, 65_507, problems);
        InetSocketAddress syslog = endpoint(properties, "syslog.server", SYSLOG_PORT, problems);
        int facility = syslogFacility(properties, problems);
        String hostname = syslogHostname(properties, problems);
        int ring = ringSize(properties, problems);
        if (enabled && ipfix == null && syslog == null && problems.isEmpty()) {
            problems.add("enabled = true but neither ipfix.collector nor syslog.server is set: nothing would be sent");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(FILE + " refused: " + String.join("; ", problems));
        }
        return new NatLoggingOptions(enabled, ipfix, refresh, domain, instance, maxBytes, syslog, Math.max(facility, 0),
                hostname, ring);
    }

    /** The kernel's host name, without a DNS look-up (activation must not wait on the network). */
    /** syslog.facility: its RFC 5424 number (section 6.2.1), local0 by default; 0 with a problem noted. */
    static int syslogFacility(Map<String, ?> properties, List<String> problems) {
        String name = text(properties, "syslog.facility", "local0");
        int facility = FACILITIES.indexOf(name.toLowerCase(Locale.ROOT));
        if (facility < 0) {
            problems.add("syslog.facility: '" + name + "' is not one of " + String.join(", ", FACILITIES));
        }
        return Math.max(facility, 0);
    }

    /** syslog.hostname: the HOSTNAME field (RFC 5424 section 6.2.4), this host's name by default. */
    static String syslogHostname(Map<String, ?> properties, List<String> problems) {
        String hostname = text(properties, "syslog.hostname", localHostname());
        if (hostname.isEmpty() || hostname.length() > 255 || !hostname.chars().allMatch(c -> c > 32 && c < 127)) {
            problems.add("syslog.hostname: '" + hostname + "' must be 1..255 printable ASCII characters without spaces"
                    + " (RFC 5424 section 6.2.4)");
        }
        return hostname;
    }

    /** ring-size: events the forwarding path may hold for the exporter, a power of two 1024 .. 2^22. */
    static int ringSize(Map<String, ?> properties, List<String> problems) {
        int ring = integer(properties, "ring-size", 65_536, 1024, 1 << 22, problems);
        if (Integer.bitCount(ring) != 1) {
            problems.add("ring-size: " + ring + " is not a power of two");
        }
        return ring;
    }

    static String localHostname() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? "-" : name;
        } catch (java.io.IOException | RuntimeException e) {
            return "-";
        }
    }

    static String text(Map<String, ?> properties, String key, String fallback) {
        Object value = properties.get(key);
        return value == null || value.toString().isBlank() ? fallback : value.toString().trim();
    }

    static boolean bool(Map<String, ?> properties, String key, boolean fallback, List<String> problems) {
        String value = text(properties, key, Boolean.toString(fallback));
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        problems.add(key + ": must be true or false, got '" + value + "'");
        return fallback;
    }

    static int integer(Map<String, ?> properties, String key, int fallback, int min, int max,
                               List<String> problems) {
        Object value = properties.get(key);
        if (value == null || value.toString().isBlank()) {
            return fallback;
        }
        try {
            long parsed = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
            if (parsed < min || parsed > max) {
                problems.add(key + ": " + parsed + " is outside " + min + ".." + max);
                return fallback;
            }
            return (int) parsed;
        } catch (NumberFormatException e) {
            problems.add(key + ": '" + value + "' is not a whole number");
            return fallback;
        }
    }

    /**
     * {@code address[:port]} with an IP literal ({@code 127.0.0.1:4739}, {@code [::1]:4739}); a host name is refused,
     * as a look-up at activation could wait on DNS and its answer could change under the box.
     */
    static InetSocketAddress endpoint(Map<String, ?> properties, String key, int defaultPort,
                                              List<String> problems) {
        String value = text(properties, key, "");
        if (value.isEmpty()) {
            return null;
        }
        String host = value;
        int port = defaultPort;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                problems.add(key + ": '" + value + "' has no closing ']'");
                return null;
            }
            host = value.substring(1, close);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    problems.add(key + ": '" + value + "' must be [address]:port");
                    return null;
                }
                port = port(key, value, rest.substring(1), problems);
            }
        } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
            host = value.substring(0, value.indexOf(':'));
            port = port(key, value, value.substring(value.indexOf(':') + 1), problems);
        }
        if (port < 0) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            problems.add(key + ": '" + host + "' is not an IP address literal (a host name is not accepted: no DNS at"
                    + " activation)");
            return null;
        }
    }

    private static int port(String key, String value, String text, List<String> problems) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + ": the port in '" + value + "' must be 1..65535");
        return -1;
    }
}
