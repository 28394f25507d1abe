package io.sluice.driver.dpdk.internal;

import io.sluice.driver.dpdk.api.HardwareProfile;
import io.sluice.driver.dpdk.api.PortDriver;
import io.sluice.driver.dpdk.api.PortProfile;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * DPDK's Environment Abstraction Layer, started once per process (rte_eal_init(3) cannot run twice; a
 * driver bundle that is updated finds it already running and carries on with it).
 */
final class Eal {

    private static final String PROGRAM = "sluice";

    private Eal() {
    }

    /**
     * rte_eal_init's arguments after the program name: {@code -l}, the extra arguments, then {@code -a PCI}
     * for every dpdk port of {@code profile} with a PCI address (only those are probed) and {@code --vdev=...}
     * for every virtual device.
     */
    static List<String> arguments(HardwareProfile profile) {
        List<String> args = new ArrayList<>();
        args.add("-l");
        args.add(profile.dpdkLcores() == null ? "0" : profile.dpdkLcores());
        args.addAll(profile.dpdkExtraArgs());
        for (PortProfile port : profile.ports(PortDriver.DPDK)) {
            if (port.pci() != null) {
                args.add("-a");
                args.add(port.pci().toString());
            } else {
                args.add("--vdev=" + port.vdev());
            }
        }
        return args;
    }

    /**
     * Checks the version, then runs rte_eal_init with {@code arguments} unless the EAL already runs here.
     *
     * @return true when this call initialised the EAL, false when it was already running
     * @throws DpdkUnavailableException on another DPDK version or when rte_eal_init fails
     */
    static boolean start(Rte rte, List<String> arguments) {
        RteLayout.checkVersion(rte.version());
        if (rte.lcoreCount() > 0) {
            return false;
        }
        List<String> argv = new ArrayList<>();
        argv.add(PROGRAM);
        argv.addAll(arguments);
        // EAL keeps pointers into argv (getopt permutes it in place): the strings live as long as the process.
        Arena arena = Arena.global();
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, argv.size() + 1L);
        for (int i = 0; i < argv.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(argv.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, argv.size(), MemorySegment.NULL);

        // rte_eal_init pins the calling thread to the main lcore: call it from a thread of its own so no
        // container thread keeps that affinity.
        AtomicInteger result = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread init = Thread.ofPlatform().name("dpdk-eal-init").unstarted(() -> {
            try {
                result.set((int) rte.ealInit.invokeExact(argv.size(), array));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        init.start();
        try {
            init.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DpdkUnavailableException("interrupted while rte_eal_init ran", e);
        }
        if (failure.get() != null) {
            throw new DpdkUnavailableException("rte_eal_init " + arguments + " threw " + failure.get(), failure.get());
        }
        if (result.get() < 0) {
            throw new DpdkUnavailableException("rte_eal_init " + arguments + " failed (" + result.get()
                    + "); the EAL's own messages on stderr say why", null);
        }
        return true;
    }
}
