package io.sluice.acl.internal;

import io.sluice.acl.api.AclSessions.SessionTimeouts;
import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.Frame;
import io.sluice.graph.api.Node;
import io.sluice.graph.api.NodeContext;
import io.sluice.graph.api.NodeRegistration;
import io.sluice.graph.runtime.GraphHarness;
import io.sluice.packet.api.BufferPool;
import io.sluice.packet.api.Ipv4;
import io.sluice.vnet.internal.InterfaceTableImpl;
import io.sluice.vnet.testkit.CapturingDevice;

import java.util.ArrayList;
import java.util.List;

/**
 * The seed's box in a harness: interfaces GigabitEthernet0/8/0 (sw_if_index 1) and tap2 (6) with tap-N
 * between, start nodes for the two arcs (test-ip4-input hands IPv4 to ip4-unicast, test-ip4-rewrite
 * hands Ethernet frames to ip4-output with tx = the injected interface), pass-through stand-ins named as
 * the NAT features so the ACL's arcs are numbered as in the seed, and ip4-lookup captured.
 */
final class AclFixture implements AutoCloseable {
    static final String INPUT_START = "test-ip4-input";
    static final String OUTPUT_START = "test-ip4-rewrite";
    static final int GBE = 1;
    static final int TAP2 = 6;

    final GraphHarness harness = new GraphHarness();
    final ManualClock clock = new ManualClock();
    final InterfaceTableImpl interfaces = new InterfaceTableImpl(harness.engine());
    final AclManager manager = new AclManager(harness.engine(), interfaces);
    AclSessionsImpl sessions;
    final AclDenyLogImpl denyLog = new AclDenyLogImpl();
    final List<GraphHarness.Captured> routed;
    final List<byte[]> sentGbe;
    final List<byte[]> sentTap2;
    AclInputNode inputNode;
    AclOutputNode outputNode;

    AclFixture() {
        this(1000, SessionTimeouts.VPP_DEFAULTS);
    }

    AclFixture(long maxSessions, SessionTimeouts timeouts) {
        sessions = new AclSessionsImpl(harness.engine(), maxSessions, timeouts, clock);
        harness.add(new ArcStart(INPUT_START, new FeatureArc(FeatureArc.IP4_UNICAST, INPUT_START, "ip4-lookup"), false));
        harness.add(new ArcStart(OUTPUT_START, new FeatureArc(FeatureArc.IP4_OUTPUT, OUTPUT_START, "test-unrouted"), true));
        harness.add(new PassThrough("nat44-out2in", FeatureRegistration.on(FeatureArc.IP4_UNICAST), false));
        harness.add(new PassThrough("nat44-in2out-output", FeatureRegistration.on(FeatureArc.IP4_OUTPUT), true));
        routed = harness.capture("ip4-lookup");
        harness.capture("test-unrouted");
        inputNode = new AclInputNode(manager, sessions, denyLog);
        outputNode = new AclOutputNode(manager, sessions, denyLog);
        harness.add(inputNode).add(outputNode);
        sentGbe = register("GigabitEthernet0/8/0");
        for (int n = 0; n < 4; n++) {
            register("tap" + (10 + n));
        }
        sentTap2 = register("tap2");
        // As in the seed: nat44-out2in on both interfaces, nat44-in2out-output on the GbE egress only.
        harness.engine().enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", GBE, true);
        harness.engine().enableFeature(FeatureArc.IP4_UNICAST, "nat44-out2in", TAP2, true);
        harness.engine().enableFeature(FeatureArc.IP4_OUTPUT, "nat44-in2out-output", GBE, true);
    }

    /** Registers a capturing port, admin up; returns what it will have been asked to send. */
    private List<byte[]> register(String name) {
        CapturingDevice device = new CapturingDevice(name, 0x020000000000L | name.hashCode() & 0xffffffL);
        interfaces.setAdminUp(interfaces.register(device), true);
        return device.sent;
    }

    /** The seed's policy: pods open connections anywhere, inbound to a pod only as replies. */
    void seedPolicy() {
        seedPolicy(manager);
    }

    /** The same policy, given to {@code manager} (a new instance, as after an update of the bundle). */
    static void seedPolicy(AclManager manager) {
        manager.define(new io.sluice.acl.api.Acl("pod-reflect", 3,
                List.of(io.sluice.acl.api.AclRule.parse("permit+reflect src 0.0.0.0/0 dst 0.0.0.0/0"))));
        List<io.sluice.acl.api.AclRule> global = new ArrayList<>();
        for (int r = 0; r < 14; r++) {
            global.add(io.sluice.acl.api.AclRule.parse("deny dst 10.200." + r + ".0/24"));
        }
        global.add(io.sluice.acl.api.AclRule.parse("permit"));
        manager.define(new io.sluice.acl.api.Acl("global", 2, global));
        manager.define(new io.sluice.acl.api.Acl("pod-ingress", 1,
                List.of(io.sluice.acl.api.AclRule.parse("deny src 0.0.0.0/0 dst 0.0.0.0/0"))));
        manager.bind("tap2", List.of("pod-reflect"), List.of("pod-ingress"));
        manager.bind("GigabitEthernet0/8/0", List.of("pod-reflect"), List.of("global"));
    }

    /** A packet received on {@code sw}, at the ingress ACL. */
    void receive(byte[] frame, int sw, boolean traced) {
        harness.inject(INPUT_START, frame, sw, traced);
        harness.run();
    }

    /** A routed packet leaving on {@code sw}, at the egress ACL. */
    void send(byte[] frame, int sw, boolean traced) {
        harness.inject(OUTPUT_START, frame, sw, traced);
        harness.run();
    }

    long error(String node, String counter) {
        return harness.error(node, counter);
    }

    @Override
    public void close() {
        harness.close();
        sessions.close();
    }

    /** Starts a feature arc as ip4-input (IPv4 at current data) or ip4-rewrite (Ethernet at current data) would. */
    static final class ArcStart implements Node {
        private final NodeRegistration registration;
        private final boolean output;

        ArcStart(String name, FeatureArc arc, boolean output) {
            this.output = output;
            this.registration = NodeRegistration.internal(name, List.of(), List.of(), (r, o, c, out) -> out.append(name))
                    .startingArcs(arc);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.buffers()[i];
                // What ip4-input leaves in the metadata: the one parse of the header the ACL reads.
                Ipv4.recordHeader(pool, bi, 14);
                int sw = pool.rxSwIfIndex(bi);
                if (output) {
                    pool.setTxSwIfIndex(bi, sw);
                } else {
                    pool.advance(bi, 14);
                }
                frame.nexts()[i] = context.featureStart(0, sw);
            }
            return frame.count();
        }
    }

    /** Stands where a NAT feature sits on an arc, passing everything on. */
    static final class PassThrough implements Node {
        private final NodeRegistration registration;
        private final boolean output;

        PassThrough(String name, FeatureRegistration feature, boolean output) {
            this.output = output;
            this.registration = NodeRegistration.internal(name, List.of(), List.of(), (r, o, c, out) -> out.append(name))
                    .withFeature(feature);
        }

        @Override
        public NodeRegistration registration() {
            return registration;
        }

        @Override
        public int process(NodeContext context, Frame frame) {
            BufferPool pool = context.pool();
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.buffers()[i];
                frame.nexts()[i] = context.featureNext(output ? pool.txSwIfIndex(bi) : pool.rxSwIfIndex(bi));
            }
            return frame.count();
        }
    }
}
