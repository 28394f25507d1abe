package io.sluice.common.state;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ZeroPagesTest {
    private static final long BYTES = 1L << 22;

    @Test
    void zerosThatClearAgainAndGoWithTheirArena() {
        Arena arena = Arena.ofShared();
        MemorySegment memory = ZeroPages.allocate(arena, BYTES);
        assertEquals(BYTES, memory.byteSize());
        assertEquals(0, memory.address() % 4096, "page-aligned");
        assertEquals(0L, memory.get(ValueLayout.JAVA_LONG, 0));
        assertEquals(0L, memory.get(ValueLayout.JAVA_LONG, BYTES - 8));
        memory.set(ValueLayout.JAVA_LONG, 8, 7L);
        memory.set(ValueLayout.JAVA_LONG, BYTES - 8, 9L);
        ZeroPages.clear(memory);
        assertEquals(0L, memory.get(ValueLayout.JAVA_LONG, 8));
        assertEquals(0L, memory.get(ValueLayout.JAVA_LONG, BYTES - 8));
        arena.close();
        assertThrows(IllegalStateException.class, () -> memory.get(ValueLayout.JAVA_LONG, 0));
    }
}
