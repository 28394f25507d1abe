package io.sluice.driver.dpdk.api;

import java.util.ArrayList;
import java.util.List;

/**
 * One kind of box: its ports and their drivers, the cores, the buffer pool size and DPDK's EAL arguments.
 * Read from {@code hardware-profiles/<name>.profile}, a plain {@code key = value} file (format in
 * hardware-profiles/README.md), by driver-dpdk, which checks every value before it makes one.
 *
 * @param name             the profile's name (its file name without {@code .profile})
 * @param description      one line on the box
 * @param workerCores      the cores worker threads are pinned to, one worker each
 * @param buffersPerWorker buffers in each worker's pool
 * @param dpdkLcores       DPDK's {@code -l} argument (the EAL main lcore); null when no port uses dpdk
 * @param dpdkMbufs        mbufs in DPDK's packet pool
 * @param dpdkExtraArgs    further EAL arguments ({@code --no-huge --no-pci ...})
 * @param ports            the ports in file order
 */
public record HardwareProfile(String name, String description, int[] workerCores, int buffersPerWorker,
                              String dpdkLcores, int dpdkMbufs, List<String> dpdkExtraArgs,
                              List<PortProfile> ports) {

    public static final String FILE_SUFFIX = ".profile";

    public static final int DEFAULT_BUFFERS_PER_WORKER = 16384;
    public static final int DEFAULT_MBUFS = 8191;
    public static final int DEFAULT_DESCRIPTORS = 1024;
    public static final int MAX_QUEUES = 64;

    public HardwareProfile {
        workerCores = workerCores.clone();
        dpdkExtraArgs = List.copyOf(dpdkExtraArgs);
        ports = List.copyOf(ports);
    }

    @Override
    public int[] workerCores() {
        return workerCores.clone();
    }

    /** The ports a driver opens, in file order. */
    public List<PortProfile> ports(PortDriver driver) {
        List<PortProfile> selected = new ArrayList<>();
        for (PortProfile port : ports) {
            if (port.driver() == driver) {
                selected.add(port);
            }
        }
        return selected;
    }
}
