package io.sluice.pg.api;

import java.util.List;

/**
 * A packet-generator stream, as VPP's {@code packet-generator new}: packets sent in turn, as if received on
 * {@code rxSwIfIndex}, into node {@code node}.
 *
 * @param count     packets to send in all; 0 sends until the stream is disabled
 * @param ratePps   packets per second; 0 sends as fast as the worker can
 */
public record PgStream(String name, List<byte[]> packets, int rxSwIfIndex, long count, long ratePps, String node) {

    public PgStream {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a stream needs a name");
        }
        if (packets.isEmpty()) {
            throw new IllegalArgumentException("stream " + name + ": no packets");
        }
        for (byte[] packet : packets) {
            if (packet.length == 0 || packet.length > 2048) {
                throw new IllegalArgumentException("stream " + name + ": packet of " + packet.length
                        + " bytes (must be 1..2048)");
            }
        }
        if (count < 0 || ratePps < 0) {
            throw new IllegalArgumentException("stream " + name + ": count and rate must not be negative");
        }
        packets = List.copyOf(packets);
    }
}
