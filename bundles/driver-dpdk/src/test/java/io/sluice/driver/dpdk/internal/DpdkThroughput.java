package io.sluice.driver.dpdk.internal;

import io.sluice.driver.dpdk.api.HardwareProfile;
import io.sluice.graph.api.Frame;
import io.sluice.packet.api.BufferPool;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames per second through two DPDK ports on one veth pair (both ends in namespace sltdp-bench, each
 * driven by DPDK's net_af_packet PMD), by hand (root, Debian's dpdk package): one thread transmits frames
 * of 256 through {@link DpdkPort#transmit} as fast as the PMD takes them, another receives them with
 * {@link DpdkPort#receive}. "64 B" frames are 60 bytes plus the FCS the kernel does not show; "1500 B"
 * are 1514-byte frames.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o -pl bundles/driver-dpdk test-compile \
 *     dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp bundles/driver-dpdk/target/classes:bundles/driver-dpdk/target/test-classes:$(cat /tmp/cp.txt) \
 *     io.sluice.driver.dpdk.internal.DpdkThroughput [seconds]
 * </pre>
 */
public final class DpdkThroughput {

    private static final String NAMESPACE = "sltdp-bench";
    private static final String TX_IF = "sltdp-b0";
    private static final String RX_IF = "sltdp-b1";

    private DpdkThroughput() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Lab.quietly("ip", "netns", "del", NAMESPACE);
        Lab.run("ip", "netns", "add", NAMESPACE);
        try {
            Lab.run("ip", "-n", NAMESPACE, "link", "add", TX_IF, "type", "veth", "peer", "name", RX_IF);
            for (String ifName : new String[] {TX_IF, RX_IF}) {
                Lab.run("ip", "netns", "exec", NAMESPACE, "sysctl", "-q", "-w",
                        "net.ipv6.conf." + ifName + ".disable_ipv6=1");
                Lab.run("ip", "-n", NAMESPACE, "link", "set", ifName, "up");
            }
            HardwareProfile profile = HardwareProfileReader.parse("dpdk-throughput", String.join("\n",
                    "dpdk.lcores = 1",
                    "dpdk.eal-args = --no-huge --no-shconf --no-pci --no-telemetry",
                    "port.tx.driver = dpdk",
                    "port.tx.name = GigabitEthernet0/8/0",
                    "port.tx.vdev = net_af_packet0,iface=" + TX_IF + ",framecnt=4096",
                    "port.rx.driver = dpdk",
                    "port.rx.name = GigabitEthernet0/9/0",
                    "port.rx.vdev = net_af_packet1,iface=" + RX_IF + ",framecnt=4096"));
            Rte rte = Rte.bind();
            // the af_packet PMD opens its sockets when the EAL probes it: in the namespace of the caller
            Lab.inNamespace(NAMESPACE, () -> Eal.start(rte, Eal.arguments(profile)));
            MbufPool mbufs = MbufPool.open(rte, profile.dpdkMbufs());
            // and it sets flags on the netdevs by name when a port starts and stops: there too
            DpdkPort tx = Lab.inNamespace(NAMESPACE, () -> DpdkPort.open(rte, mbufs, profile.ports().get(0)));
            DpdkPort rx = Lab.inNamespace(NAMESPACE, () -> DpdkPort.open(rte, mbufs, profile.ports().get(1)));
            System.out.println(rte.version() + ", net_af_packet on a veth pair, " + seconds + " s per run");
            for (int length : new int[] {60, 1514}) {
                run(tx, rx, length, seconds);
            }
            Lab.inNamespace(NAMESPACE, () -> {
                tx.stop();
                rx.stop();
                return null;
            });
        } finally {
            Lab.quietly("ip", "netns", "del", NAMESPACE);
        }
    }

    private static void run(DpdkPort tx, DpdkPort rx, int length, double seconds) throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong received = new AtomicLong();
        Thread receiver = Thread.ofPlatform().name("dpdk-rx").start(() -> {
            try (BufferPool pool = new BufferPool(4096)) {
                int[] buffers = new int[Frame.CAPACITY];
                long count = 0;
                while (running.get()) {
                    int n = rx.receive(0, pool, buffers, 0, Frame.CAPACITY);
                    rx.releaseReceived(0);
                    if (n > 0) {
                        pool.free(buffers, 0, n);
                        count += n;
                    }
                }
                received.set(count);
            }
        });
        long sent = 0;
        long offered = 0;
        byte[] frame = Lab.udpFrame(0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L, length, 0x5a);
        try (BufferPool pool = new BufferPool(4096)) {
            MemorySegment template = MemorySegment.ofArray(frame);
            int[] buffers = new int[Frame.CAPACITY];
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                int n = pool.alloc(buffers, 0, Frame.CAPACITY);
                for (int i = 0; i < n; i++) {
                    MemorySegment.copy(template, 0, pool.segment(), BufferPool.dataStart(buffers[i]), length);
                    pool.setData(buffers[i], 0, length);
                }
                offered += n;
                sent += tx.transmit(pool, buffers, n);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            Thread.sleep(200); // let the receiver drain what is in flight
            running.set(false);
            receiver.join();
            DpdkPort.Stats stats = rx.stats();
            System.out.printf(Locale.ROOT, "%4d B: tx %,10.0f frames/s (%,d of %,d offered taken by the PMD), "
                            + "rx %,10.0f frames/s (%,d; imissed %,d)%n", length + 4, sent / elapsed, sent, offered,
                    received.get() / elapsed, received.get(), stats.imissed());
        }
    }
}
