package io.sluice.vnet.internal;

import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.testkit.HandoffNodes;
import io.sluice.graph.testkit.TestGraph;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.Device;
import io.sluice.vnet.api.InterfaceTable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two live workers sending to one device that has one transmit queue: the tx node holds the queue's lock, so the
 * device is never inside transmit on two threads at once, and every packet is sent. How often a worker waited
 * (tx-lock-contended) depends on the scheduler: it is printed, not asserted.
 */
class TxQueueSharingTest {

    private static final int PER_WORKER = 200_000;

    @Test
    void twoWorkersSendingOnOneQueueNeverOverlapInsideTheDevice() throws InterruptedException {
        try (TestGraph graph = TestGraph.withWorkers(2, 4096, 1024)) {
            InterfaceTableImpl table = new InterfaceTableImpl(graph.runtime());
            OneQueueDevice device = new OneQueueDevice();
            table.register(device);
            String tx = InterfaceTable.txNodeName(device.name());
            graph.addNode(new Source(HandoffNodes.inputName(0), tx));
            graph.addNode(new Source(HandoffNodes.inputName(1), tx));
            graph.start();
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (device.sent.get() < 2L * PER_WORKER && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(2L * PER_WORKER, device.sent.get(), "every packet sent (deadline 300 s)");
            assertEquals(0, device.overlaps.get(), "transmit never ran on two workers at once");
            long contended = graph.runtime().errors().stream()
                    .filter(e -> e.node().equals(tx) && e.error().equals("tx-lock-contended"))
                    .mapToLong(e -> e.count()).sum();
            System.out.println("[tx-lock] 2 workers, one queue: " + contended + " frames waited for the lock");
        }
    }

    /** Sends {@link #PER_WORKER} 64-byte buffers to one tx node, 32 a poll. */
    private static final class Source implements Node {
        private final NodeRegistration registration;
        private int made;

        Source(String name, String next) {
            this.registration = NodeRegistration.input(name, List.of(next), List.of(), null);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int want = Math.min(32, PER_WORKER - made);
            for (int i = 0; i < want; i++) {
                int bi = pool.alloc();
                if (bi < 0) {
                    break;
                }
                pool.setLength(bi, 64);
                frame.add(bi, 0);
                made++;
            }
            return frame.count();
        }
    }

    /** One queue; notes when a second thread comes in while one is inside. */
    private static final class OneQueueDevice implements Device {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicLong overlaps = new AtomicLong();
        final AtomicLong sent = new AtomicLong();

        @Override
        public String name() {
            return "if0";
        }

        @Override
        public long macAddress() {
            return 0x020000000001L;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public boolean linkUp() {
            return true;
        }

        @Override
        public int transmit(BufferPool pool, int[] buffers, int count) {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            long sum = 0;
            for (int i = 0; i < count; i++) {
                sum += pool.length(buffers[i]);
            }
            pool.free(buffers, 0, count);
            inside.decrementAndGet();
            sent.addAndGet(sum / 64);
            return count;
        }
    }
}
