package io.sluice.vnet.api;

import java.util.List;
import java.util.Map;

/**
 * What a driver tells about the device behind an interface, for {@code interface:hardware} (VPP's
 * {@code show hardware-interfaces}). Read on the control plane only; the figures of {@code counters} are the
 * driver's or the device's own (rte_eth_stats for DPDK, the socket's for AF_PACKET), next to the interface
 * counters vnet keeps.
 *
 * @param driver     the driver's name as its configuration says it: tap, af_packet, dpdk
 * @param host       what the device is on the host: a netdev and its namespace, a PCI address, a vdev
 * @param rxQueues   receive queues in use
 * @param txQueues   transmit queues in use
 * @param rxRingSize receive descriptors (or ring slots) per queue, 0 where the device has no ring (a TAP)
 * @param txRingSize transmit descriptors (or ring slots) per queue, 0 where it has none
 * @param offloads   offloads enabled, in the kernel's or DPDK's words; empty for none
 * @param counters   device counters by name, in the order they are shown
 */
public record DeviceHardware(String driver, String host, int rxQueues, int txQueues, int rxRingSize,
                             int txRingSize, List<String> offloads, Map<String, Long> counters) {

    /** A device whose driver reports nothing but that it exists: one queue each way, no ring, no counters. */
    public static DeviceHardware unreported(String driver) {
        return new DeviceHardware(driver, "", 1, 1, 0, 0, List.of(), Map.of());
    }
}
