package io.sluice.driver.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** Binding DPDK: the clear refusal when it is missing or another version, and the symbols when it is there. */
class RteBindingTest {

    @Test
    void aMissingLibraryIsRefusedWithOneClearSentence() {
        DpdkUnavailableException e = assertThrows(DpdkUnavailableException.class,
                () -> Rte.bind("librte_eal.so.99", Rte.ETHDEV, Rte.MEMPOOL, Rte.MBUF));
        assertEquals("librte_eal.so.99 could not be loaded (DPDK 22.11 is not installed: apt-get install dpdk, "
                + "or the library path does not hold it)", e.getMessage());
    }

    @Test
    void anotherDpdkVersionIsRefusedNamingBoth() {
        DpdkUnavailableException e = assertThrows(DpdkUnavailableException.class,
                () -> RteLayout.checkVersion("DPDK 23.11.0"));
        assertTrue(e.getMessage().startsWith("DPDK version 'DPDK 23.11.0' found, but this driver knows the structure "
                + "layouts"), e.getMessage());
        assertTrue(e.getMessage().endsWith("of DPDK 22.11 only: refusing to bind"), e.getMessage());
        assertThrows(DpdkUnavailableException.class, () -> RteLayout.checkVersion("DPDK 22.110"));
        RteLayout.checkVersion("DPDK 22.11.11");
        RteLayout.checkVersion("DPDK 22.11");
    }

    @Test
    void theInstalledDpdkBindsAndIs2211() {
        Rte rte;
        try {
            rte = Rte.bind();
        } catch (DpdkUnavailableException e) {
            assumeTrue(false, "DPDK is not installed here: " + e.getMessage());
            return;
        }
        assertTrue(rte.version().startsWith("DPDK 22.11"), rte.version());
        assertEquals(0, rte.lcoreCount(), "the EAL is not started by binding");
        assertTrue(rte.ethFpOps.address() != 0 && rte.mempoolOpsTable.address() != 0);
    }
}
