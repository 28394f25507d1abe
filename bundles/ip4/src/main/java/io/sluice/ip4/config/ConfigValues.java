package io.sluice.ip4.config;

import io.sluice.packet.api.Ip4Prefix;
import io.sluice.packet.api.PacketFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and checks one ConfigAdmin configuration. Every refusal names where the configuration came from (the
 * .cfg file when File Install loaded it, else the PID), the key and why, so an operator can fix the file.
 */
final class ConfigValues {
    private final Map<String, ?> properties;
    private final String origin;

    ConfigValues(String factoryPid, Map<String, ?> properties) {
        this.properties = properties;
        Object file = properties.get("felix.fileinstall.filename");
        Object pid = properties.get("service.pid");
        this.origin = file != null ? file.toString() : pid != null ? pid.toString() : factoryPid;
    }

    String origin() {
        return origin;
    }

    IllegalArgumentException refuse(String key, Object value, String why) {
        return new IllegalArgumentException(origin + ": key '" + key + "': " + (value == null ? "" : "'" + value + "' ")
                + why);
    }

    private String raw(String key) {
        Object value = properties.get(key);
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        return text.isEmpty() ? null : text;
    }

    boolean has(String key) {
        return raw(key) != null;
    }

    String string(String key) {
        String value = raw(key);
        if (value == null) {
            throw refuse(key, null, "is required");
        }
        return value;
    }

    int ip4(String key) {
        String value = string(key);
        try {
            return PacketFormat.parseIp4(value);
        } catch (IllegalArgumentException e) {
            throw refuse(key, value, "is not an IPv4 address (a.b.c.d)");
        }
    }

    /** {@code a.b.c.d/len}: returns {address, length}; host bits are refused for routes when {@code strict}. */
    int[] prefix(String key, String value, boolean strict) {
        Ip4Prefix prefix;
        try {
            prefix = Ip4Prefix.parse(value);
        } catch (IllegalArgumentException e) {
            throw refuse(key, value, "is not a prefix (a.b.c.d/len)");
        }
        if (!prefix.lengthValid()) {
            throw refuse(key, value, "has a prefix length outside 0..32");
        }
        if (strict && prefix.hostBitsSet()) {
            throw refuse(key, value, "has host bits set (did you mean " + prefix.network() + "?)");
        }
        return new int[] {prefix.address(), prefix.length()};
    }

    /** A comma-separated list of prefixes, possibly empty. */
    List<int[]> prefixes(String key, boolean strict) {
        List<int[]> result = new ArrayList<>();
        String value = raw(key);
        if (value == null) {
            return result;
        }
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                result.add(prefix(key, part.trim(), strict));
            }
        }
        return result;
    }

    long mac(String key) {
        String value = string(key);
        long mac;
        try {
            mac = PacketFormat.parseMac(value);
        } catch (IllegalArgumentException e) {
            throw refuse(key, value, "is not a MAC address (xx:xx:xx:xx:xx:xx)");
        }
        if ((mac >>> 40 & 1) != 0) {
            throw refuse(key, value, "is a group (multicast or broadcast) address");
        }
        return mac;
    }

    int integer(String key, int min, int max, int fallback) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw refuse(key, value, "is not a whole number");
        }
        if (parsed < min || parsed > max) {
            throw refuse(key, value, "is outside " + min + ".." + max);
        }
        return parsed;
    }

    boolean bool(String key, boolean fallback) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw refuse(key, value, "is not true or false");
        };
    }

    String choice(String key, String fallback, String... allowed) {
        String value = raw(key);
        if (value == null) {
            return fallback;
        }
        for (String option : allowed) {
            if (option.equalsIgnoreCase(value)) {
                return option;
            }
        }
        throw refuse(key, value, "is not one of " + String.join(", ", allowed));
    }
}
