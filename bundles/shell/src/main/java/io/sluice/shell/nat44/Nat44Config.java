package io.sluice.shell.nat44;

import io.sluice.nat44.api.Nat44ConfigCheck;
import io.sluice.shell.config.ConsoleConfig;
import io.sluice.shell.config.InForce;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The one NAT44 configuration, {@code etc/io.sluice.nat44.cfg}, as the nat44 commands change it: one list key at a
 * time (the address pool, an interface role, the static mappings), every other key kept as it is.
 */
final class Nat44Config {
    private final ConsoleConfig config;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    Nat44Config(ConsoleConfig config) {
        this.config = config;
        ConsoleConfig.Stored stored = config.single(Nat44ConfigCheck.PID);
        if (stored != null) {
            properties.putAll(stored.properties());
        }
    }

    /** The comma-separated entries of {@code key}. */
    List<String> list(String key) {
        List<String> entries = new ArrayList<>();
        Object value = properties.get(key);
        if (value != null) {
            for (String part : value.toString().split(",")) {
                if (!part.isBlank()) {
                    entries.add(part.trim().replaceAll("\\s+", " "));
                }
            }
        }
        return entries;
    }

    /** Adds {@code entry} to {@code key}, or removes it (refused when it is not there). */
    void change(String key, String entry, boolean delete) {
        List<String> entries = list(key);
        String wanted = entry.trim().replaceAll("\\s+", " ");
        boolean held = entries.removeIf(e -> e.toLowerCase(Locale.ROOT).equals(wanted.toLowerCase(Locale.ROOT)));
        if (delete && !held) {
            throw new IllegalArgumentException("'" + wanted + "' is not in " + key + " of " + Nat44ConfigCheck.PID);
        }
        if (!delete) {
            entries.add(wanted);
        }
        if (entries.isEmpty()) {
            properties.remove(key);
        } else {
            properties.put(key, String.join(", ", entries));
        }
    }

    /** Checks the whole configuration with NAT44's parser, writes it, and waits for {@code applied}. */
    void write(Nat44ConfigCheck check, String what, BooleanSupplier applied) throws IOException {
        Map<String, Object> read = config.asRead(Nat44ConfigCheck.PID, null, properties);
        check.check(read);
        config.write(Nat44ConfigCheck.PID, null, properties);
        InForce.report(what, read.get(ConsoleConfig.FILE_KEY).toString(), applied);
    }
}
