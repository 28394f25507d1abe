package io.sluice.nat44.internal;

import static io.sluice.nat44.internal.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.nat44.api.Timeouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration that would hurt the NAT is refused, or made safe, before it reaches the dataplane. */
class Nat44LimitsTest {

    @Test
    void aPoolAddressListedTwiceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nat44Settings.parse(Map.of(
                "addresses", "192.168.16.1, 192.168.16.2, 192.168.16.1")));
        assertEquals("configuration io.sluice.nat44 refused: addresses: 192.168.16.1 is listed twice (a pool address"
                + " appears once, or its ports could be handed out twice)", e.getMessage());
        assertEquals(2, Nat44Settings.parse(Map.of("addresses", "192.168.16.1, 192.168.16.2")).addresses().length);
    }

    @Test
    void aSessionFileTheDiskCannotHoldIsNotCreated(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("nat44/sessions.bin");
        IOException e = assertThrows(IOException.class, () -> SessionTable.open(file, 1 << 20, directory -> 1_000_000));
        assertEquals(file + ": max-sessions 1048576 needs 67108992 bytes (64 + 67108928), but its filesystem has"
                + " 1000000 bytes free; free 66108992 bytes or lower max-sessions 1048576", e.getMessage());
        assertFalse(Files.exists(file), "no half-made file is left");

        // A file already made for this capacity needs no more space: it opens on a full disk.
        try (SessionTable table = SessionTable.open(file, 128)) {
            assertEquals(128, table.capacity());
        }
        try (SessionTable table = SessionTable.open(file, 128, directory -> 0)) {
            assertEquals(128, table.capacity());
        }
        // One of another capacity is a new file: it must fit.
        assertThrows(IOException.class, () -> SessionTable.open(file, 256, directory -> 0));
        assertTrue(Files.exists(file), "the refused open left the old file in place");
    }

    /**
     * A static mapping added on the outside port a dynamic session holds: the session is deleted and the port is
     * reserved for the mapping, so it is never handed out twice, not even after that session would have ended.
     */
    @Test
    void aStaticMappingOnAPortADynamicSessionHoldsEvictsTheSession() {
        try (Nat44Dataplane dp = new Nat44Dataplane(SessionTable.anonymous(1024), () -> 1_000)) {
            dp.setAddresses(new int[] {ip("192.168.16.1")});
            dp.forceNextPort(30000);
            int dynamic;
            synchronized (dp.table().lock()) {
                dynamic = dp.createDynamic(dp.policy(), ip("10.1.1.3"), 40000, 6, ip("203.0.113.51"), 80, 1, 1_000);
            }
            assertTrue(dynamic >= 0);
            long outKey = SessionTable.key(ip("192.168.16.1"), 30000, 6);
            assertEquals(dynamic, dp.table().lookupOut2In(outKey, ip("203.0.113.51"), 80));

            dp.setPolicy(new Nat44Policy(new byte[0], Timeouts.DEFAULTS, 10_000, new StaticMappings(List.of(
                    Nat44Settings.parseMapping("static tcp 10.1.1.7:8080 192.168.16.1:30000")))));
            assertEquals(-1, dp.table().lookupOut2In(outKey, ip("203.0.113.51"), 80), "the dynamic session on the mapping's port is gone");
            assertEquals(1, dp.staticEvictions());
            assertTrue(dp.ports().isUsed(0, PortAllocator.protocolSlot(6), 30000), "the port stays the mapping's");

            // The next dynamic session cannot get that port, even when asked for it.
            dp.forceNextPort(30000);
            int next;
            synchronized (dp.table().lock()) {
                next = dp.createDynamic(dp.policy(), ip("10.1.1.3"), 40001, 6, ip("203.0.113.51"), 80, 1, 1_000);
            }
            assertNotEquals(30000, SessionTable.keyPort(dp.table().outKey(next)));

            // Re-publishing the same pool keeps the mapping's port out of the dynamic sessions.
            dp.setAddresses(new int[] {ip("192.168.16.1")});
            assertTrue(dp.ports().isUsed(0, PortAllocator.protocolSlot(6), 30000));
            assertEquals(1, dp.staticEvictions(), "nothing else was evicted");
        }
    }
}
