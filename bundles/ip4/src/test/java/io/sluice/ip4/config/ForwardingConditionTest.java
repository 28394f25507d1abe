package io.sluice.ip4.config;

import io.sluice.ip4.config.ConfigProgress.Entry;
import io.sluice.ip4.config.ConfigProgress.State;
import io.sluice.ip4.config.ForwardingCondition.Configured;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the box says it forwards: every configuration in force, every interface they put up up and polled. */
class ForwardingConditionTest {

    private static final Configured GBE = new Configured("io.sluice.interface.gbe", InterfaceConfig.PID);
    private static final Configured TAP2 = new Configured("io.sluice.interface.tap2", InterfaceConfig.PID);
    private static final Configured DEFAULT_ROUTE = new Configured("io.sluice.ip4.route.default", RouteConfig.PID);
    private static final Configured NEIGHBOUR = new Configured("io.sluice.ip4.neighbour.pod1", NeighbourConfig.PID);

    private final Map<String, String> down = new HashMap<>();

    private final ForwardingCondition.Ports ports = new ForwardingCondition.Ports() {
        @Override
        public String notForwarding(String name) {
            return down.get(name);
        }

        @Override
        public String describe(String name) {
            return name + " (test-input, worker 0)";
        }
    };

    private static Entry applied(String origin, String upInterface) {
        return new Entry("", origin, State.APPLIED, "", upInterface);
    }

    private Map<String, Entry> allApplied() {
        Map<String, Entry> progress = new HashMap<>();
        progress.put(GBE.pid(), applied("etc/io.sluice.interface-gbe.cfg", "GigabitEthernet0/8/0"));
        progress.put(TAP2.pid(), applied("etc/io.sluice.interface-tap2.cfg", "tap2"));
        progress.put(DEFAULT_ROUTE.pid(), applied("etc/io.sluice.ip4.route-default.cfg", null));
        progress.put(NEIGHBOUR.pid(), applied("etc/io.sluice.ip4.neighbour-pod1.cfg", null));
        return progress;
    }

    private static final List<Configured> SEED = List.of(GBE, TAP2, DEFAULT_ROUTE, NEIGHBOUR);

    @Test
    void forwardsWhenEveryConfigurationIsInForceAndEveryPortIsPolled() {
        ForwardingCondition.Result result = ForwardingCondition.evaluate(SEED, allApplied(), ports);
        assertTrue(result.forwarding(), result.reasons().toString());
        assertEquals("2 interfaces up and polled (GigabitEthernet0/8/0 (test-input, worker 0), tap2 (test-input,"
                + " worker 0)), 1 route and 1 neighbour configured", result.summary());
    }

    @Test
    void aRouteWaitingForItsInterfaceOrNotYetDeliveredHoldsItBack() {
        Map<String, Entry> progress = allApplied();
        progress.put(DEFAULT_ROUTE.pid(), new Entry(RouteConfig.PID, "etc/io.sluice.ip4.route-default.cfg",
                State.WAITING, "waiting for interface GigabitEthernet0/8/0 to be registered", null));
        ForwardingCondition.Result waiting = ForwardingCondition.evaluate(SEED, progress, ports);
        assertFalse(waiting.forwarding());
        assertEquals(List.of("etc/io.sluice.ip4.route-default.cfg: waiting for interface GigabitEthernet0/8/0 to be"
                + " registered"), waiting.reasons());

        progress.remove(DEFAULT_ROUTE.pid());
        assertEquals(List.of("io.sluice.ip4.route.default: not yet received by its component"),
                ForwardingCondition.evaluate(SEED, progress, ports).reasons());
    }

    @Test
    void aPortDownOrNotPolledHoldsItBackWithItsReason() {
        down.put("tap2", "no worker polls [virtio-input] yet");
        ForwardingCondition.Result result = ForwardingCondition.evaluate(SEED, allApplied(), ports);
        assertFalse(result.forwarding());
        assertEquals(List.of("tap2: no worker polls [virtio-input] yet"), result.reasons());
    }

    @Test
    void anInterfaceConfiguredAdminDownNeedsNoLink() {
        Map<String, Entry> progress = allApplied();
        progress.put(TAP2.pid(), applied("etc/io.sluice.interface-tap2.cfg", null));
        down.put("tap2", "link down");
        assertTrue(ForwardingCondition.evaluate(SEED, progress, ports).forwarding());
    }

    @Test
    void aRefusedConfigurationDoesNotHoldItBackButIsNamed() {
        Map<String, Entry> progress = allApplied();
        progress.put(NEIGHBOUR.pid(), new Entry(NeighbourConfig.PID, "etc/io.sluice.ip4.neighbour-pod1.cfg",
                State.REFUSED, "key 'mac': bad", null));
        ForwardingCondition.Result result = ForwardingCondition.evaluate(SEED, progress, ports);
        assertTrue(result.forwarding());
        assertTrue(result.summary().endsWith("; refused, with the error logged: etc/io.sluice.ip4.neighbour-pod1.cfg"),
                result.summary());
    }

    @Test
    void aBoxWithNoInterfaceConfiguredOrNoneUpDoesNotForward() {
        assertEquals(List.of("no interface is configured (etc/io.sluice.interface-<name>.cfg)"),
                ForwardingCondition.evaluate(List.of(DEFAULT_ROUTE), allApplied(), ports).reasons());
        Map<String, Entry> progress = allApplied();
        progress.put(GBE.pid(), applied("etc/io.sluice.interface-gbe.cfg", null));
        progress.put(TAP2.pid(), applied("etc/io.sluice.interface-tap2.cfg", null));
        assertEquals(List.of("no configured interface is admin up"),
                ForwardingCondition.evaluate(SEED, progress, ports).reasons());
    }
}
