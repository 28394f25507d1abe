package io.sluice.vnet.api;

import io.sluice.packet.api.PacketFormat;

import java.util.Map;

/**
 * Reads the properties of a driver's port configuration (ConfigAdmin hands them over as strings or as typed
 * values). Every refusal is an {@link IllegalArgumentException} naming the PID, the key and why, in the form
 * {@code <pid>: key '<key>': <why>}, so that the log line of a refused file says all of it.
 */
public final class PortProperties {

    private final String pid;
    private final Map<String, ?> properties;

    /** {@code factoryPid}: quoted in messages when the properties carry no {@code service.pid}. */
    public PortProperties(Map<String, ?> properties, String factoryPid) {
        Object pidValue = properties.get("service.pid");
        this.pid = pidValue != null ? pidValue.toString() : factoryPid;
        this.properties = properties;
    }

    /** The configuration's PID, quoted in messages. */
    public String pid() {
        return pid;
    }

    public IllegalArgumentException refuse(String key, String why) {
        return new IllegalArgumentException(pid + ": key '" + key + "': " + why);
    }

    /** Is {@code key} set at all (even to an empty string)? */
    public boolean isSet(String key) {
        return properties.get(key) != null;
    }

    /** The raw value, or null. */
    public Object value(String key) {
        return properties.get(key);
    }

    /** The trimmed text, or null when absent or blank. */
    public String optional(String key) {
        Object value = properties.get(key);
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        return text.isEmpty() ? null : text;
    }

    public String required(String key) {
        String value = optional(key);
        if (value == null) {
            throw refuse(key, "missing (required)");
        }
        return value;
    }

    public String valueOr(String key, String fallback) {
        String value = optional(key);
        return value != null ? value : fallback;
    }

    public int integer(String key, int fallback, int min, int max) {
        String value = optional(key);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw refuse(key, parsed + " is outside " + min + ".." + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw refuse(key, "'" + value + "' is not a whole number");
        }
    }

    public boolean bool(String key, boolean fallback) {
        String value = optional(key);
        if (value == null) {
            return fallback;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw refuse(key, "'" + value + "' is neither true nor false");
    }

    /** A unicast MAC (48 bits): a port's address may not have the I/G bit set (IEEE 802 clause 8.2). */
    public long unicastMac(String key, String value) {
        long mac;
        try {
            mac = PacketFormat.parseMac(value);
        } catch (IllegalArgumentException e) {
            throw refuse(key, "'" + value + "' is not a MAC address (six hex octets separated by ':')");
        }
        if ((mac & 0x0100_0000_0000L) != 0) {
            throw refuse(key, "'" + value + "' is a group address (I/G bit set): a port needs a unicast MAC");
        }
        return mac;
    }

    /** A named network namespace (/var/run/netns/&lt;name&gt;), or null when the key is not set. */
    public String namespace(String key) {
        String namespace = optional(key);
        if (namespace != null && !namespace.matches("[A-Za-z0-9_.-]+")) {
            throw refuse(key, "'" + namespace + "' is not a namespace name (letters, digits, . _ -)");
        }
        return namespace;
    }
}
