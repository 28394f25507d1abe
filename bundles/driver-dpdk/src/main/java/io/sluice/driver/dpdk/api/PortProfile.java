package io.sluice.driver.dpdk.api;

/**
 * One port of a hardware profile, validated: the interface name it gets, the driver that opens it and
 * where that driver finds it (a PCI address, a DPDK virtual device or a Linux netdev), and its queues.
 *
 * @param id            the profile's key for the port ({@code port.<id>.*})
 * @param name          the interface name (given, or derived: GigabitEthernet0/8/0, host-eth1)
 * @param driver        which driver opens it
 * @param pci           the PCI address, or null (a vdev, a netdev without one, a TAP)
 * @param vdev          DPDK's {@code --vdev} argument (net_af_packet0,iface=veth0), or null
 * @param netdev        the Linux netdev (af_packet), or null
 * @param rxQueues      receive queues
 * @param txQueues      transmit queues
 * @param rxDescriptors receive descriptors per queue (ring size)
 * @param txDescriptors transmit descriptors per queue
 */
public record PortProfile(String id, String name, PortDriver driver, PciAddress pci, String vdev, String netdev,
                          int rxQueues, int txQueues, int rxDescriptors, int txDescriptors) {

    /**
     * The name DPDK knows the device by, for rte_eth_dev_get_port_by_name: the PCI address, or the vdev's
     * driver instance (the part of the vdev argument before the first comma).
     */
    public String dpdkDeviceName() {
        if (vdev != null) {
            int comma = vdev.indexOf(',');
            return comma < 0 ? vdev : vdev.substring(0, comma);
        }
        return pci == null ? null : pci.toString();
    }
}
