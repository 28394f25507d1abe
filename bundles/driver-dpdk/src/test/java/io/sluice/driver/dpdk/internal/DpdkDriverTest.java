package io.sluice.driver.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.graph.api.GraphRuntime;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.vnet.internal.InterfaceTableImpl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The component's quiet paths: nothing to open, or a profile it must refuse; the graph is left as it was. */
class DpdkDriverTest {

    @TempDir
    Path profiles;

    private static boolean hasNode(GraphRuntime graph, String name) {
        return graph.nodes().stream().anyMatch(n -> n.name().equals(name));
    }

    @Test
    void aProfileWithoutDpdkPortsOpensNothing() throws IOException {
        Files.writeString(profiles.resolve("pod-only.profile"), "port.pod.driver = tap\nport.pod.name = tap2\n");
        try (GraphHarness harness = new GraphHarness()) {
            InterfaceTableImpl interfaces = new InterfaceTableImpl(harness.engine());
            int before = interfaces.snapshot().size();
            DpdkDriver driver = new DpdkDriver(harness.engine(), interfaces,
                    Map.of("profile", "pod-only", "directory", profiles.toString()));
            assertTrue(!hasNode(harness.engine(), DpdkInputNode.NAME), "no dpdk-input");
            assertEquals(before, interfaces.snapshot().size(), "no interface registered");
            driver.close();
        }
    }

    @Test
    void aBadProfileIsRefusedWithoutDisturbingTheGraph() throws IOException {
        Files.writeString(profiles.resolve("bad.profile"), "port.gbe.driver = dpdk\nport.gbe.pci = zz\n");
        try (GraphHarness harness = new GraphHarness()) {
            InterfaceTableImpl interfaces = new InterfaceTableImpl(harness.engine());
            int nodes = harness.engine().nodes().size();
            DpdkDriver driver = new DpdkDriver(harness.engine(), interfaces,
                    Map.of("profile", "bad", "directory", profiles.toString()));
            assertEquals(nodes, harness.engine().nodes().size(), "the graph is unchanged");
            driver.close();
            DpdkDriver unnamed = new DpdkDriver(harness.engine(), interfaces, Map.of());
            assertEquals(nodes, harness.engine().nodes().size(), "no profile named: nothing opened");
            unnamed.close();
        }
    }

    /**
     * Opening happens off the activating thread: the component comes up at once, and a port DPDK cannot open
     * (no such netdev) leaves the graph and the interface table as they were, with one log line.
     */
    @Test
    void portsOpenInTheBackgroundAndAFailureLeavesNothingBehind() throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/librte_eal.so.23")),
                "needs Debian's dpdk package (CI installs it)");
        assumeTrue(Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "DPDK's EAL needs root here");
        Files.writeString(profiles.resolve("missing.profile"), """
                dpdk.lcores = 1
                dpdk.mbufs = 1023
                dpdk.eal-args = --no-huge --no-shconf --no-pci --no-telemetry
                port.gbe.driver = dpdk
                port.gbe.name = GigabitEthernet0/9/0
                port.gbe.vdev = net_af_packet0,iface=sltdp-none,framecnt=256
                """);
        try (GraphHarness harness = new GraphHarness()) {
            InterfaceTableImpl interfaces = new InterfaceTableImpl(harness.engine());
            int before = interfaces.snapshot().size();
            DpdkDriver driver = new DpdkDriver(harness.engine(), interfaces,
                    Map.of("profile", "missing", "directory", profiles.toString()));
            driver.awaitOpened();
            assertTrue(!hasNode(harness.engine(), DpdkInputNode.NAME), "no dpdk-input");
            assertEquals(-1, interfaces.find("GigabitEthernet0/9/0"), "no interface left registered");
            assertEquals(before, interfaces.snapshot().size());
            driver.close();
        }
    }
}
