package io.sluice.packet.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ip4PrefixTest {

    @Test
    void parsesWithAndWithoutLength() {
        assertEquals(new Ip4Prefix(0xc0a81000, 24), Ip4Prefix.parse("192.168.16.0/24"));
        assertEquals(new Ip4Prefix(0x0a010101, 32), Ip4Prefix.parse("10.1.1.1", 32));
        assertEquals(new Ip4Prefix(0x0a000000, 8), Ip4Prefix.parse(" 10.0.0.0 / 8 "));
        assertEquals("192.168.16.0/24", Ip4Prefix.parse("192.168.16.1/24").network().toString());
    }

    @Test
    void refusesWhatIsNoPrefix() {
        assertThrows(IllegalArgumentException.class, () -> Ip4Prefix.parse("10.0.0.0"));
        assertThrows(IllegalArgumentException.class, () -> Ip4Prefix.parse("10.0.0/8"));
        assertThrows(IllegalArgumentException.class, () -> Ip4Prefix.parse("10.0.0.0/x"));
        assertFalse(Ip4Prefix.parse("10.0.0.0/33").lengthValid());
        assertTrue(Ip4Prefix.parse("10.0.0.1/8").hostBitsSet());
        assertFalse(Ip4Prefix.parse("0.0.0.0/0").hostBitsSet());
    }
}
