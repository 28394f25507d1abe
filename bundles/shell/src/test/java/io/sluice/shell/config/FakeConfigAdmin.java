package io.sluice.shell.config;

import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * ConfigAdmin as the console's commands use it, in memory: configurations by PID, {@code (key=value)} filters, and a
 * hook standing for the bundle's component, called on every update (properties) and delete (null), as ConfigAdmin
 * would deliver them.
 */
public final class FakeConfigAdmin implements ConfigurationAdmin {
    private final Map<String, Stored> configurations = new LinkedHashMap<>();
    private BiConsumer<String, Map<String, Object>> component = (pid, properties) -> { };

    /** {@code component} gets (factory PID or PID, properties), properties null for a delete. */
    public void deliverTo(BiConsumer<String, Map<String, Object>> component) {
        this.component = component;
    }

    /** A configuration as File Install would have loaded it from {@code file}. */
    public void load(String factoryPid, String name, String file, Map<String, Object> properties) {
        Stored stored = (Stored) getFactoryConfiguration(factoryPid, name, "?");
        Hashtable<String, Object> dictionary = new Hashtable<>(properties);
        dictionary.put(ConsoleConfig.FILE_KEY, file);
        stored.properties = dictionary;
    }

    /** The properties of {@code pid}, or null. */
    public Map<String, Object> properties(String pid) {
        Stored stored = configurations.get(pid);
        return stored == null || stored.properties == null ? null : toMap(stored.properties);
    }

    public List<String> pids() {
        List<String> pids = new ArrayList<>();
        configurations.forEach((pid, stored) -> {
            if (stored.properties != null) {
                pids.add(pid);
            }
        });
        return pids;
    }

    @Override
    public Configuration createFactoryConfiguration(String factoryPid) {
        throw new UnsupportedOperationException("the console names its configurations");
    }

    @Override
    public Configuration createFactoryConfiguration(String factoryPid, String location) {
        throw new UnsupportedOperationException("the console names its configurations");
    }

    @Override
    public Configuration getConfiguration(String pid, String location) {
        return configurations.computeIfAbsent(pid, p -> new Stored(p, null));
    }

    @Override
    public Configuration getConfiguration(String pid) {
        return getConfiguration(pid, null);
    }

    @Override
    public Configuration getFactoryConfiguration(String factoryPid, String name, String location) {
        return configurations.computeIfAbsent(factoryPid + "~" + name, p -> new Stored(p, factoryPid));
    }

    @Override
    public Configuration getFactoryConfiguration(String factoryPid, String name) {
        return getFactoryConfiguration(factoryPid, name, null);
    }

    @Override
    public Configuration[] listConfigurations(String filter) {
        String[] condition = filter.substring(1, filter.length() - 1).split("=", 2);
        List<Configuration> found = new ArrayList<>();
        for (Stored stored : configurations.values()) {
            if (stored.properties != null && condition[1].equals(String.valueOf(stored.getProperties().get(condition[0])))) {
                found.add(stored);
            }
        }
        return found.isEmpty() ? null : found.toArray(new Configuration[0]);
    }

    private static Map<String, Object> toMap(Dictionary<String, ?> dictionary) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Enumeration<String> keys = dictionary.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            map.put(key, dictionary.get(key));
        }
        return map;
    }

    private final class Stored implements Configuration {
        private final String pid;
        private final String factoryPid;
        private Dictionary<String, Object> properties;

        Stored(String pid, String factoryPid) {
            this.pid = pid;
            this.factoryPid = factoryPid;
        }

        @Override
        public String getPid() {
            return pid;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            if (properties == null) {
                return null;
            }
            Hashtable<String, Object> copy = new Hashtable<>(toMap(properties));
            copy.put("service.pid", pid);
            if (factoryPid != null) {
                copy.put("service.factoryPid", factoryPid);
            }
            return copy;
        }

        @Override
        public Dictionary<String, Object> getProcessedProperties(ServiceReference<?> reference) {
            return getProperties();
        }

        @Override
        public void update(Dictionary<String, ?> update) {
            Hashtable<String, Object> copy = new Hashtable<>();
            for (Enumeration<String> keys = update.keys(); keys.hasMoreElements(); ) {
                String key = keys.nextElement();
                copy.put(key, update.get(key));
            }
            properties = copy;
            component.accept(factoryPid != null ? factoryPid : pid, toMap(getProperties()));
        }

        @Override
        public void delete() {
            configurations.remove(pid);
            component.accept(factoryPid != null ? factoryPid : pid, null);
        }

        @Override
        public String getFactoryPid() {
            return factoryPid;
        }

        @Override
        public void update() {
        }

        @Override
        public boolean updateIfDifferent(Dictionary<String, ?> update) {
            update(update);
            return true;
        }

        @Override
        public void setBundleLocation(String location) {
        }

        @Override
        public String getBundleLocation() {
            return "?";
        }

        @Override
        public long getChangeCount() {
            return 0;
        }

        @Override
        public void addAttributes(ConfigurationAttribute... attributes) {
        }

        @Override
        public Set<ConfigurationAttribute> getAttributes() {
            return Set.of();
        }

        @Override
        public void removeAttributes(ConfigurationAttribute... attributes) {
        }
    }
}
