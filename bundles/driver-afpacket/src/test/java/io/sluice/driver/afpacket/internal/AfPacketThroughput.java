package io.sluice.driver.afpacket.internal;

import io.sluice.nativeio.api.NetNamespace;
import io.sluice.nativeio.testing.NamespaceLab;
import io.sluice.driver.afpacket.api.AfPacketConfig;
import io.sluice.packet.api.BufferPool;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Frames per second through two AfPacketDevices on a veth pair between two namespaces, by hand (root):
 * one thread transmits batches of 256 as fast as the ring or sendmmsg takes them, another receives.
 * "64 B" frames are 60 bytes plus the 4-byte FCS the kernel does not show; "1500 B" are 1514-byte frames.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o -pl bundles/driver-afpacket test-compile \
 *     dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp bundles/driver-afpacket/target/classes:bundles/driver-afpacket/target/test-classes:$(cat /tmp/cp.txt) \
 *     io.sluice.driver.afpacket.api.AfPacketThroughput [seconds]
 * </pre>
 */
public final class AfPacketThroughput {

    private static final String SENDER_NS = "sltst-bench-a";
    private static final String RECEIVER_NS = "sltst-bench-b";
    private static final String SENDER_IF = "sltst-ba0";
    private static final String RECEIVER_IF = "sltst-bb0";
    private static final int BATCH = 256;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AfPacketThroughput() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        createLab();
        try {
            for (AfPacketConfig.TxMode mode : AfPacketConfig.TxMode.values()) {
                for (int length : new int[] {60, 1514}) {
                    run(mode, length, seconds);
                }
            }
        } finally {
            NamespaceLab.runQuietly("ip", "netns", "del", SENDER_NS);
            NamespaceLab.runQuietly("ip", "netns", "del", RECEIVER_NS);
        }
    }

    static void createLab() {
        NamespaceLab.runQuietly("ip", "netns", "del", SENDER_NS);
        NamespaceLab.runQuietly("ip", "netns", "del", RECEIVER_NS);
        NamespaceLab.run("ip", "netns", "add", SENDER_NS);
        NamespaceLab.run("ip", "netns", "add", RECEIVER_NS);
        NamespaceLab.run("ip", "-n", SENDER_NS, "link", "add", SENDER_IF, "type", "veth", "peer", "name", RECEIVER_IF,
                "netns", RECEIVER_NS);
        for (String[] end : new String[][] {{SENDER_NS, SENDER_IF}, {RECEIVER_NS, RECEIVER_IF}}) {
            NamespaceLab.run("ip", "netns", "exec", end[0], "sh", "-c",
                    "echo 1 > /proc/sys/net/ipv6/conf/" + end[1] + "/disable_ipv6");
            NamespaceLab.run("ip", "-n", end[0], "link", "set", end[1], "up");
        }
    }

    private static void run(AfPacketConfig.TxMode mode, int length, double seconds) throws Exception {
        AfPacketDevice sender = NetNamespace.call(SENDER_NS,
                () -> AfPacketDevice.open(SENDER_IF, AfPacketConfig.defaults().withTxMode(mode)));
        AfPacketDevice receiver = NetNamespace.call(RECEIVER_NS,
                () -> AfPacketDevice.open(RECEIVER_IF, AfPacketConfig.defaults()));
        try (BufferPool senderPool = new BufferPool(BATCH); BufferPool receiverPool = new BufferPool(4096)) {
            int[] frames = new int[BATCH];
            senderPool.alloc(frames, 0, BATCH);
            byte[] frame = new byte[length];
            for (int i = 0; i < 6; i++) {
                frame[i] = (byte) 0xff;
            }
            frame[6] = 0x02;
            frame[12] = (byte) 0x88;
            frame[13] = (byte) 0xb5;
            for (int bi : frames) {
                senderPool.write(bi, frame, length);
            }
            AtomicBoolean running = new AtomicBoolean(true);
            long[] received = new long[1];
            long[] receiverAllocated = new long[1];
            Thread receiving = new Thread(() -> {
                long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
                int[] batch = new int[BATCH];
                while (running.get()) {
                    if (!receiver.awaitReadable(10)) {
                        continue;
                    }
                    int n;
                    while ((n = receiver.receive(receiverPool, batch, 0, BATCH)) > 0) {
                        receiverPool.free(batch, 0, n);
                    }
                }
                received[0] = receiver.rxPackets();
                receiverAllocated[0] = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
            });
            receiving.start();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            long senderAllocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                sender.transmit(senderPool, frames, 0, BATCH);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double cpuPerFrame = (double) (THREADS.getCurrentThreadCpuTime() - cpuStart) / sender.txPackets();
            long senderAllocated = THREADS.getCurrentThreadAllocatedBytes() - senderAllocatedBefore;
            Thread.sleep(50);
            running.set(false);
            receiving.join();
            System.out.printf(Locale.ROOT,
                    "%-8s %4d B frames: tx accepted %,10.0f/s (ring full %,d, sender CPU %,.0f ns/frame)"
                            + "  rx %,10.0f/s  kernel rx drops %,d  heap allocated: sender %,d B, receiver %,d B%n",
                    mode, length + 4, sender.txPackets() / elapsed, sender.txRingFull(), cpuPerFrame,
                    received[0] / elapsed,
                    receiver.rxKernelDrops(), senderAllocated, receiverAllocated[0]);
        } finally {
            sender.close();
            receiver.close();
        }
    }
}
