package io.sluice.packet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PortBlocksTest {

    @Test
    void oneWorkerHasTheWholeDynamicRange() {
        PortBlocks one = new PortBlocks(1);
        assertEquals(1024, one.first(0));
        assertEquals(65535, one.last(0));
        assertEquals(0, one.owner(1024));
        assertEquals(0, one.owner(65535));
    }

    @Test
    void twoWorkersSplitTheRangeInTwoContiguousBlocks() {
        PortBlocks two = new PortBlocks(2);
        assertEquals(32256, two.perWorker());
        assertEquals(33279, two.last(0));
        assertEquals(33280, two.first(1));
        assertEquals(0, two.owner(33279));
        assertEquals(1, two.owner(33280));
        assertEquals(1, two.owner(65535));
        assertEquals(0, two.owner(80), "a well-known port is in no block: worker 0");
    }

    @Test
    void theRemainderOfAnUnevenSplitBelongsToWorkerZeroAndEveryBlockPortToItsOwner() {
        PortBlocks five = new PortBlocks(5);
        assertEquals(12902, five.perWorker());
        assertEquals(0, five.owner(65535), "64512 = 5 * 12902 + 2: the last two ports are in no block");
        for (int worker = 0; worker < 5; worker++) {
            for (int port = five.first(worker); port <= five.last(worker); port += 97) {
                assertEquals(worker, five.owner(port), "port " + port);
            }
            assertEquals(worker, five.owner(five.last(worker)));
        }
        assertThrows(IllegalArgumentException.class, () -> new PortBlocks(0));
        assertThrows(IllegalArgumentException.class, () -> new PortBlocks(65));
    }
}
