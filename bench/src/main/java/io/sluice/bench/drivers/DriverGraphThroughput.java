package io.sluice.bench.drivers;

import io.sluice.driver.afpacket.testkit.HostPorts;
import io.sluice.driver.afpacket.testkit.AfPacketPeer;
import io.sluice.driver.tap.testkit.TapPorts;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.testkit.TestGraph;
import io.sluice.packet.api.BufferPool;
import io.sluice.vnet.api.InterfaceTable;
import io.sluice.vnet.testkit.VnetTestkit;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Frames per second through the graph for each driver, by hand (root; namespaces prefixed slnod, removed at
 * the end). One graph worker runs on the calling thread.
 *
 * <ul>
 *   <li>rx: a peer (AF_PACKET ring on the far end: the pod's eth0, or the veth peer) transmits batches of 256
 *   as fast as it can on its own thread; the graph runs {@code virtio-input} or {@code af-packet-input} into
 *   a sink named ethernet-input that frees. Counted: frames that reached the sink.</li>
 *   <li>tx: a source input node fills 256-buffer frames from a template into {@code tap2-output} or
 *   {@code GigabitEthernet0/8/0-output}, through the -tx node to the device. Counted: the interface's tx
 *   packets (sent, not refused).</li>
 * </ul>
 * "64 B" is a 60-byte frame (64 with the FCS); "1500 B" a 1514-byte one.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o -pl bench -am install -DskipTests
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o -pl bench dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/bench-cp.txt
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp bench/target/classes:$(cat /tmp/bench-cp.txt) io.sluice.bench.drivers.DriverGraphThroughput [seconds]
 * </pre>
 */
public final class DriverGraphThroughput {

    private static final String POD = "slnodbpod";
    private static final String BOX = "slnodbbox";
    private static final String PEER = "slnodbpeer";
    private static final String GBE = "slnodbgbe";
    private static final String PEER_IF = "slnodbpeer0";
    private static final long TAP_MAC = 0x02fe163f5f0fL;
    private static final long GBE_MAC = 0x080027449fd8L;
    private static final int BATCH = 256;

    private DriverGraphThroughput() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        try {
            run("ip", "netns", "add", POD);
            run("ip", "netns", "add", BOX);
            run("ip", "netns", "add", PEER);
            for (String ns : List.of(POD, BOX, PEER)) {
                run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                        "net.ipv6.conf.default.disable_ipv6=1");
            }
            run("ip", "link", "add", GBE, "netns", BOX, "type", "veth", "peer", "name", PEER_IF, "netns", PEER);
            run("ip", "-n", PEER, "link", "set", PEER_IF, "up");
            for (int length : new int[] {60, 1514}) {
                measureTap(length, seconds);
                measureAfPacket(length, seconds);
            }
        } finally {
            runQuietly("ip", "netns", "del", POD);
            runQuietly("ip", "netns", "del", BOX);
            runQuietly("ip", "netns", "del", PEER);
        }
    }

    private static void measureTap(int length, double seconds) throws Exception {
        TestGraph engine = TestGraph.withBuffersPerWorker(16384);
        InterfaceTable table = VnetTestkit.interfaceTable(engine.runtime());
        Node input = TapPorts.inputNode(table);
        CountingSink sink = new CountingSink("ethernet-input");
        engine.addNode(input);
        engine.addNode(sink);
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", "io.sluice.driver.tap~bench");
        properties.put("name", "tap2");
        properties.put("tap.name", "slnodbtap2");
        properties.put("mac", "02:fe:16:3f:5f:0f");
        properties.put("pod.namespace", POD);
        properties.put("pod.ifname", "eth0");
        AutoCloseable port = TapPorts.open(engine.runtime(), table, input, properties);
        try {
            AfPacketPeer pod = AfPacketPeer.open(POD, "eth0");
            try {
                long rx = rx(engine, sink, pod, length, seconds, TAP_MAC);
                report("TAP", "rx virtio-input -> ethernet-input", length, rx, seconds);
            } finally {
                pod.close();
            }
            long tx = tx(engine, table, "tap2", length, seconds, TAP_MAC);
            report("TAP", "tx tap2-output -> tap2-tx", length, tx, seconds);
        } finally {
            port.close();
            engine.close();
        }
    }

    private static void measureAfPacket(int length, double seconds) throws Exception {
        TestGraph engine = TestGraph.withBuffersPerWorker(16384);
        InterfaceTable table = VnetTestkit.interfaceTable(engine.runtime());
        Node input = HostPorts.inputNode(table);
        CountingSink sink = new CountingSink("ethernet-input");
        engine.addNode(input);
        engine.addNode(sink);
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", "io.sluice.driver.afpacket~bench");
        properties.put("host.ifname", GBE);
        properties.put("name", "GigabitEthernet0/8/0");
        properties.put("namespace", BOX);
        properties.put("mac", "08:00:27:44:9f:d8");
        AutoCloseable port = HostPorts.open(engine.runtime(), table, input, properties);
        try {
            AfPacketPeer peer = AfPacketPeer.open(PEER, PEER_IF);
            try {
                long rx = rx(engine, sink, peer, length, seconds, GBE_MAC);
                report("AF_PACKET", "rx af-packet-input -> ethernet-input", length, rx, seconds);
            } finally {
                peer.close();
            }
            long tx = tx(engine, table, "GigabitEthernet0/8/0", length, seconds, GBE_MAC);
            report("AF_PACKET", "tx GigabitEthernet0/8/0-output -> -tx", length, tx, seconds);
        } finally {
            port.close();
            engine.close();
        }
    }

    /** The far end sends as fast as it can on its own thread; the graph runs on this one. */
    private static long rx(TestGraph engine, CountingSink sink, AfPacketPeer far, int length, double seconds,
                           long dstMac) throws InterruptedException {
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread sender = new Thread(() -> {
            try (BufferPool pool = new BufferPool(BATCH)) {
                int[] buffers = new int[BATCH];
                pool.alloc(buffers, 0, BATCH);
                for (int bi : buffers) {
                    fill(pool, bi, length, dstMac);
                }
                while (sending.get()) {
                    far.transmit(pool, buffers, 0, BATCH);
                }
                pool.free(buffers, 0, BATCH);
            }
        }, "bench-sender");
        sender.start();
        runFor(engine, 0.5);
        long before = sink.count;
        runFor(engine, seconds);
        long received = sink.count - before;
        sending.set(false);
        sender.join();
        runFor(engine, 0.2);
        return received;
    }

    private static long tx(TestGraph engine, InterfaceTable table, String name, int length, double seconds,
                           long dstMac) {
        int sw = table.find(name);
        Source source = new Source(InterfaceTable.outputNodeName(name), length, dstMac, sw);
        engine.addNode(source);
        runFor(engine, 0.5);
        long before = table.stats().get(sw).txPackets() - table.stats().get(sw).txErrors();
        runFor(engine, seconds);
        long after = table.stats().get(sw).txPackets() - table.stats().get(sw).txErrors();
        engine.runtime().removeNode(source);
        return after - before;
    }

    private static void runFor(TestGraph engine, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            engine.runOnce(0);
        }
    }

    /** An Ethernet II frame to {@code dstMac} carrying IPv4/UDP, zero-padded to {@code length}. */
    private static void fill(BufferPool pool, int bi, int length, long dstMac) {
        MemorySegment data = pool.segment();
        long at = BufferPool.dataStart(bi);
        data.asSlice(at, length).fill((byte) 0);
        for (int i = 0; i < 6; i++) {
            data.set(ValueLayout.JAVA_BYTE, at + i, (byte) (dstMac >>> (40 - 8 * i)));
            data.set(ValueLayout.JAVA_BYTE, at + 6 + i, (byte) (i == 0 ? 0x02 : i));
        }
        data.set(ValueLayout.JAVA_BYTE, at + 12, (byte) 0x08);
        data.set(ValueLayout.JAVA_BYTE, at + 14, (byte) 0x45);
        data.set(ValueLayout.JAVA_BYTE, at + 16, (byte) ((length - 14) >>> 8));
        data.set(ValueLayout.JAVA_BYTE, at + 17, (byte) (length - 14));
        data.set(ValueLayout.JAVA_BYTE, at + 22, (byte) 64);
        data.set(ValueLayout.JAVA_BYTE, at + 23, (byte) 17);
        pool.setData(bi, 0, length);
    }

    private static void report(String driver, String path, int length, long frames, double seconds) {
        System.out.printf(Locale.ROOT, "%-9s %-42s %4d B: %,10.0f frames/s%n", driver, path, length == 60 ? 64 : 1500,
                frames / seconds);
    }

    /** Frees what it receives and counts it. */
    private static final class CountingSink implements Node {
        private final NodeRegistration registration;
        long count;

        CountingSink(String name) {
            this.registration = NodeRegistration.internal(name, List.of(), List.of(), null);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            int n = frame.count();
            context.pool().free(frame.buffers(), 0, n);
            frame.setCount(0);
            count += n;
            return n;
        }
    }

    /** An input node making full frames of a template, all to one arc. */
    private static final class Source implements Node {
        private final NodeRegistration registration;
        private final int length;
        private final long dstMac;
        private final int swIfIndex;

        Source(String target, int length, long dstMac, int swIfIndex) {
            this.registration = NodeRegistration.input("bench-source", List.of(target), List.of(), null);
            this.length = length;
            this.dstMac = dstMac;
            this.swIfIndex = swIfIndex;
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            int n = pool.alloc(frame.buffers(), 0, Frame.CAPACITY);
            for (int i = 0; i < n; i++) {
                int bi = frame.buffers()[i];
                fill(pool, bi, length, dstMac);
                pool.setRxSwIfIndex(bi, swIfIndex);
                frame.nexts()[i] = 0;
            }
            frame.setCount(n);
            return n;
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    private static void runQuietly(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        process.waitFor(20, TimeUnit.SECONDS);
    }
}
