package io.sluice.acl.internal;

import org.junit.jupiter.api.Test;

import static io.sluice.acl.internal.AclFixture.TAP2;
import static io.sluice.acl.internal.TestPackets.POD_IP;
import static io.sluice.acl.internal.TestPackets.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
