package io.sluice.telemetry.internal;

import java.net.InetAddress;
import java.util.Map;

/**
 * The exporter's settings (ConfigAdmin PID {@code io.sluice.telemetry}). Every value is checked; a bad one is
 * refused with its key and why.
 *
 * @param enabled whether the endpoint listens at all
 * @param address the IP address it listens on; loopback by default, so counters leave the box only when an
 *                operator chooses an address that a Prometheus server can reach
 * @param port    TCP port; 9464 is the port Prometheus' own exporters default to for this kind of endpoint,
 *                0 takes any free port (logged; for tests)
 */
record TelemetryOptions(boolean enabled, InetAddress address, int port) {

    static final String PID = "io.sluice.telemetry";
    static final TelemetryOptions DEFAULTS =
            new TelemetryOptions(true, InetAddress.getLoopbackAddress(), 9464);

    TelemetryOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: must be 0..65535, got " + port);
        }
    }

    /** Reads ConfigAdmin properties; missing keys keep their defaults. */
    static TelemetryOptions from(Map<String, ?> properties) {
        return new TelemetryOptions(
                booleanValue(properties, "enabled", DEFAULTS.enabled),
                addressValue(properties, "address", DEFAULTS.address),
                intValue(properties, "port", DEFAULTS.port));
    }

    private static boolean booleanValue(Map<String, ?> properties, String key, boolean fallback) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(key + ": must be true or false, got '" + text + "'");
    }

    /** A literal only: a host name would make activation wait on DNS, and could change under the box. */
    private static InetAddress addressValue(Map<String, ?> properties, String key, InetAddress fallback) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        String text = value.toString().trim();
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": must be an IP address literal (127.0.0.1, 0.0.0.0, ::1),"
                    + " got '" + text + "'");
        }
    }

    private static int intValue(Map<String, ?> properties, String key, int fallback) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number) {
            return number.intValue();
        }
        try {
            return Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": must be a whole number, got '" + value + "'");
        }
    }
}
