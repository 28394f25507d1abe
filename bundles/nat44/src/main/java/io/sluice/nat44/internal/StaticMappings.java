package io.sluice.nat44.internal;

import io.sluice.common.LongIntMap;
import io.sluice.nat44.api.StaticMapping;

import java.util.List;

/**
 * The configured static and identity mappings, indexed for the forwarding path by local (inside) and by
 * external endpoint. A port mapping is keyed by (address, port, protocol), an address-only mapping by
 * (address, 0, 0); lookups try the port mapping first. Immutable once built.
 */
final class StaticMappings {
    static final StaticMappings NONE = new StaticMappings(List.of());

    private final StaticMapping[] mappings;
    private final LongIntMap byLocal;
    private final LongIntMap byExternal;

    public StaticMappings(List<StaticMapping> list) {
        this.mappings = list.toArray(new StaticMapping[0]);
        this.byLocal = new LongIntMap(Math.max(4, mappings.length));
        this.byExternal = new LongIntMap(Math.max(4, mappings.length));
        for (int i = 0; i < mappings.length; i++) {
            StaticMapping m = mappings[i];
            byLocal.put(SessionTable.key(m.localAddress(), m.localPort(), m.protocol()), i);
            byExternal.put(SessionTable.key(m.externalAddress(), m.externalPort(), m.protocol()), i);
        }
    }

    boolean isEmpty() {
        return mappings.length == 0;
    }

    StaticMapping get(int index) {
        return mappings[index];
    }

    List<StaticMapping> list() {
        return List.of(mappings);
    }

    /** The mapping whose inside side matches, or -1. */
    int findByLocal(int address, int port, int protocol) {
        if (mappings.length == 0) {
            return -1;
        }
        int found = byLocal.get(SessionTable.key(address, port, protocol), -1);
        return found >= 0 ? found : byLocal.get(SessionTable.key(address, 0, 0), -1);
    }

    /** The mapping whose outside side matches, or -1. */
    int findByExternal(int address, int port, int protocol) {
        if (mappings.length == 0) {
            return -1;
        }
        int found = byExternal.get(SessionTable.key(address, port, protocol), -1);
        return found >= 0 ? found : byExternal.get(SessionTable.key(address, 0, 0), -1);
    }

    /** True when a packet to this outside endpoint needs a mapping's translation (identity ones do not). */
    boolean translatesExternal(int address, int port, int protocol) {
        int found = findByExternal(address, port, protocol);
        return found >= 0 && !mappings[found].identity();
    }
}
