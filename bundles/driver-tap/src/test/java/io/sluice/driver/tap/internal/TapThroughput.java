package io.sluice.driver.tap.internal;

import io.sluice.nativeio.testing.NamespaceLab;
import io.sluice.driver.afpacket.testkit.AfPacketPeer;
import io.sluice.driver.tap.api.PodSide;
import io.sluice.packet.api.BufferPool;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Frames per second through a TapDevice, by hand (root). The TAP's kernel side is eth0 of namespace
 * {@value #NS}; an AF_PACKET socket opened on that eth0 (inside the namespace) is the other end. Receive:
 * the AF_PACKET side transmits batches of 256, the TAP reads. Transmit: the TAP writes, AF_PACKET reads.
 * "64 B" frames are 60 bytes plus the FCS; "1500 B" are 1514-byte frames.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o -pl bundles/driver-tap test-compile \
 *     dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp bundles/driver-tap/target/classes:bundles/driver-tap/target/test-classes:$(cat /tmp/cp.txt) \
 *     io.sluice.driver.tap.api.TapThroughput [seconds]
 * </pre>
 */
public final class TapThroughput {

    private static final String NS = "sltst-tbench";
    private static final String TAP = "sltsttbench0";
    private static final int BATCH = 256;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private TapThroughput() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        NamespaceLab.runQuietly("ip", "netns", "del", NS);
        NamespaceLab.run("ip", "netns", "add", NS);
        try (TapDevice tap = TapDevice.create(TAP, false)) {
            tap.configureInNamespace(new PodSide(NS, "eth0", null, 0, List.of(), List.of()));
            NamespaceLab.run("ip", "netns", "exec", NS, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/eth0/disable_ipv6");
            AfPacketPeer pod = AfPacketPeer.open(NS, "eth0");
            try {
                for (int length : new int[] {60, 1514}) {
                    measure("TAP rx", length, seconds, pod, tap, true);
                    measure("TAP tx", length, seconds, pod, tap, false);
                }
            } finally {
                pod.close();
            }
        } finally {
            NamespaceLab.runQuietly("ip", "netns", "del", NS);
        }
    }

    /** {@code intoTap}: the pod sends and the TAP receives; otherwise the TAP sends and the pod receives. */
    private static void measure(String label, int length, double seconds, AfPacketPeer pod, TapDevice tap,
                                boolean intoTap) throws Exception {
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
            long receivedBefore = intoTap ? tap.rxPackets() : pod.rxPackets();
            long sentBefore = intoTap ? pod.txPackets() : tap.txPackets();
            AtomicBoolean running = new AtomicBoolean(true);
            long[] receiverAllocated = new long[1];
            Thread receiving = new Thread(() -> {
                long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
                int[] batch = new int[BATCH];
                while (running.get()) {
                    boolean ready = intoTap ? tap.awaitReadable(10) : pod.awaitReadable(10);
                    if (!ready) {
                        continue;
                    }
                    int n;
                    while ((n = intoTap ? tap.receive(receiverPool, batch, 0, BATCH)
                            : pod.receive(receiverPool, batch, 0, BATCH)) > 0) {
                        receiverPool.free(batch, 0, n);
                    }
                }
                receiverAllocated[0] = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
            });
            receiving.start();
            long senderAllocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                if (intoTap) {
                    pod.transmit(senderPool, frames, 0, BATCH);
                } else {
                    tap.transmit(senderPool, frames, 0, BATCH);
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long senderAllocated = THREADS.getCurrentThreadAllocatedBytes() - senderAllocatedBefore;
            Thread.sleep(50);
            running.set(false);
            receiving.join();
            long sent = (intoTap ? pod.txPackets() : tap.txPackets()) - sentBefore;
            long received = (intoTap ? tap.rxPackets() : pod.rxPackets()) - receivedBefore;
            System.out.printf(Locale.ROOT,
                    "%s %4d B frames: sent %,10.0f/s  received %,10.0f/s  heap allocated: sender %,d B,"
                            + " receiver %,d B%n",
                    label, length + 4, sent / elapsed, received / elapsed, senderAllocated, receiverAllocated[0]);
        }
    }
}
