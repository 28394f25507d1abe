package io.sluice.ethernet.internal;

import io.sluice.ethernet.api.NeighbourTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeighbourTableImplTest {
    static final int IP = 0xc0a81064;
    static final long MAC = 0x08002702a536L;
    static final long OTHER_MAC = 0x08002702a537L;

    @Test
    void staticEntriesAreVisibleAtOnceAndNeverAgeOrMove() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        table.addStatic(1, IP, MAC);
        assertEquals(MAC, table.mac(1, IP));
        assertEquals(NeighbourTable.NO_MAC, table.mac(2, IP));
        table.learn(1, IP, OTHER_MAC, 0);
        table.maintain(TimeUnit.DAYS.toNanos(10));
        assertEquals(MAC, table.mac(1, IP));
        assertTrue(table.entries().get(0).isStatic());
    }

    @Test
    void learnedEntriesAppearAfterMaintenanceAndAgeOutUnlessHeardAgain() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        table.setAgeingSeconds(10);
        List<String> events = new ArrayList<>();
        table.addListener((sw, ip, mac) -> events.add(sw + " " + Integer.toHexString(ip) + " " + mac));
        long t0 = 1_000_000_000L;
        table.learn(1, IP, MAC, t0);
        assertEquals(NeighbourTable.NO_MAC, table.mac(1, IP));
        table.maintain(t0);
        assertEquals(MAC, table.mac(1, IP));
        table.learn(1, IP, MAC, t0 + TimeUnit.SECONDS.toNanos(8));
        table.maintain(t0 + TimeUnit.SECONDS.toNanos(15));
        assertEquals(MAC, table.mac(1, IP), "refreshed at 8 s, so alive at 15 s");
        table.maintain(t0 + TimeUnit.SECONDS.toNanos(19));
        assertEquals(NeighbourTable.NO_MAC, table.mac(1, IP));
        assertEquals(List.of("1 c0a81064 " + MAC, "1 c0a81064 -1"), events);
    }

    /**
     * The lab's "legit 0": after a restart the GbE's gateway answered the first packet's ARP, but the answer waited in
     * the learn queue for the next 100 ms period, and every datagram of a shorter burst was dropped by ip4-arp. A
     * learn must wake the maintainer at once, once per drain, and a neighbour heard again must not.
     */
    @Test
    void aLearnedNeighbourWakesTheMaintainerOncePerDrain() {
        int[] wakes = {0};
        NeighbourTableImpl table = new NeighbourTableImpl(() -> wakes[0]++);
        table.learn(3, IP, MAC, 5);
        assertEquals(1, wakes[0], "the first learn asks for a drain");
        table.learn(3, IP + 1, MAC, 6);
        assertEquals(1, wakes[0], "one wake is pending: the next learn does not ask again");
        table.maintain(7);
        assertEquals(MAC, table.mac(3, IP));
        table.learn(3, IP, MAC, 8);
        assertEquals(1, wakes[0], "a neighbour heard again with its MAC is refreshed in place, no drain");
        table.learn(3, IP + 2, MAC, 9);
        assertEquals(2, wakes[0], "after a drain, the next new neighbour wakes the maintainer again");
    }

    @Test
    void aMovedNeighbourIsUpdated() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        table.learn(3, IP, MAC, 5);
        table.maintain(5);
        table.learn(3, IP, OTHER_MAC, 6);
        table.maintain(6);
        assertEquals(OTHER_MAC, table.mac(3, IP));
    }

    @Test
    void theLearnQueueIsBoundedAndCountsOverflow() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        int interfaces = NeighbourTableImpl.LEARN_QUEUE_CAPACITY / NeighbourTableImpl.LEARN_QUEUE_SHARE;
        for (int sw = 0; sw < interfaces; sw++) {
            for (int i = 0; i < NeighbourTableImpl.LEARN_QUEUE_SHARE; i++) {
                table.learn(sw, i + 1, MAC, 0);
            }
        }
        assertEquals(0, table.learnQueueOverflows(), "every interface within its share, the queue just full");
        for (int i = 0; i < 10; i++) {
            table.learn(interfaces, i + 1, MAC, 0);
        }
        assertEquals(10, table.learnQueueOverflows());
        table.maintain(0);
        assertEquals(NeighbourTableImpl.LEARN_QUEUE_CAPACITY, table.entries().size());
        table.learn(1, 0x7f000001, MAC, 0);
        table.maintain(0);
        assertEquals(MAC, table.mac(1, 0x7f000001), "the queue is usable again after a drain");
    }

    /**
     * Between two drains a pod floods ARP with thousands of invented senders: it fills its own share of the learn
     * queue, and the gateway's reply on the GbE, heard in the middle of the flood, is still queued and learned.
     */
    @Test
    void aFloodBetweenTwoDrainsLeavesTheGatewayASlotInTheLearnQueue() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        int gateway = 0xc0a81064;
        for (int i = 0; i < 5000; i++) {
            table.learn(6, 0x0a640000 + i, MAC + 2, 0);
            if (i == 2500) {
                table.learn(1, gateway, MAC, 0);
            }
        }
        assertEquals(5000 - NeighbourTableImpl.LEARN_QUEUE_SHARE, table.learnQueueOverflows());
        table.maintain(0);
        assertEquals(MAC, table.mac(1, gateway));
        assertEquals(NeighbourTableImpl.LEARN_QUEUE_SHARE,
                table.entries().stream().filter(n -> n.swIfIndex() == 6).count());
        table.learn(6, 0x0a650000, MAC + 2, 0);
        table.maintain(0);
        assertEquals(MAC + 2, table.mac(6, 0x0a650000), "the pod's share is free again after the drain");
    }

    /**
     * The GbE's own share is full of neighbours all heard just now (a flood from the internet side): the gateway,
     * aged out, is still relearned at once, by evicting one of them; the static entry on the GbE stays.
     */
    @Test
    void theGatewayIsRelearnedWhenItsInterfacesShareIsFullOfFreshEntries() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        table.setMaxEntriesPerInterface(50);
        long second = TimeUnit.SECONDS.toNanos(1);
        int gateway = 0xc0a81064;
        table.addStatic(1, 0xc0a81065, OTHER_MAC);
        long now = 10 * second;
        for (int i = 0; i < 200; i++) {
            table.learn(1, 0xc0a81100 + i, MAC + 3, now);
        }
        table.maintain(now);
        assertEquals(51, table.entries().stream().filter(n -> n.swIfIndex() == 1).count());
        long evicted = table.evictions();
        table.learn(1, gateway, MAC, now);
        table.maintain(now);
        assertEquals(MAC, table.mac(1, gateway), "learned although every entry of the share was heard this second");
        assertEquals(OTHER_MAC, table.mac(1, 0xc0a81065), "static entries are never evicted");
        assertEquals(evicted + 1, table.evictions());
        assertEquals(0, table.tableFullRefusals());
    }

    /** A share holding only static entries refuses a new dynamic one, and counts it. */
    @Test
    void onlyStaticsLeftIsARefusal() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        table.setMaxEntries(2);
        table.addStatic(1, 1, MAC);
        table.addStatic(2, 2, MAC);
        table.learn(1, 3, MAC, 0);
        table.maintain(0);
        assertEquals(NeighbourTable.NO_MAC, table.mac(1, 3));
        assertEquals(1, table.tableFullRefusals());
        assertEquals(2, table.entries().size());
    }

    @Test
    void tableSizeIsBoundedAndTheLeastRecentlyHeardMakesRoom() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        table.setMaxEntries(2);
        long second = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
        table.learn(1, 1, MAC, 0);
        table.learn(1, 2, MAC, 0);
        table.maintain(0);
        table.learn(1, 1, MAC, 5 * second); // heard again: the other one is now the least recently heard
        table.learn(1, 3, MAC, 5 * second);
        table.maintain(5 * second);
        assertEquals(2, table.entries().size());
        assertEquals(MAC, table.mac(1, 1));
        assertEquals(MAC, table.mac(1, 3));
        assertEquals(NeighbourTable.NO_MAC, table.mac(1, 2));
        assertEquals(1, table.evictions());
        assertEquals(0, table.tableFullRefusals());
    }

    /**
     * A pod that makes the box learn a neighbour for every address it invents (proxy ARP answers them all) fills
     * its own interface's share only: the GbE's gateway, learned before, is never evicted and can be relearned
     * after ageing; static entries are never evicted at all.
     */
    @Test
    void anArpFloodFromOnePodCannotPushTheGatewayOut() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        table.setMaxEntriesPerInterface(100);
        long second = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
        int gateway = 0xc0a81064;
        table.learn(1, gateway, MAC, 0);
        table.addStatic(6, 0x0a010103, MAC + 1);
        table.maintain(0);
        long now = 2 * second;
        for (int burst = 0; burst < 20; burst++) {
            for (int i = 0; i < 500; i++) {
                table.learn(6, 0x0a640000 + burst * 500 + i, MAC + 2, now);
            }
            table.maintain(now);
            now += second;
        }
        assertEquals(MAC, table.mac(1, gateway), "the gateway on the GbE is untouched");
        assertEquals(MAC + 1, table.mac(6, 0x0a010103), "the pod's static entry stays");
        assertEquals(101, table.entries().stream().filter(n -> n.swIfIndex() == 6).count(),
                "tap's share (100 dynamic) plus its static entry");
        assertEquals(20 * NeighbourTableImpl.LEARN_QUEUE_SHARE - 100, table.evictions(),
                "each burst queues the pod's share of the learn queue, each beyond the first 100 evicts one");
        assertEquals(20 * (500 - NeighbourTableImpl.LEARN_QUEUE_SHARE), table.learnQueueOverflows());

        table.setAgeingSeconds(1);
        table.maintain(now + 10 * second);
        assertEquals(NeighbourTable.NO_MAC, table.mac(1, gateway), "aged out");
        table.learn(1, gateway, MAC, now + 10 * second);
        table.maintain(now + 10 * second);
        assertEquals(MAC, table.mac(1, gateway), "and relearned at once");
    }

    @Test
    void groupMacsAreRefused() {
        NeighbourTableImpl table = new NeighbourTableImpl();
        assertThrows(IllegalArgumentException.class, () -> table.addStatic(1, IP, 0xffffffffffffL));
        assertTrue(table.remove(1, IP) == false);
    }
}
