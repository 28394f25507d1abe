package io.sluice.ip4.config;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each interface, route and neighbour configuration of this bundle stands, by configuration PID: waiting for
 * its interface, applied, refused, or failed to apply. {@link ForwardingWatch} reads it to tell the operator when
 * everything the box was configured with is in force. The components that write it are separate DS instances of
 * this bundle, so it is one map per class loader: a bundle update starts from an empty one, as its components
 * start from nothing.
 */
final class ConfigProgress {

    enum State {
        WAITING, APPLIED, REFUSED, FAILED
    }

    /**
     * @param origin              the .cfg file (or PID) the configuration came from
     * @param detail              what it waits for, or why it was refused or failed; empty when applied
     * @param forwardingInterface the interface this configuration, as applied now, puts admin up, or null
     */
    record Entry(String factoryPid, String origin, State state, String detail, String forwardingInterface) {
    }

    private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();

    private ConfigProgress() {
    }

    static void record(String pid, Entry entry) {
        ENTRIES.put(pid, entry);
    }

    static void forget(String pid) {
        ENTRIES.remove(pid);
    }

    static Map<String, Entry> snapshot() {
        return Map.copyOf(ENTRIES);
    }
}
