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
 * corelist-workers }} pins its threads. The graph's own keys win: {@code cpus}, {@code main-core} or
 * {@code corelist-workers} in {@code io.sluice.graph} replace the profile's cores, and a {@code workers} count that
 * differs from the profile's cores leaves the workers unpinned (logged). A core this box does not have leaves them
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
        Object workers = properties.get("workers");
        if (workers != null && !workers.toString().trim().equals(Integer.toString(list.length))) {
            LOG.log(System.Logger.Level.WARNING, "io.sluice.graph: workers = " + workers + " but profile " + profile
                    + " gives " + list.length + " cores (" + KEY + " = " + cores + "); the workers are not pinned");
            return result;
        }
        result.put("workers", list.length);
        result.put("cpus", java.util.Arrays.stream(list).mapToObj(Integer::toString)
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
