package io.sluice.pg.api;

import java.util.List;

/** Streams of packets injected at the {@code pg-input} node. */
public interface PacketGenerator {

    String INPUT_NODE = "pg-input";

    /** Adds a stream, disabled. A stream of the same name is replaced. */
    void add(PgStream stream);

    void enable(String name);

    void disable(String name);

    void remove(String name);

    List<StreamStatus> streams();

    record StreamStatus(String name, boolean enabled, long sent, long count, long ratePps, long allocFailures) {
        public boolean done() {
            return count > 0 && sent >= count;
        }
    }
}
