package io.sluice.ip4.node;

import io.sluice.graph.api.FeatureArc;
import io.sluice.ip4.api.Ip4Graph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.sluice.ip4.node.SeedBox.GBE_MAC;
import static io.sluice.ip4.node.SeedBox.GATEWAY_MAC;
import static io.sluice.ip4.node.SeedBox.NODE_IP;
import static io.sluice.ip4.node.SeedBox.POD_IP;
import static io.sluice.ip4.node.SeedBox.POD_MAC;
import static io.sluice.ip4.node.SeedBox.SERVER_IP;
import static io.sluice.ip4.node.SeedBox.TAP2_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ip4-source-check-via-rx and -via-any on the seed's box (the pod 10.1.1.3/32 attached on tap2, the default route
 * via the GbE): frames in, frames out, counters. Another pod's address, an internet address and the martians are
 * what a pod or the internet would spoof.
 */
class Ip4SourceCheckTest {
    private static final int DF = 0x4000;
    private static final int OTHER_POD_IP = 0x0a010104;
    private static final int INTERNET_HOST = 0xcb007133;
    private static final String STRICT = Ip4Graph.IP4_SOURCE_CHECK_VIA_RX;
    private static final String LOOSE = Ip4Graph.IP4_SOURCE_CHECK_VIA_ANY;

    private final SeedBox box = new SeedBox();

    Ip4SourceCheckTest() {
        box.h.add(new Ip4SourceCheckViaRxNode(box.fib));
        box.h.add(new Ip4SourceCheckViaAnyNode(box.fib));
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, box.h.outstanding(), "buffers leaked");
        box.close();
    }

    private void enable(String node, int sw) {
        box.h.engine().enableFeature(FeatureArc.IP4_UNICAST, node, sw, true);
    }

    private void fromPod(int source) {
        box.h.inject("ethernet-input", Packets.ip4(TAP2_MAC, POD_MAC, source, SERVER_IP, 17, 64, DF,
                Packets.udp(1000, 7, 10)), box.tap2, false);
        box.h.run();
    }

    private void fromGbe(int source, int destination) {
        box.h.inject("ethernet-input", Packets.ip4(GBE_MAC, GATEWAY_MAC, source, destination, 17, 64, DF,
                Packets.udp(7, 1000, 10)), box.gbe, false);
        box.h.run();
    }

    private long error(String node, String counter) {
        return box.h.error(node, counter);
    }

    @Test
    void strictOnAPodPortPassesOnlyThePodsOwnAddress() {
        enable(STRICT, box.tap2);
        fromPod(POD_IP);
        assertEquals(1, box.gbeDevice.sent.size(), "the pod's own source is routed back through tap2");
        fromPod(OTHER_POD_IP);
        fromPod(INTERNET_HOST);
        assertEquals(1, box.gbeDevice.sent.size(), "nothing spoofed leaves");
        assertEquals(2, error(STRICT, "src-check-miss"));
        assertEquals(0, error(STRICT, "martian-source"));
    }

    @Test
    void strictOnTheGbeDropsThePodsPrefixAndPassesTheInternet() {
        enable(STRICT, box.gbe);
        fromGbe(POD_IP, POD_IP);
        assertEquals(0, box.tapDevice.sent.size());
        assertEquals(1, error(STRICT, "src-check-miss"), "10.1.1.3 is routed via tap2, not the GbE");
        fromGbe(INTERNET_HOST, POD_IP);
        assertEquals(1, box.tapDevice.sent.size(), "an internet source is routed back by the default route");
        fromGbe(SeedBox.GATEWAY_IP, POD_IP);
        assertEquals(2, box.tapDevice.sent.size(), "the gateway, on the GbE's connected subnet");
    }

    @Test
    void martiansAreDroppedInBothModesAndCountedApart() {
        enable(STRICT, box.gbe);
        enable(LOOSE, box.tap2);
        int[] martians = {0x00000000, 0x00010203, 0x7f000001, 0xa9fe0101, 0xe0000001, 0xefffffff, 0xf0000001,
                0xffffffff, NODE_IP};
        for (int source : martians) {
            fromGbe(source, POD_IP);
            fromPod(source);
        }
        assertEquals(martians.length, error(STRICT, "martian-source"));
        assertEquals(martians.length, error(LOOSE, "martian-source"));
        assertEquals(0, error(STRICT, "src-check-miss") + error(LOOSE, "src-check-miss"));
        assertEquals(0, box.tapDevice.sent.size() + box.gbeDevice.sent.size());
        assertTrue(box.h.engine().errors().stream().anyMatch(e -> e.description().equals("ip4 source lookup miss")));
    }

    @Test
    void looseNeedsARouteThroughSomeInterface() {
        enable(LOOSE, box.gbe);
        fromGbe(POD_IP, POD_IP);
        assertEquals(1, box.tapDevice.sent.size(), "loose: 10.1.1.3 is routed, through whichever interface");
        box.fib.addDropRoute(0, 0xc6336400, 24);
        fromGbe(0xc6336401, POD_IP);
        assertTrue(box.fib.removeRoute(0, 0, 0));
        fromGbe(INTERNET_HOST, POD_IP);
        assertEquals(1, box.tapDevice.sent.size());
        assertEquals(2, error(LOOSE, "src-check-miss"), "a drop route and no route are both misses");
    }

    @Test
    void offChecksNothing() {
        fromPod(OTHER_POD_IP);
        fromPod(0x7f000001);
        assertEquals(2, box.gbeDevice.sent.size());
        assertEquals(0, error(STRICT, "src-check-miss") + error(STRICT, "martian-source"));
    }

    @Test
    void theTraceNamesTheSourceTheRouteAndTheVerdict() {
        enable(STRICT, box.tap2);
        box.h.inject("ethernet-input", Packets.ip4(TAP2_MAC, POD_MAC, OTHER_POD_IP, SERVER_IP, 17, 64, DF,
                Packets.udp(1000, 7, 10)), box.tap2, true);
        box.h.run();
        String block = box.traceOf(1).get(STRICT);
        assertTrue(block != null, box.h.trace());
        assertTrue(block.matches("  sw_if_index 2 src 10\\.1\\.1\\.4 fib 0 dpo-idx \\d+ via sw_if_index 1 \\(via-rx\\):"
                + " src-check-miss"), block);
        assertFalse(box.traceOf(1).containsKey(Ip4Graph.IP4_LOOKUP), "dropped before the lookup");
    }

    @Test
    void theCheckRunsBeforeTheAclAndNat() {
        assertEquals(java.util.List.of("acl-plugin-in-ip4-fa", "nat44-out2in"), Ip4SourceCheck.FEATURE.runsBefore());
    }

    /**
     * A pod's ARP request may claim any sender address (proxy ARP answers it): the neighbour is held, bounded, but
     * routes nothing unless it is on a subnet of its interface or the host a route attaches there. Otherwise the
     * server's traffic would follow the /32 into the pod, and the pod's spoofed source would pass the check.
     */
    @Test
    void aNeighbourClaimedOffLinkGetsNoRouteAndOpensNoSource() {
        enable(STRICT, box.tap2);
        long now = 1_000_000_000L;
        box.neighbours.learn(box.tap2, SERVER_IP, POD_MAC, now);
        box.neighbours.learn(box.tap2, INTERNET_HOST, POD_MAC, now);
        box.neighbours.learn(box.gbe, 0xc0a8104d, 0x08002702a5aaL, now);
        box.neighbours.maintain(now);
        assertEquals(POD_MAC, box.neighbours.mac(box.tap2, SERVER_IP), "learned, in the table");
        assertEquals("static", box.fib.longestMatch(0, SERVER_IP).source(), "the server is still via the default route");
        assertEquals(0, box.fib.longestMatch(0, SERVER_IP).length());
        fromPod(INTERNET_HOST);
        assertEquals(0, box.gbeDevice.sent.size());
        assertEquals(1, error(STRICT, "src-check-miss"));
        assertEquals("neighbour", box.fib.longestMatch(0, 0xc0a8104d).source(), "a host on the GbE's subnet has its /32");
        assertEquals(32, box.fib.longestMatch(0, 0xc0a8104d).length());
    }

    /** A static neighbour configured before its interface's address gets its /32 once the subnet exists. */
    @Test
    void aNeighbourBeforeItsSubnetIsRoutedWhenTheSubnetArrives() {
        int host = 0xac100005;
        box.neighbours.addStatic(box.gbe, host, 0x08002702a5bbL);
        assertEquals(0, box.fib.longestMatch(0, host).length(), "off-link so far: the default route");
        box.interfaces.addIp4Address(box.gbe, 0xac100001, 24);
        assertEquals("neighbour", box.fib.longestMatch(0, host).source());
        box.interfaces.removeIp4Address(box.gbe, 0xac100001, 24);
        assertEquals(0, box.fib.longestMatch(0, host).length(), "and withdrawn with it");
    }
}
