package io.sluice.acl.internal;

import org.junit.jupiter.api.Test;

import static io.sluice.acl.internal.AclFixture.TAP2;
import static io.sluice.acl.internal.TestPackets.POD_IP;
import static io.sluice.acl.internal.TestPackets.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.graph.api.FeatureArc;

/**
 * The ACL nodes are replaced while sessions exist and traffic is in flight: the new instances attach to the
 * same off-heap session table, so replies keep passing and nothing leaks.
 */
class HotSwapTest {

    @Test
    void sessionsSurviveReplacingBothNodesUnderTraffic() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            int flows = 50;
            for (int f = 0; f < flows; f++) {
                box.receive(TestPackets.tcp(POD_IP, 30000 + f, SERVER_IP, 443, 0x02), TAP2, false);
            }
            assertEquals(flows, box.sessions.stats().live());

            // Replies queued for the egress ACL while its node is gone are parked, then handed to the new one.
            box.harness.engine().removeNode(box.inputNode);
            box.harness.engine().removeNode(box.outputNode);
            for (int f = 0; f < flows; f++) {
                box.harness.inject(AclFixture.OUTPUT_START,
                        TestPackets.tcp(SERVER_IP, 443, POD_IP, 30000 + f, 0x12), TAP2, false);
            }
            box.harness.run();
            assertEquals(0, box.sentTap2.size());

            box.inputNode = new AclInputNode(box.manager, box.sessions);
            box.outputNode = new AclOutputNode(box.manager, box.sessions);
            box.harness.add(box.inputNode).add(box.outputNode);
            box.harness.run();
            assertEquals(flows, box.sentTap2.size(), "parked replies pass through the new node as sessions");

            for (int f = 0; f < flows; f++) {
                box.send(TestPackets.tcp(SERVER_IP, 443, POD_IP, 30000 + f, 0x10), TAP2, false);
            }
            assertEquals(2 * flows, box.sentTap2.size());
            assertEquals(2 * flows, box.error(AclOutputNode.NAME, "acl-exist-session"));
            box.send(TestPackets.tcp(SERVER_IP, 443, POD_IP, 29999, 0x12), TAP2, false);
            assertEquals(2 * flows, box.sentTap2.size(), "the new node still denies what is not a reply");
            assertEquals(0, box.harness.outstanding());
        }
    }

    /**
     * A bundle update: the session holder component is deactivated and a new one (the new bundle's) is
     * activated, with new node instances. The sessions live in memory the graph retains, so replies of
     * connections opened before the update still pass and their counters carry on.
     */
    @Test
    void sessionsSurviveAnUpdateOfTheWholeAclBundle() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            int flows = 20;
            for (int f = 0; f < flows; f++) {
                box.receive(TestPackets.tcp(POD_IP, 40000 + f, SERVER_IP, 80, 0x02), TAP2, false);
            }
            long addedBefore = box.sessions.stats().added();

            box.harness.engine().removeNode(box.inputNode);
            box.harness.engine().removeNode(box.outputNode);
            box.sessions.close();
            box.sessions = new AclSessionsImpl(box.harness.engine(), 1000,
                    io.sluice.acl.api.AclSessions.SessionTimeouts.VPP_DEFAULTS, box.clock);
            box.inputNode = new AclInputNode(box.manager, box.sessions);
            box.outputNode = new AclOutputNode(box.manager, box.sessions);
            box.harness.add(box.inputNode).add(box.outputNode);

            assertEquals(flows, box.sessions.stats().live(), "the new holder sees the old sessions");
            assertEquals(addedBefore, box.sessions.stats().added(), "and their counters");
            for (int f = 0; f < flows; f++) {
                box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 40000 + f, 0x12), TAP2, false);
            }
            assertEquals(flows, box.sentTap2.size(), "replies to connections opened before the update pass");
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 39999, 0x02), TAP2, false);
            assertEquals(flows, box.sentTap2.size(), "an unsolicited SYN is still denied");
            assertEquals(0, box.harness.outstanding());
        }
    }

    /**
     * An update of the ACL bundle as Karaf does it: the old manager deactivates, its nodes leave, a new manager
     * starts with no configuration read yet, then its files are applied again. At no point does anything that
     * is not a reply reach the pod: the features stay on the arcs, what arrives while the nodes are absent is
     * parked, and what the new nodes see before the lists are loaded is dropped and counted.
     */
    @Test
    void anUpdateOfTheAclBundleNeverOpensTheFirewall() {
        try (AclFixture box = new AclFixture()) {
            box.seedPolicy();
            box.receive(TestPackets.tcp(POD_IP, 50000, SERVER_IP, 80, 0x02), TAP2, false);

            box.manager.deactivate();
            box.harness.engine().removeNode(box.inputNode);
            box.harness.engine().removeNode(box.outputNode);
            assertTrue(box.harness.engine().enabledFeatures(FeatureArc.IP4_OUTPUT, TAP2).contains(AclOutputNode.NAME),
                    "the pod's egress ACL stays on its arc while the bundle is away");
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 9999, 0x02), TAP2, false);
            assertEquals(0, box.sentTap2.size(), "parked while the node is absent");

            AclManager next = new AclManager(box.harness.engine(), box.interfaces);
            box.inputNode = new AclInputNode(next, box.sessions);
            box.outputNode = new AclOutputNode(next, box.sessions);
            box.harness.add(box.inputNode).add(box.outputNode);
            box.harness.run();
            assertEquals(0, box.sentTap2.size(), "the parked SYN meets no list: dropped");
            assertEquals(1, box.error(AclOutputNode.NAME, "acl-no-policy"));
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 50000, 0x12), TAP2, false);
            assertEquals(1, box.sentTap2.size(), "a reply of a connection opened before the update passes");

            next.define(new io.sluice.acl.api.Acl("pod-reflect", 3,
                    java.util.List.of(io.sluice.acl.api.AclRule.parse("permit+reflect"))));
            next.bind("tap2", java.util.List.of("pod-reflect"), java.util.List.of("pod-ingress"));
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 9998, 0x02), TAP2, false);
            assertEquals(1, box.sentTap2.size(), "a list naming an ACL not defined yet is not in force: dropped");
            assertEquals(2, box.error(AclOutputNode.NAME, "acl-no-policy"));

            AclFixture.seedPolicy(next);
            box.send(TestPackets.tcp(SERVER_IP, 80, POD_IP, 9997, 0x02), TAP2, false);
            assertEquals(1, box.sentTap2.size(), "the reloaded policy denies it by its rules");
            assertEquals(1, box.error(AclOutputNode.NAME, "acl-drop") - 2);
            assertEquals(0, box.harness.outstanding());
        }
    }
}
