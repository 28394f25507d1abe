package io.sluice.nat44.internal;

import io.sluice.graph.api.FeatureArc;
import io.sluice.packet.api.Tcp;
import io.sluice.vnet.testkit.FreeingDevice;
import io.sluice.vnet.internal.InterfaceTableImpl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NAT44 never lets an inside source out untranslated: not while its bundle is updated (the features stay on
 * the arcs), not when the configuration it starts with is refused, not before any configuration is published.
 */
class FailClosedTest {


    private static Map<String, Object> seedConfig(Path file) {
        return Map.of("addresses", "192.168.16.1", "inside", "tap2", "output-feature", "GigabitEthernet0/8/0",
                "session-file", file.toString(), "max-sessions", "4096");
    }

    @Test
    void aDataplaneWithNoConfigurationDropsWhatWouldLeaveUntranslated() {
        try (TestBed bed = TestBed.inMemory()) {
            bed.dataplane.setPolicy(Nat44Policy.refusing());
            bed.sendOut(Frames.tcp("10.1.1.3", 41084, "31.134.97.51", 80, Tcp.FLAG_SYN), TestBed.TAP2);
            assertEquals(0, bed.gbeOutput.size(), "nothing leaves the GbE untranslated");
            assertEquals(1, bed.error(Nat44In2OutOutputNode.NAME, "no-configuration"));
            assertEquals(0, bed.harness.outstanding());
        }
    }

    @Test
    void aConfigurationRefusedAtStartGuardsTheOutsideAndLeavesTheSessionFileAlone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sessions.bin");
        try (SessionTable table = SessionTable.open(file, 4096)) {
            table.insert(SessionTable.key(0x0a010103, 41084, 6), SessionTable.key(0xc0a81001, 1025, 6), 6, 0, 0,
                    false, 0, Long.MAX_VALUE);
        }
        byte[] before = Files.readAllBytes(file);
        try (TestBed bed = TestBed.inMemory()) {
            InterfaceTableImpl interfaces = new InterfaceTableImpl(bed.harness.engine());
            int gbe = interfaces.register(new FreeingDevice("GigabitEthernet0/8/0"));
            Map<String, Object> broken = new java.util.HashMap<>(seedConfig(file));
            broken.put("timeout.udp", "soon");
            Nat44Runtime runtime = new Nat44Runtime(bed.harness.engine(), interfaces, broken, bed.clock::get, false);
            try {
                assertTrue(runtime.dataplane().policy().refusing, "refusal publishes the dropping policy");
                assertTrue(bed.harness.engine().enabledFeatures(FeatureArc.IP4_OUTPUT, gbe)
                        .contains(Nat44In2OutOutputNode.NAME), "the outside port the file names is guarded");
                assertEquals(1024, runtime.sessionCapacity(), "the session file is not opened");

                runtime.modified(seedConfig(file));
                assertFalse(runtime.dataplane().policy().refusing, "a valid configuration ends the refusal");
            } finally {
                runtime.deactivate();
            }
            assertTrue(bed.harness.engine().enabledFeatures(FeatureArc.IP4_OUTPUT, gbe)
                    .contains(Nat44In2OutOutputNode.NAME), "deactivating (a bundle update) leaves the feature on");
        }
        assertArrayEquals(before, Files.readAllBytes(file), "the session file is byte for byte as it was");
    }

    @Test
    void aConfigurationNamingNoOutsideGuardsEveryInterface(@TempDir Path dir) throws Exception {
        try (TestBed bed = TestBed.inMemory()) {
            InterfaceTableImpl interfaces = new InterfaceTableImpl(bed.harness.engine());
            int[] sw = {interfaces.register(new FreeingDevice("GigabitEthernet0/8/0")),
                interfaces.register(new FreeingDevice("tap2"))};
            Nat44Runtime runtime = new Nat44Runtime(bed.harness.engine(), interfaces,
                    Map.of("addresses", "not-an-address", "session-file", dir.resolve("s.bin").toString()),
                    bed.clock::get, false);
            try {
                for (int s : sw) {
                    assertTrue(bed.harness.engine().enabledFeatures(FeatureArc.IP4_OUTPUT, s)
                            .contains(Nat44In2OutOutputNode.NAME), "interface " + s + " in " + Arrays.toString(sw));
                }
                assertFalse(Files.exists(dir.resolve("s.bin")), "no session file is created in refusal");
            } finally {
                runtime.deactivate();
            }
        }
    }
}
