package io.sluice.shell.config;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the console's configuration commands change, written through ConfigAdmin so that the bundles apply it as
 * they apply a file, and so that it lands in {@code etc/<pid>.cfg}: Felix File Install
 * ({@code felix.fileinstall.enableConfigSave}) writes every update of a configuration that came from a file back to
 * that file, and deletes the file with the configuration. A configuration the console creates has no file yet, so
 * this class writes it first, whole, under the name File Install itself would read it from
 * ({@code <factoryPid>-<name>.cfg}), then updates the configuration naming that file: whichever of the two File
 * Install sees first, it finds the same properties, and files and console never disagree.
 */
public final class ConsoleConfig {
    /** Set by File Install on configurations read from etc/, a file: URI. */
    public static final String FILE_KEY = "felix.fileinstall.filename";
    private static final List<String> MANAGED_KEYS = List.of(Constants.SERVICE_PID, ConfigurationAdmin.SERVICE_FACTORYPID,
            ConfigurationAdmin.SERVICE_BUNDLELOCATION);

    private final ConfigurationAdmin admin;
    private final File etc;

    public ConsoleConfig(ConfigurationAdmin admin) {
        this(admin, Path.of(System.getProperty("karaf.etc", "etc")));
    }

    public ConsoleConfig(ConfigurationAdmin admin, Path etc) {
        this.admin = admin;
        File dir = etc.toFile().getAbsoluteFile();
        try {
            dir = dir.getCanonicalFile();
        } catch (IOException e) {
            // The absolute path is what File Install watches when the canonical one cannot be read.
        }
        this.etc = dir;
    }

    /** A stored configuration: its PID, its name (the file's name after the factory PID) and its own keys. */
    public record Stored(String factoryPid, String pid, String name, Map<String, Object> properties) {
        public String value(String key) {
            Object value = properties.get(key);
            return value == null ? null : value.toString().trim();
        }
    }

    /** Every configuration of {@code factoryPid}, as ConfigAdmin holds them. */
    public List<Stored> factory(String factoryPid) {
        return list("(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + factoryPid + ")", factoryPid);
    }

    /** The configuration of singleton PID {@code pid}, or null when there is none. */
    public Stored single(String pid) {
        List<Stored> found = list("(" + Constants.SERVICE_PID + "=" + pid + ")", null);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The configuration of {@code factoryPid} named {@code name}, or null. */
    public Stored named(String factoryPid, String name) {
        for (Stored stored : factory(factoryPid)) {
            if (stored.name().equals(name)) {
                return stored;
            }
        }
        return null;
    }

    /**
     * What the component will read when {@code properties} are written as {@code name} (null for a singleton PID):
     * the keys plus the file they go to, so that a check names the file as the component's log line would.
     */
    public Map<String, Object> asRead(String pid, String name, Map<String, Object> properties) {
        Map<String, Object> read = new LinkedHashMap<>(properties);
        read.put(FILE_KEY, fileKey(file(pid, name, existing(pid, name))));
        read.put(Constants.SERVICE_PID, name == null ? pid : pid + "~" + name);
        return read;
    }

    /**
     * Writes {@code properties} (the configuration's own keys, all of them) as the configuration of {@code pid}
     * ({@code name} null) or of factory PID {@code pid} named {@code name}, replacing what it held.
     */
    public void write(String pid, String name, Map<String, Object> properties) throws IOException {
        Stored existing = existing(pid, name);
        File file = file(pid, name, existing);
        Configuration configuration;
        if (existing != null) {
            configuration = admin.getConfiguration(existing.pid(), "?");
        } else if (name == null) {
            configuration = admin.getConfiguration(pid, "?");
        } else {
            configuration = admin.getFactoryConfiguration(pid, name, "?");
        }
        Hashtable<String, Object> dictionary = new Hashtable<>();
        for (Map.Entry<String, Object> entry : properties.entrySet()) {
            if (!MANAGED_KEYS.contains(entry.getKey()) && !entry.getKey().equals(FILE_KEY)) {
                dictionary.put(entry.getKey(), entry.getValue().toString());
            }
        }
        if (!file.isFile()) {
            writeFile(file, dictionary);
        }
        dictionary.put(FILE_KEY, fileKey(file));
        configuration.update(dictionary);
    }

    /** Deletes a configuration and its file. */
    public void delete(Stored stored) throws IOException {
        File file = file(stored.factoryPid() == null ? stored.pid() : stored.factoryPid(), stored.name(), stored);
        admin.getConfiguration(stored.pid(), "?").delete();
        Files.deleteIfExists(file.toPath());
    }

    /** A configuration name from free text (an interface or a prefix): what a file name may hold. */
    public static String nameOf(String text) {
        StringBuilder name = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_';
            name.append(plain ? c : '-');
        }
        return name.toString();
    }

    private Stored existing(String pid, String name) {
        return name == null ? single(pid) : named(pid, name);
    }

    private File file(String pid, String name, Stored existing) {
        if (existing != null && existing.properties().get(FILE_KEY) != null) {
            String key = existing.properties().get(FILE_KEY).toString();
            return key.startsWith("file:") ? new File(URI.create(key)) : new File(key);
        }
        return new File(etc, (name == null ? pid : pid + "-" + name) + ".cfg");
    }

    /** The form File Install keeps in {@value #FILE_KEY} (its ConfigInstaller.toConfigKey). */
    private static String fileKey(File file) {
        return file.getAbsoluteFile().toURI().toString();
    }

    /** The .cfg syntax File Install reads (java.util.Properties with {@code key = value} lines). */
    private static void writeFile(File file, Dictionary<String, Object> properties) throws IOException {
        StringBuilder text = new StringBuilder("# Written by the Sluice console; File Install keeps it in step.\n");
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            text.append(key).append(" = ").append(escape(properties.get(key).toString())).append('\n');
        }
        Path target = file.toPath();
        Path temporary = target.resolveSibling(file.getName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.ISO_8859_1);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c > 0xff) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private List<Stored> list(String filter, String factoryPid) {
        Configuration[] configurations;
        try {
            configurations = admin.listConfigurations(filter);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("ConfigAdmin could not list " + filter + ": " + e.getMessage(), e);
        }
        List<Stored> stored = new ArrayList<>();
        if (configurations == null) {
            return stored;
        }
        for (Configuration configuration : configurations) {
            Dictionary<String, Object> dictionary = configuration.getProperties();
            if (dictionary == null) {
                continue;
            }
            Map<String, Object> properties = new LinkedHashMap<>();
            for (Enumeration<String> keys = dictionary.keys(); keys.hasMoreElements(); ) {
                String key = keys.nextElement();
                properties.put(key, dictionary.get(key));
            }
            stored.add(new Stored(factoryPid, configuration.getPid(), name(configuration.getPid(), factoryPid,
                    properties.get(FILE_KEY)), properties));
        }
        stored.sort((a, b) -> a.name().compareTo(b.name()));
        return stored;
    }

    /** {@code io.sluice.acl~pod-reflect} or the file {@code io.sluice.acl-pod-reflect.cfg}: "pod-reflect". */
    private static String name(String pid, String factoryPid, Object file) {
        if (factoryPid == null) {
            return null;
        }
        if (pid.startsWith(factoryPid + "~")) {
            return pid.substring(factoryPid.length() + 1);
        }
        if (file != null) {
            String base = file.toString().substring(file.toString().lastIndexOf('/') + 1);
            if (base.startsWith(factoryPid + "-") && base.endsWith(".cfg")) {
                return base.substring(factoryPid.length() + 1, base.length() - ".cfg".length());
            }
        }
        return pid;
    }
}
