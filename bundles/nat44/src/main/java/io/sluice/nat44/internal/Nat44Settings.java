package io.sluice.nat44.internal;

import io.sluice.nat44.api.StaticMapping;
import io.sluice.nat44.api.Timeouts;
import io.sluice.packet.api.Ipv4;
import io.sluice.packet.api.PacketFormat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration of PID {@value #PID}, parsed and validated as a whole: a value that does not parse is
 * refused with a message naming the PID, the key and why, and the previous configuration stays in force.
 * Keys are documented in docs/configuration.md, section NAT44.
 */
record Nat44Settings(int[] addresses, List<String> inside, List<String> outside, List<String> outputFeature,
                     Timeouts timeouts, int maxSessions, int maxSessionsPerInsideAddress, Path sessionFile,
                     List<StaticMapping> staticMappings, boolean endpointIndependentFiltering) {

    static final String PID = "io.sluice.nat44";
    static final int DEFAULT_MAX_SESSIONS = 1 << 20;
    static final int DEFAULT_MAX_PER_INSIDE_ADDRESS = 10_000;
    /** Values of key {@code filtering}: RFC 4787 section 5's names. */
    static final String FILTERING_ADDRESS_AND_PORT_DEPENDENT = "address-and-port-dependent";
    static final String FILTERING_ENDPOINT_INDEPENDENT = "endpoint-independent";

    /** Parses {@code properties}; throws IllegalArgumentException whose message names every bad key. */
    static Nat44Settings parse(Map<String, ?> properties) {
        List<String> problems = new ArrayList<>();
        int[] addresses = addresses(properties, "addresses", problems);
        List<String> inside = names(properties.get("inside"));
        List<String> outside = names(properties.get("outside"));
        List<String> outputFeature = names(properties.get("output-feature"));
        Timeouts timeouts = new Timeouts(
                seconds(properties, "timeout.udp", Timeouts.DEFAULTS.udpSeconds(), problems),
                seconds(properties, "timeout.tcp-established", Timeouts.DEFAULTS.tcpEstablishedSeconds(), problems),
                seconds(properties, "timeout.tcp-transitory", Timeouts.DEFAULTS.tcpTransitorySeconds(), problems),
                seconds(properties, "timeout.icmp", Timeouts.DEFAULTS.icmpSeconds(), problems));
        int maxSessions = integer(properties, "max-sessions", DEFAULT_MAX_SESSIONS, 1, 1 << 28, problems);
        int perAddress = integer(properties, "max-sessions-per-inside-address", DEFAULT_MAX_PER_INSIDE_ADDRESS, 1,
                1 << 28, problems);
        boolean endpointIndependentFiltering = false;
        Object filtering = properties.get("filtering");
        if (filtering != null && !filtering.toString().isBlank()) {
            String value = filtering.toString().trim().toLowerCase(Locale.ROOT);
            if (value.equals(FILTERING_ENDPOINT_INDEPENDENT)) {
                endpointIndependentFiltering = true;
            } else if (!value.equals(FILTERING_ADDRESS_AND_PORT_DEPENDENT)) {
                problems.add("filtering: '" + filtering + "' is neither " + FILTERING_ADDRESS_AND_PORT_DEPENDENT
                        + " (the default) nor " + FILTERING_ENDPOINT_INDEPENDENT);
            }
        }
        Path file = null;
        Object fileValue = properties.get("session-file");
        if (fileValue != null && !fileValue.toString().isBlank()) {
            file = Path.of(fileValue.toString().trim());
        } else {
            String karafData = System.getProperty("karaf.data");
            if (karafData != null) {
                file = Path.of(karafData, "nat44", "sessions.bin");
            }
        }
        List<StaticMapping> mappings = new ArrayList<>();
        for (String entry : names(properties.get("static-mappings"))) {
            try {
                mappings.add(parseMapping(entry));
            } catch (IllegalArgumentException e) {
                problems.add("static-mappings: '" + entry + "': " + e.getMessage());
            }
        }
        for (StaticMapping m : mappings) {
            for (int a : addresses) {
                if (m.addressOnly() && !m.identity() && m.externalAddress() == a) {
                    problems.add("static-mappings: '" + m.name() + "': an address-only mapping may not use pool address "
                            + PacketFormat.formatIp4(a) + " (it would take every port of it)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("configuration " + PID + " refused: " + String.join("; ", problems));
        }
        return new Nat44Settings(addresses, inside, outside, outputFeature, timeouts, maxSessions, perAddress, file,
                List.copyOf(mappings), endpointIndependentFiltering);
    }

    /**
     * One mapping: {@code static <tcp|udp|icmp> <local>:<port> <external>:<port> [out2in-only]},
     * {@code static any <local> <external> [out2in-only]} (address only),
     * {@code identity <tcp|udp|icmp> <address>:<port>} or {@code identity any <address>}.
     */
    static StaticMapping parseMapping(String entry) {
        String[] words = entry.trim().split("\\s+");
        if (words.length < 3) {
            throw new IllegalArgumentException("expected 'static|identity <tcp|udp|icmp|any> <endpoint> ...'");
        }
        boolean identity = switch (words[0].toLowerCase(Locale.ROOT)) {
            case "static" -> false;
            case "identity" -> true;
            default -> throw new IllegalArgumentException("kind must be 'static' or 'identity', got '" + words[0] + "'");
        };
        int protocol = switch (words[1].toLowerCase(Locale.ROOT)) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "any" -> 0;
            default -> throw new IllegalArgumentException("protocol must be tcp, udp, icmp or any, got '" + words[1] + "'");
        };
        int[] local = endpoint(words[2], protocol);
        int[] external;
        int next = 3;
        if (identity) {
            external = local;
        } else {
            if (words.length < 4) {
                throw new IllegalArgumentException("a static mapping needs a local and an external endpoint");
            }
            external = endpoint(words[3], protocol);
            next = 4;
        }
        boolean out2inOnly = false;
        for (int i = next; i < words.length; i++) {
            if (words[i].equalsIgnoreCase("out2in-only")) {
                out2inOnly = true;
            } else {
                throw new IllegalArgumentException("unknown option '" + words[i] + "'");
            }
        }
        return new StaticMapping(entry.trim(), protocol, local[0], local[1], external[0], external[1], identity,
                out2inOnly);
    }

    private static int[] endpoint(String text, int protocol) {
        int colon = text.indexOf(':');
        String address = colon < 0 ? text : text.substring(0, colon);
        int port = 0;
        if (protocol == 0 && colon >= 0) {
            throw new IllegalArgumentException("an address-only ('any') mapping takes no port: '" + text + "'");
        }
        if (protocol != 0) {
            if (colon < 0) {
                throw new IllegalArgumentException("a " + (protocol == Ipv4.PROTOCOL_ICMP ? "icmp"
                        : protocol == Ipv4.PROTOCOL_TCP ? "tcp" : "udp")
                        + " mapping needs address:port, got '" + text + "'");
            }
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port is not a number: '" + text + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535: '" + text + "'");
            }
        }
        try {
            return new int[] {PacketFormat.parseIp4(address), port};
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IPv4 address: '" + address + "'");
        }
    }

    /**
     * The pool. An address listed twice is refused: the port allocator would keep two port maps for it and could
     * hand the same outside address and port to two sessions.
     */
    private static int[] addresses(Map<String, ?> properties, String key, List<String> problems) {
        List<String> words = names(properties.get(key));
        int[] result = new int[words.size()];
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < result.length; i++) {
            try {
                result[i] = PacketFormat.parseIp4(words.get(i));
                if (!seen.add(result[i])) {
                    problems.add(key + ": " + PacketFormat.formatIp4(result[i]) + " is listed twice (a pool address"
                            + " appears once, or its ports could be handed out twice)");
                }
            } catch (IllegalArgumentException e) {
                problems.add(key + ": '" + words.get(i) + "' is not an IPv4 address");
            }
        }
        return result;
    }

    private static int seconds(Map<String, ?> properties, String key, int fallback, List<String> problems) {
        return integer(properties, key, fallback, 1, 7 * 24 * 3600, problems);
    }

    private static int integer(Map<String, ?> properties, String key, int fallback, int min, int max,
                               List<String> problems) {
        Object value = properties.get(key);
        if (value == null || value.toString().isBlank()) {
            return fallback;
        }
        try {
            int parsed = value instanceof Number number ? number.intValue() : Integer.parseInt(value.toString().trim());
            if (parsed < min || parsed > max) {
                problems.add(key + ": " + parsed + " is outside " + min + ".." + max);
                return fallback;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(key + ": '" + value + "' is not a whole number");
            return fallback;
        }
    }

    /** A comma-separated string (a .cfg file) or a String[]/collection (typed configuration), trimmed. */
    static List<String> names(Object value) {
        List<String> result = new ArrayList<>();
        if (value == null) {
            return result;
        }
        Collection<?> items = value instanceof String[] array ? List.of(array)
                : value instanceof Collection<?> collection ? collection : List.of(value.toString().split(","));
        for (Object item : items) {
            for (String part : item.toString().split(",")) {
                if (!part.isBlank()) {
                    result.add(part.trim());
                }
            }
        }
        return result;
    }
}
