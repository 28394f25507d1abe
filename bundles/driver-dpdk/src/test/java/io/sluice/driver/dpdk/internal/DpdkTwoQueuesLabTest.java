package io.sluice.driver.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.driver.dpdk.api.HardwareProfile;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphOptions;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.internal.InterfaceTableImpl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * A DPDK port with two receive queues on a two-worker graph: DPDK's net_af_packet PMD with {@code qpairs=2} opens a
 * packet socket per queue in one PACKET_FANOUT_HASH group, so the kernel spreads flows over the queues by their hash,
 * and rx placement puts queue q on worker q (after dpdk-input's worker in turn). Frames of many flows sent from the
 * namespace must all arrive, each flow on one worker only, both workers receiving, each queue polled by its own
 * worker at once (DpdkPort's receive state is per queue). Needs root and DPDK's libraries, as {@link DpdkLabTest};
 * its own JVM (this module runs each test class in one), since the EAL starts once per process.
 */
class DpdkTwoQueuesLabTest {

    private static final String NAMESPACE = "sltdq-lab";
    private static final String PORT_IF = "sltdq0";
    private static final String PEER_IF = "sltdq1";
    private static final String NAME = "GigabitEthernet0/9/0";
    private static final long PEER_MAC = 0x02_00_00_00_00_01L;
    private static final int FLOWS = 64;
    private static final int FRAMES_PER_FLOW = 8;
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** ip4-input here: records the worker each frame's flow (its UDP source port) arrived on, and frees it. */
    static final class FlowSink implements Node {
        private final NodeRegistration registration;
        final Map<Integer, Set<Integer>> workersOfFlow = new ConcurrentHashMap<>();
        final AtomicLong[] byWorker = {new AtomicLong(), new AtomicLong()};

        FlowSink(String name) {
            this.registration = NodeRegistration.internal(name, List.of(), List.of(), null);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            MemorySegment data = pool.segment();
            int n = frame.count();
            for (int i = 0; i < n; i++) {
                int bi = frame.buffers()[i];
                // current data is the IPv4 header (dpdk-input stepped over Ethernet): UDP source port at 20
                int sourcePort = data.get(U16_BE, pool.dataOffset(bi) + 20) & 0xffff;
                workersOfFlow.computeIfAbsent(sourcePort, flow -> ConcurrentHashMap.newKeySet())
                        .add(context.workerIndex());
            }
            byWorker[context.workerIndex()].addAndGet(n);
            pool.free(frame.buffers(), 0, n);
            frame.setCount(0);
            return n;
        }
    }

    @Test
    void flowsSpreadOverTwoQueuesArriveEachOnTheOneWorkerItsQueueIsPlacedOn() throws Exception {
        assumeTrue(Lab.isRoot(), "needs root: creates a network namespace and a veth pair");
        Rte rte;
        try {
            rte = Rte.bind();
        } catch (DpdkUnavailableException e) {
            assumeTrue(false, "DPDK is not usable here: " + e.getMessage());
            return;
        }
        Lab.vethIntoNamespace(NAMESPACE, PORT_IF, PEER_IF);
        GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(2).withIdle("yield")
                .withBuffersPerWorker(4096));
        DpdkPort port = null;
        try {
            HardwareProfile profile = HardwareProfileReader.parse("dpdk-two-queues-test", String.join("\n",
                    "dpdk.lcores = 1",
                    "dpdk.eal-args = --no-huge --no-shconf --no-pci --no-telemetry",
                    "port.gbe.driver = dpdk",
                    "port.gbe.name = " + NAME,
                    "port.gbe.vdev = net_af_packet0,iface=" + PORT_IF + ",qpairs=2,framecnt=4096",
                    "port.gbe.rx-queues = 2",
                    "port.gbe.tx-queues = 2"));
            Eal.start(rte, Eal.arguments(profile));
            MbufPool mbufs = MbufPool.open(rte, profile.dpdkMbufs());
            port = DpdkPort.open(rte, mbufs, profile.ports().get(0));

            InterfaceTableImpl interfaces = new InterfaceTableImpl(engine);
            int sw = interfaces.register(port);
            port.setSwIfIndex(sw);
            interfaces.setAdminUp(sw, true);
            FlowSink sink = new FlowSink("ip4-input");
            engine.addNode(sink);
            DpdkInputNode input = new DpdkInputNode(interfaces);
            engine.addNode(input);
            input.setPorts(List.of(port));
            List<InterfaceTable.RxQueue> queues = interfaces.rxQueues();
            assertEquals(2, queues.size(), "both queues polled: " + queues);
            assertEquals(List.of(0, 1), queues.stream().map(InterfaceTable.RxQueue::queue).toList());
            assertNotEquals(queues.get(0).worker(), queues.get(1).worker(), "each queue on its own worker: " + queues);
            engine.start();

            try (Lab.RawSender sender = new Lab.RawSender(NAMESPACE, PEER_IF)) {
                for (int round = 0; round < FRAMES_PER_FLOW; round++) {
                    for (int flow = 0; flow < FLOWS; flow++) {
                        byte[] frame = Lab.udpFrame(port.macAddress(), PEER_MAC, 60, flow);
                        int sourcePort = 10_000 + flow;
                        frame[34] = (byte) (sourcePort >>> 8);
                        frame[35] = (byte) sourcePort;
                        assertTrue(sender.send(frame), "the namespace's socket sent flow " + flow);
                    }
                }
            }
            long expected = (long) FLOWS * FRAMES_PER_FLOW;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (sink.byWorker[0].get() + sink.byWorker[1].get() < expected && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(expected, sink.byWorker[0].get() + sink.byWorker[1].get(), "every frame arrived");
            assertTrue(sink.byWorker[0].get() > 0 && sink.byWorker[1].get() > 0,
                    "the kernel's flow hash spread the flows over both queues and so both workers: "
                            + sink.byWorker[0] + " / " + sink.byWorker[1]);
            assertEquals(FLOWS, sink.workersOfFlow.size());
            sink.workersOfFlow.forEach((flow, workers) -> assertEquals(1, workers.size(),
                    "flow " + flow + " arrived on one worker, not " + workers));
            assertEquals(queues.get(1).worker(), engine.pollingWorker(DpdkInputNode.NAME, sw, 1));
        } finally {
            engine.stop();
            if (port != null) {
                port.stop();
            }
            Lab.removeNamespace(NAMESPACE, PORT_IF);
        }
    }
}
