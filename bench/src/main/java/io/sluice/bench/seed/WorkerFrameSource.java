package io.sluice.bench.seed;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.testkit.HandoffNodes;
import io.sluice.packet.api.BufferPool;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A seed port's driver on one worker of several, in memory: while {@link #running}, every poll allocates a frame
 * of buffers from its worker's pool, copies the prepared 60-byte frames in and stamps the rx sw_if_index, as a
 * device-input node does after its ring, and marks each buffer with the worker that owns its flow (opaque word
 * {@link HandoffNodes#OPAQUE_OWNER}) for {@code seed-worker-handoff} (the graph testkit's handoff node, handing to
 * ethernet-input). Its next node is that handoff node or ethernet-input straight away, as it is built. Counts what it made.
 *
 * <p>It makes nothing while its pool has more than {@code maxOutstanding} buffers out, as a receive ring the
 * driver cannot refill stops taking frames: the buffers a worker handed off stay out of its pool until the owner
 * sends them home, so a worker whose owner lags stops making packets instead of overrunning the frame queue (which
 * holds at most what is out).
 */
final class WorkerFrameSource implements Node {
    private final NodeRegistration registration;
    private final int rxSwIfIndex;
    private final MemorySegment frames;
    private final int[] owners;
    private final int maxOutstanding;
    /** Read once per poll: the benchmark's tear-down stops the sources before it drains the workers. */
    volatile boolean running = true;
    /** Buffers made so far (written by the polling worker's thread, read after it stopped). */
    long made;

    /**
     * {@code frames}: {@code owners.length} frames of {@link SeedFrames#LENGTH} bytes; {@code owners[i]}: the worker
     * that owns frame i's flow; {@code next}: the node they go to.
     */
    WorkerFrameSource(String name, int rxSwIfIndex, MemorySegment frames, int[] owners, String next,
                      int maxOutstanding) {
        this.registration = NodeRegistration.input(name, List.of(next), List.of(), null);
        this.rxSwIfIndex = rxSwIfIndex;
        this.frames = frames;
        this.owners = owners.clone();
        this.maxOutstanding = maxOutstanding;
    }

    @Override
    public NodeRegistration registration() {
        return registration;
    }

    @Override
    public int process(NodeContext context, Frame frame) {
        if (!running) {
            return 0;
        }
        BufferPool pool = context.pool();
        if (pool.outstanding() + owners.length > maxOutstanding) {
            return 0;
        }
        int[] buffers = frame.buffers();
        int[] nexts = frame.nexts();
        int n = pool.alloc(buffers, 0, owners.length);
        MemorySegment seg = pool.segment();
        for (int i = 0; i < n; i++) {
            int bi = buffers[i];
            MemorySegment.copy(frames, (long) i * SeedFrames.LENGTH, seg, BufferPool.dataStart(bi), SeedFrames.LENGTH);
            pool.setData(bi, 0, SeedFrames.LENGTH);
            pool.setRxSwIfIndex(bi, rxSwIfIndex);
            pool.setOpaque(bi, HandoffNodes.OPAQUE_OWNER, owners[i]);
            nexts[i] = 0;
        }
        frame.setCount(n);
        made += n;
        return n;
    }
}
