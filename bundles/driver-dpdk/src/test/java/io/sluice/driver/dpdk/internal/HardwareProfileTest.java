package io.sluice.driver.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.driver.dpdk.api.HardwareProfile;
import io.sluice.driver.dpdk.api.HardwareProfileException;
import io.sluice.driver.dpdk.api.PciAddress;
import io.sluice.driver.dpdk.api.PortDriver;
import io.sluice.driver.dpdk.api.PortProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class HardwareProfileTest {

    private static final Path PROFILES = Path.of("../../hardware-profiles");

    @Test
    void everyShippedProfileIsValid() throws IOException {
        try (Stream<Path> files = Files.list(PROFILES)) {
            List<Path> profiles = files.filter(p -> p.toString().endsWith(HardwareProfile.FILE_SUFFIX)).toList();
            assertTrue(profiles.size() >= 2, "profiles found: " + profiles);
            for (Path file : profiles) {
                String name = file.getFileName().toString().replace(HardwareProfile.FILE_SUFFIX, "");
                HardwareProfile profile = HardwareProfileReader.load(PROFILES, name);
                assertEquals(name, profile.name());
                assertTrue(!profile.ports().isEmpty(), name + " has ports");
            }
        }
    }

    @Test
    void theLabProfileGivesTheSeedsPortToDpdkOnAVeth() {
        HardwareProfile lab = HardwareProfileReader.load(PROFILES, "lab-netns");
        PortProfile gbe = lab.ports(PortDriver.DPDK).get(0);
        assertEquals("GigabitEthernet0/8/0", gbe.name());
        assertNull(gbe.pci());
        assertEquals("net_af_packet0", gbe.dpdkDeviceName());
        assertEquals("tap2", lab.ports(PortDriver.TAP).get(0).name());
        assertEquals(List.of("-l", "1", "--no-huge", "--no-shconf", "--no-pci", "--no-telemetry",
                "--vdev=net_af_packet0,iface=sl-gbe0,framecnt=4096"), Eal.arguments(lab));
    }

    @Test
    void theI210BoxNamesItsPortsFromPciAddresses() {
        HardwareProfile box = HardwareProfileReader.load(PROFILES, "i210-4port");
        List<PortProfile> ports = box.ports(PortDriver.DPDK);
        assertEquals(List.of("GigabitEthernet1/0/0", "GigabitEthernet2/0/0", "GigabitEthernet3/0/0",
                "GigabitEthernet4/0/0"), ports.stream().map(PortProfile::name).toList());
        assertEquals("0000:01:00.0", ports.get(0).dpdkDeviceName());
        assertEquals(3, box.workerCores().length);
        List<String> args = Eal.arguments(box);
        assertEquals(List.of("-a", "0000:01:00.0"), args.subList(args.indexOf("-a"), args.indexOf("-a") + 2));
    }

    @Test
    void pciAddressesAreNamedAsVppDoes() {
        assertEquals("GigabitEthernet0/8/0", PciAddress.parse("0000:00:08.0").interfaceName("GigabitEthernet"));
        assertEquals("TenGigabitEthernetb/0/1", PciAddress.parse("0000:0b:00.1").interfaceName("TenGigabitEthernet"));
        assertEquals("GigabitEthernet-1/2/3/4", PciAddress.parse("0001:02:03.4").interfaceName("GigabitEthernet"));
        assertEquals("0000:00:08.0", PciAddress.parse("00:08.0").toString());
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse("0000:00:20.0"));
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse("0000:00:08.8"));
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse("eth0"));
    }

    @Test
    void everyProblemIsReportedWithItsKey() {
        HardwareProfileException e = assertThrows(HardwareProfileException.class, () -> HardwareProfileReader.parse("bad",
                String.join("\n",
                        "cores.workers = 2-1",
                        "port.a.driver = dpdk",
                        "port.a.vdev = net_af_packet0,iface=x",
                        "port.b.driver = dpdk",
                        "port.b.pci = 0000:00:08.0",
                        "port.b.vdev = net_tap0",
                        "port.c.driver = nic",
                        "port.d.driver = af_packet",
                        "port.e.driver = tap",
                        "port.e.name = tap2",
                        "port.e.rx-descriptors = 1000",
                        "port.e.colour = blue",
                        "workers = 3",
                        "dpdk.mbufs = many",
                        "dpdk.mbufs = 4",
                        "no equals sign")));
        List<String> problems = e.problems();
        List<String> expected = List.of(
                "line 15: dpdk.mbufs is given twice",
                "line 16: expected key = value, got 'no equals sign'",
                "port.e.colour: unknown port key",
                "workers: unknown key",
                "cores.workers: range '2-1' is empty",
                "dpdk.mbufs: 'many' is not a whole number",
                "port.a.name: required for a vdev port",
                "port.b.pci, vdev: a dpdk port needs exactly one of them",
                "port.c.driver: 'nic' is not a driver (dpdk, af_packet, af_xdp, tap)",
                "port.d.netdev: required for an af_packet port",
                "port.e.rx-descriptors: 1000 is not a power of two",
                "dpdk.lcores: required when a port uses the dpdk driver");
        for (String problem : expected) {
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(problem)), problem + " in " + problems);
        }
        assertTrue(e.getMessage().startsWith("hardware profile bad: "), e.getMessage());
    }

    @Test
    void duplicateNamesAndDevicesAreRefused() {
        HardwareProfileException e = assertThrows(HardwareProfileException.class, () -> HardwareProfileReader.parse("dup",
                String.join("\n",
                        "dpdk.lcores = 0",
                        "port.a.driver = dpdk",
                        "port.a.pci = 0000:00:08.0",
                        "port.b.driver = dpdk",
                        "port.b.pci = 00:08.0",
                        "port.c.driver = tap",
                        "port.c.name = GigabitEthernet0/8/0")));
        assertTrue(e.problems().contains("port.b.name: 'GigabitEthernet0/8/0' is used by another port"), e.getMessage());
        assertTrue(e.problems().contains("port.b.pci: device 0000:00:08.0 is used by another port"), e.getMessage());
        assertTrue(e.problems().contains("port.c.name: 'GigabitEthernet0/8/0' is used by another port"), e.getMessage());
    }

    @Test
    void aMissingProfileFileIsNamed() {
        HardwareProfileException e = assertThrows(HardwareProfileException.class,
                () -> HardwareProfileReader.load(PROFILES, "no-such-box"));
        assertTrue(e.getMessage().contains("no-such-box.profile"), e.getMessage());
    }
}
