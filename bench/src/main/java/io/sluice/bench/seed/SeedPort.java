package io.sluice.bench.seed;

import io.sluice.nat44.testkit.Nat44Testkit;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ethernet;
import io.sluice.packet.api.Tcp;
import io.sluice.vnet.testkit.MemoryDevice;

/**
 * The far end of a seed port in memory: frees what the interface's tx node hands it and counts it. While
 * {@link #recordSourcePorts} is set it also keeps the TCP source port of each frame (what NAT44 chose: the
 * server's SYN-ACK goes back to it); while {@link #closeNatSessions} is set it deletes the NAT44 session each
 * frame was translated by, as if the connection ended there, so a benchmark that opens connections without
 * end keeps the table at a frame's worth. Both are tested once per frame; no allocation.
 */
final class SeedPort extends MemoryDevice {
    /** Frames handed over since the start. */
    long sent;
    boolean recordSourcePorts;
    /** The source ports of the frames sent while recording, in order; {@link #recorded} of them. */
    final int[] sourcePorts = new int[4096];
    int recorded;
    Nat44Testkit closeNatSessions;

    SeedPort(String name, long mac) {
        super(name, mac);
    }

    @Override
    public int transmit(BufferPool pool, int[] buffers, int count) {
        if (recordSourcePorts) {
            for (int i = 0; i < count && recorded < sourcePorts.length; i++) {
                int bi = buffers[i];
                long tcp = BufferPool.dataStart(bi) + pool.currentData(bi) + Ethernet.HEADER_LENGTH
                        + SeedFrames.IP_HEADER;
                sourcePorts[recorded++] = Tcp.srcPort(pool.segment(), tcp);
            }
        }
        if (closeNatSessions != null) {
            closeNatSessions.deleteSessionsOf(pool, buffers, count);
        }
        sent += count;
        pool.free(buffers, 0, count);
        return count;
    }
}
