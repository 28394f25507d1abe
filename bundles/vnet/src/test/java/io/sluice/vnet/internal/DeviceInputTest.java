package io.sluice.vnet.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.ArmedCapture;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.api.InterruptibleInput;
import io.sluice.graph.api.NextArc;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeError;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.api.PacketCapture.CaptureRequest;
import io.sluice.graph.api.PacketCapture.CaptureStatus;
import io.sluice.graph.runtime.GraphEngine;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.graph.runtime.GraphHarness.Captured;
import io.sluice.graph.runtime.GraphOptions;
import io.sluice.graph.runtime.PcapngReader;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.AbstractPort;
import io.sluice.vnet.api.DeviceInput;
import io.sluice.vnet.api.DeviceInputNode;
import io.sluice.vnet.api.DeviceNext;
import io.sluice.vnet.api.InterfaceSnapshot;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.api.InterfaceTable.InterfaceStats;
import io.sluice.vnet.api.PortAttachment;
import io.sluice.vnet.api.PortConfig;
import io.sluice.vnet.api.PortRxMode;
import io.sluice.vnet.testkit.CapturingDevice;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared device-input loop and port lifecycle, driven by a stand-in driver whose frames are queued bytes. */
class DeviceInputTest {

    private static final System.Logger LOG = System.getLogger(DeviceInputTest.class.getName());

    @TempDir
    Path captureDirectory;

    private GraphHarness harness;
    private InterfaceTableImpl table;
    private QueueInputNode input;
    private List<Captured> ethernetInput;

    @BeforeEach
    void setUp() {
        harness = new GraphHarness(captureDirectory);
        table = new InterfaceTableImpl(harness.engine());
        input = new QueueInputNode(table);
        harness.add(input);
        ethernetInput = harness.capture(DeviceNext.ETHERNET_INPUT_NODE);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void goodFramesGoToEthernetInputAndRuntsAndOversizeAreDroppedAndCounted() {
        QueuePort port = attach("if0", true);
        port.frames.add(new byte[60]);
        port.frames.add(new byte[10]);
        port.frames.add(new byte[1500 + DeviceInput.L2_OVERHEAD + 1]);
        port.frames.add(new byte[1500 + DeviceInput.L2_OVERHEAD]);
        harness.run();

        assertEquals(2, ethernetInput.size());
        assertEquals(port.swIfIndex(), ethernetInput.get(0).rxSwIfIndex());
        assertEquals(1, harness.error(QueueInputNode.NAME, "runt"));
        assertEquals(1, harness.error(QueueInputNode.NAME, "oversize"));
        InterfaceStats stats = table.stats().get(port.swIfIndex());
        assertEquals(2, stats.rxPackets());
        assertEquals(60 + 1500 + DeviceInput.L2_OVERHEAD, stats.rxBytes());
        assertEquals(2, stats.rxErrors());
        assertEquals(0, harness.outstanding(), "the dropped frames were freed");
    }

    @Test
    void theDroppedFramesCarryTheCounterThatCountedThem() {
        List<Captured> dropped = harness.capture(GraphRuntime.ERROR_DROP);
        QueuePort up = attach("if0", true);
        up.frames.add(new byte[10]);
        up.frames.add(new byte[1500 + DeviceInput.L2_OVERHEAD + 1]);
        harness.run();
        QueuePort down = attach("if1", false);
        down.frames.add(new byte[60]);
        harness.run();

        assertEquals(List.of(QueueInputNode.NAME + ": runt", QueueInputNode.NAME + ": oversize",
                QueueInputNode.NAME + ": interface-down"), dropped.stream().map(harness::errorName).toList());
    }

    @Test
    void framesOfAnInterfaceThatIsDownAreDroppedAsDrops() {
        QueuePort port = attach("if0", false);
        port.frames.add(new byte[60]);
        port.frames.add(new byte[60]);
        harness.run();

        assertTrue(ethernetInput.isEmpty());
        assertEquals(2, harness.error(QueueInputNode.NAME, "interface-down"));
        InterfaceStats stats = table.stats().get(port.swIfIndex());
        assertEquals(0, stats.rxPackets());
        assertEquals(2, stats.drops());
    }

    @Test
    void theFirstPortPolledRotatesSoNoPortStarvesAnother() {
        QueuePort a = attach("if0", true);
        QueuePort b = attach("if1", true);
        for (int i = 0; i < Frame.CAPACITY; i++) {
            a.frames.add(new byte[60]);
            b.frames.add(new byte[60]);
        }
        harness.engine().runOnce(0);
        harness.engine().runOnce(0);
        // each call fills a whole frame from the port it starts with: one call each
        assertEquals(0, a.frames.size());
        assertEquals(0, b.frames.size());
        harness.run();
        assertEquals(2 * Frame.CAPACITY, ethernetInput.size());
    }

    @Test
    void aPortRegisteredAgainKeepsItsAdminStateAndOnlyReasons3And4RemoveIt() {
        PortAttachment<QueuePort> first = PortAttachment.open(Map.of(), properties -> new Config("test", true),
                "; port not created", config -> new QueuePort("if0"), harness.engine(), table, input.deviceInput(),
                LOG);
        int sw = first.port().swIfIndex();
        table.setAdminUp(sw, false);
        first.detach(6); // the bundle stopped: kept
        assertFalse(first.port().removed);
        assertTrue(input.deviceInput().ports().isEmpty());

        PortAttachment<QueuePort> second = PortAttachment.open(Map.of(), properties -> new Config("test", true),
                "; port not created", config -> new QueuePort("if0"), harness.engine(), table, input.deviceInput(),
                LOG);
        assertEquals(sw, second.port().swIfIndex(), "same name, same sw_if_index");
        assertFalse(table.snapshot().adminUp(sw), "the admin state set on it stays");
        second.detach(PortAttachment.CONFIGURATION_DELETED);
        assertTrue(second.port().removed);
    }

    @Test
    void aRefusedConfigurationOpensNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortAttachment.open(Map.of(),
                properties -> {
                    throw new IllegalArgumentException("test: key 'name': missing (required)");
                }, "; port not created", config -> new QueuePort("if0"), harness.engine(), table,
                input.deviceInput(), LOG));
        assertEquals("test: key 'name': missing (required)", e.getMessage());
        assertEquals(-1, table.find("if0"));
    }

    @Test
    void anRxCaptureCopiesEveryFrameReceivedOnItsInterfaceAfterStamping() throws Exception {
        QueuePort captured = attach("if0", true);
        QueuePort other = attach("if1", true);
        byte[] first = frame(60, 1);
        byte[] runt = frame(10, 2);
        captured.frames.add(first);
        captured.frames.add(runt);
        other.frames.add(frame(60, 3));
        harness.engine().startCapture(new CaptureRequest(ArmedCapture.RX, captured.swIfIndex(), 10, "rx.pcap",
                CaptureRequest.DEFAULT_SNAPLEN));
        harness.run();
        CaptureStatus status = harness.engine().stopCapture();

        assertEquals(2, status.written(), "both frames of if0, the runt too: rx sees what arrived");
        PcapngReader pcap = PcapngReader.read(captureDirectory.resolve("rx.pcap"));
        assertEquals(1, pcap.interfaces().get(0).linkType());
        assertEquals(EpbDirection.INBOUND, pcap.packets().get(0).flags() & 3, "received: inbound");
        assertEquals(2, pcap.packets().size());
        assertArrayEquals(first, pcap.packets().get(0).bytes());
        assertArrayEquals(runt, pcap.packets().get(1).bytes());
        assertEquals(2, ethernetInput.size(), "captured frames go on as before");
    }

    @Test
    void aTxCaptureCopiesTheFrameBeforeTheDeviceTakesIt() throws Exception {
        CapturingDevice device = new CapturingDevice("if9", 0x02fe_0000_0009L);
        table.register(device);
        harness.engine().startCapture(new CaptureRequest(ArmedCapture.TX, ArmedCapture.ANY_INTERFACE, 10, "tx.pcap",
                CaptureRequest.DEFAULT_SNAPLEN));
        byte[] a = frame(64, 4);
        byte[] b = frame(1514, 5);
        harness.inject(InterfaceTable.txNodeName("if9"), a, 0, false);
        harness.inject(InterfaceTable.txNodeName("if9"), b, 0, false);
        harness.run();
        CaptureStatus status = harness.engine().stopCapture();

        assertEquals(2, status.written());
        PcapngReader pcap = PcapngReader.read(captureDirectory.resolve("tx.pcap"));
        assertEquals(EpbDirection.OUTBOUND, pcap.packets().get(0).flags() & 3, "transmitted: outbound");
        assertArrayEquals(a, pcap.packets().get(0).bytes());
        assertArrayEquals(b, pcap.packets().get(1).bytes());
        assertEquals(1514, pcap.packets().get(1).originalLength());
        assertEquals(2, device.sent.size(), "the device still sends them");
    }

    @Test
    void aPortInRxModePollingReportsNoDescriptorSoItsWorkerKeepsPollingAndTheOthersModesOfferIt() {
        QueuePort a = attach("if0", true);
        QueuePort b = attach("if1", true);
        a.fd = 7;
        b.fd = 8;
        int[] fds = new int[4];
        assertEquals(2, input.rxFds(0, fds, 1));
        assertArrayEquals(new int[] {0, 7, 8, 0}, fds);

        table.setRxMode(b.swIfIndex(), PortRxMode.POLLING);
        assertEquals(InterruptibleInput.POLLING_ONLY, input.rxFds(0, new int[4], 0), "if1 must be polled");
        table.setRxMode(b.swIfIndex(), PortRxMode.INTERRUPT);
        assertEquals(2, input.rxFds(0, new int[4], 0));
        table.setRxMode(b.swIfIndex(), PortRxMode.ADAPTIVE);
        assertEquals(2, input.rxFds(0, new int[4], 0));
        table.setRxMode(b.swIfIndex(), null);
        assertEquals(2, input.rxFds(0, new int[4], 0), "the worker's rx-mode again");
        assertNull(table.rxMode(b.swIfIndex()));
    }

    @Test
    void theRxModeKeyOfAPortConfigurationIsAppliedAndAnUnknownModeRefusedWithItsKey() {
        QueuePort port = PortAttachment.open(Map.of("rx-mode", "polling"), properties -> new Config("test", true),
                "; port not created", config -> new QueuePort("if0"), harness.engine(), table, input.deviceInput(),
                LOG).port();
        assertEquals(PortRxMode.POLLING, table.rxMode(port.swIfIndex()));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortAttachment.open(
                Map.of("rx-mode", "sometimes"), properties -> new Config("test", true), "; port not created",
                config -> new QueuePort("if1"), harness.engine(), table, input.deviceInput(), LOG));
        assertEquals("test: key 'rx-mode': 'sometimes' is not one of polling, interrupt, adaptive", e.getMessage());
        assertEquals(-1, table.find("if1"), "nothing opened");
    }

    @Test
    void theRxQueuesNameTheNodeThatPollsEachAttachedPortAndItsWorker() {
        QueuePort a = attach("if0", true);
        QueuePort b = attach("if1", true);
        assertEquals(List.of(new InterfaceTable.RxQueue(QueueInputNode.NAME, a.swIfIndex(), 0, 0),
                new InterfaceTable.RxQueue(QueueInputNode.NAME, b.swIfIndex(), 0, 0)), table.rxQueues());
        assertEquals(0, harness.engine().inputWorker(QueueInputNode.NAME));
        assertEquals(-1, harness.engine().inputWorker("no-such-input"));

        input.deviceInput().detach(a);
        assertEquals(List.of(new InterfaceTable.RxQueue(QueueInputNode.NAME, b.swIfIndex(), 0, 0)), table.rxQueues());
        input.deviceInput().detach(b);
        assertTrue(table.rxQueues().isEmpty());
    }

    @Test
    void theRxPlacementKeyPutsAPortOnItsWorkerWhichAloneReceivesFromItAndWaitsOnIt() throws Exception {
        GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(2).withIdle("yield")
                .withBuffersPerWorker(1024).withPlacement(Map.of(QueueInputNode.NAME, 0)));
        try {
            InterfaceTableImpl twoWorkers = new InterfaceTableImpl(engine);
            QueueInputNode node = new QueueInputNode(twoWorkers);
            engine.addNode(node);
            QueuePort placed = PortAttachment.open(Map.of("rx-placement", "1"), properties -> new Config("test", true),
                    "; port not created", config -> new QueuePort("if0"), engine, twoWorkers, node.deviceInput(),
                    LOG).port();
            QueuePort unplaced = PortAttachment.open(Map.of(), properties -> new Config("test", true),
                    "; port not created", config -> new QueuePort("if1"), engine, twoWorkers, node.deviceInput(),
                    LOG).port();
            placed.fd = 7;
            unplaced.fd = 8;

            assertEquals(List.of(new InterfaceTable.RxQueue(QueueInputNode.NAME, placed.swIfIndex(), 0, 1),
                    new InterfaceTable.RxQueue(QueueInputNode.NAME, unplaced.swIfIndex(), 0, 0)),
                    twoWorkers.rxQueues(), "if0 where its file puts it, if1 on the node's worker");
            assertEquals(1, node.queueWorker(placed.swIfIndex(), 0));
            assertEquals(0, node.queueWorker(unplaced.swIfIndex(), 0));
            assertEquals(-1, node.queueWorker(placed.swIfIndex(), 1), "no such queue");
            int[] fds = new int[2];
            assertEquals(1, node.rxFds(1, fds, 0));
            assertEquals(7, fds[0], "worker 1 waits on if0 only");
            assertEquals(1, node.rxFds(0, fds, 0));
            assertEquals(8, fds[0], "worker 0 waits on if1 only");

            engine.start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((placed.polls.get() < 100 || unplaced.polls.get() < 100) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(placed.polls.get() >= 100 && unplaced.polls.get() >= 100, "both ports polled");
            assertEquals(1 << 1, placed.pollers.get(), "if0 polled by worker 1 alone");
            assertEquals(1 << 0, unplaced.pollers.get(), "if1 polled by worker 0 alone");
            assertEquals(1, engine.pollingWorker(QueueInputNode.NAME, placed.swIfIndex(), 0));
            assertEquals(0, engine.pollingWorker(QueueInputNode.NAME, unplaced.swIfIndex(), 0));
        } finally {
            engine.stop();
        }
    }

    @Test
    void aQueueMovedAtRunTimeIsPolledByItsNewWorkerAloneAndABadQueueOrWorkerIsRefusedByName() throws Exception {
        GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(2).withIdle("yield")
                .withBuffersPerWorker(1024).withPlacement(Map.of(QueueInputNode.NAME, 0)));
        try {
            InterfaceTableImpl twoWorkers = new InterfaceTableImpl(engine);
            QueueInputNode node = new QueueInputNode(twoWorkers);
            engine.addNode(node);
            QueuePort port = PortAttachment.open(Map.of(), properties -> new Config("test", true),
                    "; port not created", config -> new QueuePort("if0"), engine, twoWorkers, node.deviceInput(),
                    LOG).port();
            engine.start();
            awaitPolls(port, 100);
            assertEquals(1 << 0, port.pollers.get(), "on the node's worker first");

            twoWorkers.placeRxQueue(port.swIfIndex(), 0, 1);
            port.pollers.set(0);
            port.polls.set(0);
            awaitPolls(port, 100);
            assertEquals(1 << 1, port.pollers.get(), "after the move worker 1 alone polls it");
            assertEquals(List.of(new InterfaceTable.RxQueue(QueueInputNode.NAME, port.swIfIndex(), 0, 1)),
                    twoWorkers.rxQueues());
            assertArrayEquals(new int[] {1}, twoWorkers.rxPlacement(port.swIfIndex()), "kept with the interface");

            IllegalArgumentException queue = assertThrows(IllegalArgumentException.class,
                    () -> twoWorkers.placeRxQueue(port.swIfIndex(), 3, 0));
            assertEquals("if0 has no receive queue 3 (its queues are 0..0)", queue.getMessage());
            IllegalArgumentException worker = assertThrows(IllegalArgumentException.class,
                    () -> twoWorkers.placeRxQueue(port.swIfIndex(), 0, 2));
            assertEquals("no worker 2: the workers are 0..1", worker.getMessage());
            assertEquals(1, node.queueWorker(port.swIfIndex(), 0), "a refusal moves nothing");
        } finally {
            engine.stop();
        }
    }

    /**
     * Listing the node's ports again (another port attached) outside the barrier leaves a port it polls already on its
     * worker, even when its placement has changed meanwhile: only a placement under the barrier moves it, so no queue
     * is ever polled by its old worker and its new one at once.
     */
    @Test
    void aPortAlreadyPolledStaysOnItsWorkerWhenAnotherIsAttachedAndMovesOnlyUnderTheBarrier() throws Exception {
        GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(2).withIdle("yield")
                .withBuffersPerWorker(1024).withPlacement(Map.of(QueueInputNode.NAME, 0)));
        try {
            InterfaceTableImpl twoWorkers = new InterfaceTableImpl(engine);
            QueueInputNode node = new QueueInputNode(twoWorkers);
            engine.addNode(node);
            QueuePort first = PortAttachment.open(Map.of(), properties -> new Config("test", true),
                    "; port not created", config -> new QueuePort("if0"), engine, twoWorkers, node.deviceInput(),
                    LOG).port();
            engine.start();
            awaitPolls(first, 100);
            assertEquals(1 << 0, first.pollers.get(), "on the node's worker");

            twoWorkers.setRxPlacement(first.swIfIndex(), new int[] {1});
            QueuePort second = PortAttachment.open(Map.of(), properties -> new Config("test", true),
                    "; port not created", config -> new QueuePort("if1"), engine, twoWorkers, node.deviceInput(),
                    LOG).port();
            first.pollers.set(0);
            first.polls.set(0);
            awaitPolls(first, 100);
            awaitPolls(second, 100);
            assertEquals(1 << 0, first.pollers.get(), "if0 stays on worker 0 when if1 is attached");
            assertEquals(0, node.queueWorker(first.swIfIndex(), 0));

            engine.placeQueues(QueueInputNode.NAME);
            first.pollers.set(0);
            first.polls.set(0);
            awaitPolls(first, 100);
            assertEquals(1 << 1, first.pollers.get(), "placed again under the barrier: worker 1 alone");
            assertEquals(List.of(new InterfaceTable.RxQueue(QueueInputNode.NAME, first.swIfIndex(), 0, 1),
                    new InterfaceTable.RxQueue(QueueInputNode.NAME, second.swIfIndex(), 0, 0)), twoWorkers.rxQueues());
        } finally {
            engine.stop();
        }
    }

    private static void awaitPolls(QueuePort port, int polls) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (port.polls.get() < polls && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(port.polls.get() >= polls, "polled " + port.polls.get() + " times");
    }

    /**
     * A driver may list its ports before its node joins the graph (dpdk-input's EAL thread does): they are placed again
     * when it joins, where the node's placement says, not left where the default put them before it had a slot.
     */
    @Test
    void portsListedBeforeTheNodeJoinsTheGraphArePlacedAgainWhenItJoins() {
        GraphEngine engine = new GraphEngine(GraphOptions.DEFAULTS.withWorkers(2)
                .withPlacement(Map.of("placed-early-input", 1)));
        try {
            InterfaceTableImpl twoWorkers = new InterfaceTableImpl(engine);
            QueueInputNode placed = new QueueInputNode(twoWorkers, "placed-early-input");
            QueuePort a = new QueuePort("if0");
            a.setSwIfIndex(twoWorkers.register(a));
            placed.deviceInput().attach(a);
            assertEquals(1, placed.queueWorker(a.swIfIndex(), 0), "the graph's placement, known before the node is");

            QueueInputNode late = new QueueInputNode(twoWorkers, "late-input");
            QueuePort b = new QueuePort("if1");
            b.setSwIfIndex(twoWorkers.register(b));
            late.deviceInput().attach(b);
            assertEquals(0, late.queueWorker(b.swIfIndex(), 0), "no slot yet: worker 0 by default");
            // the slot-mod default: an odd slot (worker 1) for the node, probed with nodes added just before it (the
            // first probe also gives the arcs' next nodes their slots; each later one takes exactly the next slot)
            engine.addNode(new QueueInputNode(twoWorkers, "probe-arcs"));
            int probe = 0;
            while (true) {
                String name = "probe-" + probe++;
                engine.addNode(new QueueInputNode(twoWorkers, name));
                if (engine.inputWorker(name) == 0) {
                    break;
                }
            }
            engine.addNode(late);
            assertEquals(1, engine.inputWorker("late-input"));
            assertEquals(1, late.queueWorker(b.swIfIndex(), 0), "placed again when it joined, on its slot's worker");
        } finally {
            engine.stop();
        }
    }

    /**
     * Who places a queue, first to last: the port's file ({@code rx-placement}), the graph's {@code placement} of its
     * input node, the driver (a steered queue's worker, a pod's owner: {@link PortConfig#rxPlacement}), the default.
     */
    @Test
    void aDriversPlacementGivesWayToTheGraphsPlacementOfTheNodeAndThePortsFile() {
        for (boolean nodePlaced : new boolean[] {false, true}) {
            GraphOptions options = GraphOptions.DEFAULTS.withWorkers(2);
            GraphEngine engine = new GraphEngine(nodePlaced ? options.withPlacement(Map.of(QueueInputNode.NAME, 0))
                    : options);
            try {
                InterfaceTableImpl twoWorkers = new InterfaceTableImpl(engine);
                QueueInputNode node = new QueueInputNode(twoWorkers);
                engine.addNode(node);
                int base = engine.inputWorker(QueueInputNode.NAME);
                QueuePort suggested = PortAttachment.open(Map.of(), properties -> new SuggestingConfig(1 - base),
                        "; port not created", config -> new QueuePort("if0"), engine, twoWorkers, node.deviceInput(),
                        LOG).port();
                QueuePort filed = PortAttachment.open(Map.of("rx-placement", String.valueOf(base)),
                        properties -> new SuggestingConfig(1 - base), "; port not created",
                        config -> new QueuePort("if1"), engine, twoWorkers, node.deviceInput(), LOG).port();
                assertEquals(nodePlaced ? base : 1 - base, node.queueWorker(suggested.swIfIndex(), 0),
                        nodePlaced ? "the graph's placement of the node wins" : "the driver's placement applies");
                assertEquals(base, node.queueWorker(filed.swIfIndex(), 0), "the port's own file wins over both");
            } finally {
                engine.stop();
            }
        }
    }

    /** A driver's configuration that places its port's queues on {@code worker}. */
    private record SuggestingConfig(int worker) implements PortConfig {
        @Override
        public String pid() {
            return "test";
        }

        @Override
        public boolean adminUp() {
            return true;
        }

        @Override
        public int[] rxPlacement(int workers) {
            return new int[] {worker};
        }
    }

    @Test
    void anRxPlacementOnAWorkerThatDoesNotExistIsRefusedWithItsKeyAndNothingOpens() {
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class, () -> PortAttachment.open(
                Map.of("rx-placement", "1"), properties -> new Config("test", true), "; port not created",
                config -> new QueuePort("if1"), harness.engine(), table, input.deviceInput(), LOG));
        assertEquals("test: key 'rx-placement': worker 1, but the workers are 0..0", beyond.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class, () -> PortAttachment.open(
                Map.of("rx-placement", "0, first"), properties -> new Config("test", true), "; port not created",
                config -> new QueuePort("if1"), harness.engine(), table, input.deviceInput(), LOG));
        assertEquals("test: key 'rx-placement': 'first' is not a worker number", word.getMessage());
        assertEquals(-1, table.find("if1"), "nothing opened");
        QueuePort port = attach("if2", true);
        assertThrows(IllegalArgumentException.class, () -> table.setRxPlacement(port.swIfIndex(), new int[] {3}),
                "the table refuses it too");
    }

    private static byte[] frame(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 17 + i);
        }
        return bytes;
    }

    private QueuePort attach(String name, boolean adminUp) {
        return PortAttachment.open(Map.of(), properties -> new Config("test", adminUp), "; port not created",
                config -> new QueuePort(name), harness.engine(), table, input.deviceInput(), LOG).port();
    }

    private record Config(String pid, boolean adminUp) implements PortConfig {
    }

    /** A port whose received frames are the byte arrays queued in {@link #frames}. */
    private static final class QueuePort extends AbstractPort {
        final ArrayDeque<byte[]> frames = new ArrayDeque<>();
        boolean removed;
        int fd = -1;
        /** Each worker that received from it, as a bit, and how often it was polled. */
        final AtomicInteger pollers = new AtomicInteger();
        final AtomicInteger polls = new AtomicInteger();

        QueuePort(String name) {
            super(name, 0x02fe_0000_0001L, 1500);
        }

        @Override
        public boolean linkUp() {
            return true;
        }

        @Override
        public int transmit(BufferPool pool, int[] buffers, int count) {
            pool.free(buffers, 0, count);
            return count;
        }

        @Override
        public int rxFd() {
            return fd;
        }

        @Override
        public void close(boolean remove) {
            removed = remove;
        }
    }

    private static final class QueueInputNode extends DeviceInputNode<QueuePort> {
        static final String NAME = "queue-input";

        enum Error implements NodeError {
            RUNT("runt"),
            OVERSIZE("oversize"),
            INTERFACE_DOWN("down");

            private final String description;

            Error(String description) {
                this.description = description;
            }

            @Override
            public String description() {
                return description;
            }
        }

        QueueInputNode(InterfaceTableImpl interfaces) {
            this(interfaces, NAME);
        }

        QueueInputNode(InterfaceTableImpl interfaces, String name) {
            super(interfaces, NodeRegistration.input(name, NextArc.names(DeviceNext.class), List.of(Error.values()),
                    null));
        }

        @Override
        public int receive(QueuePort port, NodeContext context, Frame frame, int from, int max,
                           InterfaceSnapshot interfaces, DeviceInput.Rx rx) {
            BufferPool pool = context.pool();
            port.pollers.getAndUpdate(bits -> bits | 1 << context.workerIndex());
            port.polls.incrementAndGet();
            int n = 0;
            while (n < max && !port.frames.isEmpty()) {
                byte[] bytes = port.frames.poll();
                int bi = pool.alloc();
                pool.write(bi, bytes, bytes.length);
                frame.buffers()[from + n++] = bi;
            }
            DeviceInput.acceptEthernet(pool, interfaces, port.swIfIndex(), frame.buffers(), frame.nexts(), from,
                    from + n, DeviceNext.ETHERNET_INPUT.ordinal(), DeviceNext.DROP.ordinal(), Error.RUNT.ordinal(),
                    Error.OVERSIZE.ordinal(), Error.INTERFACE_DOWN.ordinal(), rx);
            return n;
        }

        @Override
        public void traceRecord(MemorySegment trace, long record, BufferPool pool, int bi) {
        }
    }

    /** epb_flags direction bits (draft-ietf-opsawg-pcapng, section 4.3.1). */
    private static final class EpbDirection {
        static final int INBOUND = 1;
        static final int OUTBOUND = 2;
    }
}
