package io.sluice.bench.seed;

import io.sluice.ethernet.api.EthernetGraph;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.packet.api.BufferPool;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The driver's part of a seed port in memory: an input node that, when armed, allocates a frame of buffers,
 * copies the prepared 60-byte frames in, stamps the rx sw_if_index and hands them to ethernet-input, as a
 * device-input node does after its ring. One frame per {@link #arm}.
 */
final class FrameSource implements Node {
    private final NodeRegistration registration;
    private final int rxSwIfIndex;
    private MemorySegment frames;
    private long firstByte;
    private int armed;

    FrameSource(String name, int rxSwIfIndex) {
        this.registration = NodeRegistration.input(name, List.of(EthernetGraph.ETHERNET_INPUT), List.of(), null);
        this.rxSwIfIndex = rxSwIfIndex;
    }

    /**
     * The next pass sends {@code count} frames of {@code frames} ({@link SeedFrames#LENGTH} bytes each, at most a
     * frame's worth) from frame {@code first} on.
     */
    void arm(MemorySegment frames, int first, int count) {
        this.frames = frames;
        this.firstByte = (long) first * SeedFrames.LENGTH;
        this.armed = count;
    }

    @Override
    public NodeRegistration registration() {
        return registration;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        int n = armed;
        if (n == 0) {
            return 0;
        }
        armed = 0;
        BufferPool pool = context.pool();
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        n = pool.alloc(buffers, 0, n);
        MemorySegment seg = pool.segment();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            MemorySegment.copy(frames, firstByte + (long) i * SeedFrames.LENGTH, seg, BufferPool.dataStart(bi),
                    SeedFrames.LENGTH);
            pool.setData(bi, 0, SeedFrames.LENGTH);
            pool.setRxSwIfIndex(bi, rxSwIfIndex);
            nexts[i] = 0;
        }
        frame.setCount(n);
        return n;
    }
}
