package io.sluice.graph.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Applies the hardware profile's cores to the workers: {@code cores.workers} of
 * {@code <directory>/<profile>.profile} (PID {@code io.sluice.hardware}, whose keys the engine also receives)
 * gives one core per worker, worker 0 ({@code sluice_main}) on the first, as VPP's {@code cpu { main-core,
 * corelist-workers }} pins its threads. How many workers run stays the graph's {@code workers} key (a box goes to
 * several workers only when its configuration says so: the NAT44 sessions are not yet shared between workers);
 * they are pinned to the first cores of the list, and more workers than cores leaves them unpinned (logged). The
 * graph's own {@code cpus}, {@code main-core} or {@code corelist-workers} replace the profile's cores. A core this box does not have leaves them
 * unpinned too, with a warning, rather than refusing the whole configuration. Only this one key is read here;
 * the profile's other keys and their checks are driver-dpdk's (its reader refuses a malformed core list).
 */
final class ProfileCores {

    private static final System.Logger LOG = System.getLogger(ProfileCores.class.getName());
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    static final String KEY = "cores.workers";

    private ProfileCores() {
    }

    /** {@code properties} with {@code workers} and {@code cpus} taken from the profile where it applies. */
    static Map<String, Object> apply(Map<String, ?> properties) {
        Map<String, Object> result = new HashMap<>(properties);
        if (given(properties, "cpus") || given(properties, "main-core") || given(properties, "corelist-workers")) {
            return result;
        }
        Object profile = properties.get("profile");
        if (profile == null || !NAME.matcher(profile.toString().trim()).matches()) {
            return result;
        }
        String cores = coresOf(directory(properties).resolve(profile.toString().trim() + ".profile"));
        if (cores == null) {
            return result;
        }
        int[] list;
        try {
            list = GraphOptions.coreRanges(cores, "profile " + profile + ": " + KEY);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; the workers are not pinned");
            return result;
        }
        int available = Runtime.getRuntime().availableProcessors();
        for (int core : list) {
            if (core >= available) {
                LOG.log(System.Logger.Level.WARNING, "profile " + profile + ": " + KEY + " names core " + core
                        + ", this box has 0.." + (available - 1) + "; the workers are not pinned");
                return result;
            }
        }
        int workers;
        try {
            Object configured = properties.get("workers");
            workers = configured == null ? GraphOptions.DEFAULTS.workers() : Integer.parseInt(configured.toString().trim());
        } catch (NumberFormatException e) {
            return result; // GraphOptions refuses it, naming the key
        }
        if (workers > list.length) {
            LOG.log(System.Logger.Level.WARNING, "io.sluice.graph: workers = " + workers + " but profile " + profile
                    + " gives " + list.length + " cores (" + KEY + " = " + cores + "); the workers are not pinned");
            return result;
        }
        if (workers < list.length) {
            LOG.log(System.Logger.Level.INFO, "profile " + profile + " gives " + list.length + " cores for workers ("
                    + KEY + " = " + cores + "); io.sluice.graph runs " + workers + ", pinned to the first");
        }
        result.put("cpus", java.util.Arrays.stream(list, 0, workers).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(",")));
        return result;
    }

    private static boolean given(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        return value != null && !value.toString().isBlank();
    }

    private static Path directory(Map<String, ?> properties) {
        String home = System.getProperty("karaf.home", ".");
        Object value = properties.get("directory");
        if (value == null || value.toString().isBlank()) {
            return Path.of(home, "hardware-profiles");
        }
        return Path.of(value.toString().trim().replace("${karaf.home}", home));
    }

    /** The value of {@code cores.workers} in the profile, or null when the file or the key is absent. */
    private static String coresOf(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
        for (String line : text.split("\n")) {
            String stripped = line.strip();
            int equals = stripped.indexOf('=');
            if (!stripped.startsWith("#") && equals > 0 && stripped.substring(0, equals).strip().equals(KEY)) {
                return stripped.substring(equals + 1).strip();
            }
        }
        return null;
    }
}
