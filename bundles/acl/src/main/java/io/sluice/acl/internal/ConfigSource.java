package io.sluice.acl.internal;

import java.util.Map;

/** How a configuration names itself in messages, and the keys the framework adds to every configuration. */
final class ConfigSource {
    /** Set by Felix FileInstall for configurations read from etc/*.cfg (a file: URL or a path). */
    static final String FILE_KEY = "felix.fileinstall.filename";

    private ConfigSource() {
    }

    /** "etc/io.sluice.acl-pod-reflect.cfg" (the file) or "PID io.sluice.acl~x" when not from a file. */
    static String describe(Map<String, Object> properties, String pid) {
        String file = string(properties, FILE_KEY);
        if (file != null) {
            int slash = file.lastIndexOf('/');
            return "etc/" + file.substring(slash + 1);
        }
        String servicePid = string(properties, "service.pid");
        return "PID " + (servicePid != null ? servicePid : pid);
    }

    /** For {@code etc/io.sluice.acl-pod-reflect.cfg}: "pod-reflect"; null when not from such a file. */
    static String nameFromFile(Map<String, Object> properties, String factoryPid) {
        String file = string(properties, FILE_KEY);
        if (file == null) {
            return null;
        }
        String base = file.substring(file.lastIndexOf('/') + 1);
        String prefix = factoryPid + "-";
        if (!base.startsWith(prefix) || !base.endsWith(".cfg")) {
            return null;
        }
        return base.substring(prefix.length(), base.length() - ".cfg".length());
    }

    static String string(Map<String, Object> properties, String key) {
        Object value = properties.get(key);
        return value == null ? null : value.toString();
    }

    static boolean isFrameworkKey(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.")
                || key.startsWith("osgi.") || key.startsWith(".");
    }
}
