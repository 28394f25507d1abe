package io.sluice.graph.runtime;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import io.sluice.graph.api.NodeRegistration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureStateTest {
    private static final FeatureArc ARC = new FeatureArc("test-arc", "start", "end");
    private final GraphHarness harness = new GraphHarness();

    @AfterEach
    void close() {
        harness.close();
    }

    private static NodeRegistration feature(String name, FeatureRegistration where) {
        return NodeRegistration.internal(name, List.of(), List.of(), null).withFeature(where);
    }

    private static Map<String, NodeRegistration> registrations(NodeRegistration... all) {
        Map<String, NodeRegistration> byName = new LinkedHashMap<>();
        for (NodeRegistration registration : all) {
            byName.put(registration.name(), registration);
        }
        return byName;
    }

    @Test
    void aChangeMakesANewStateAndLeavesTheOldOneAsItWas() {
        FeatureState.Enabled acl = new FeatureState.Enabled("test-arc", "acl", 1);
        FeatureState one = FeatureState.EMPTY.with(acl);
        assertSame(one, one.with(acl), "enabling twice changes nothing");
        assertSame(FeatureState.EMPTY, FeatureState.EMPTY.without(acl), "disabling what is off changes nothing");
        FeatureState none = one.without(acl);
        assertEquals(List.of(acl), one.enabled(), "the old state is a value");
        assertEquals(List.of(), none.enabled());
        assertEquals(Set.of("acl"), one.enabledOn("test-arc", 1));
        assertEquals(Set.of(), one.enabledOn("test-arc", 2));
    }

    @Test
    void arcEndsArePerInterfaceAndTheLastOneSetHolds() {
        FeatureState state = FeatureState.EMPTY.withEnd(new FeatureState.ArcEnd("test-arc", 3, "if3-output"))
                .withEnd(new FeatureState.ArcEnd("test-arc", 3, "other-output"));
        assertEquals(1, state.ends().size());
        assertEquals("other-output", state.end(ARC, 3));
        assertEquals("end", state.end(ARC, 2), "no end set: the arc's default");
        assertEquals(4, state.interfaceSpan("test-arc"));
        assertEquals(0, state.interfaceSpan("another-arc"));
    }

    @Test
    void featuresAreOrderedByTheirConstraintsThenByNameAndSlowPathsAreNoMembers() {
        Map<String, NodeRegistration> known = registrations(
                feature("nat", FeatureRegistration.on("test-arc").after("acl")),
                feature("acl", FeatureRegistration.on("test-arc")),
                feature("dscp", FeatureRegistration.on("test-arc").before("acl")),
                feature("alpha", FeatureRegistration.on("test-arc")),
                feature("nat-slowpath", FeatureRegistration.continuing("test-arc", "nat")),
                feature("elsewhere", FeatureRegistration.on("other-arc")));
        assertEquals(List.of("alpha", "dscp", "acl", "nat"), FeatureState.order("test-arc", known));

        FeatureState state = FeatureState.EMPTY.with(new FeatureState.Enabled("test-arc", "nat", 1))
                .with(new FeatureState.Enabled("test-arc", "dscp", 1));
        assertEquals(List.of("dscp", "nat"), state.enabledInOrder("test-arc", 1, known));
        List<String> ordered = FeatureState.order("test-arc", known);
        assertEquals("dscp", state.nextAfter(ARC, ordered, null, 1));
        assertEquals("nat", state.nextAfter(ARC, ordered, "dscp", 1));
        assertEquals("end", state.nextAfter(ARC, ordered, "nat", 1));
        assertEquals("end", state.nextAfter(ARC, ordered, null, 2));
    }

    @Test
    void aCycleStillOrdersEveryFeature() {
        Map<String, NodeRegistration> known = registrations(
                feature("x", FeatureRegistration.on("test-arc").after("y")),
                feature("y", FeatureRegistration.on("test-arc").after("x")));
        assertEquals(List.of("x", "y"), FeatureState.order("test-arc", known));
    }

    /**
     * Policy is state: a feature enabled on an interface stays enabled while the node providing it is away (a
     * bundle update), its buffers park rather than bypass it, and the replacement gets them.
     */
    @Test
    void anEnabledFeatureSurvivesItsProvidersDepartureAndItsBuffersWait() {
        harness.add(new TestNodes.ArcStart("start", ARC));
        TestNodes.Feature guard = new TestNodes.Feature("guard", FeatureRegistration.on("test-arc"), null, false);
        harness.add(guard);
        List<GraphHarness.Captured> end = harness.capture("end");
        harness.engine().enableFeature("test-arc", "guard", 1, true);

        harness.engine().removeNode(guard);
        assertEquals(List.of("guard"), harness.engine().enabledFeatures("test-arc", 1));
        for (int i = 0; i < 5; i++) {
            harness.inject("start", new byte[60], 1, false);
        }
        harness.run();
        assertEquals(0, end.size(), "nothing bypasses the absent feature");
        assertEquals(5, harness.engine().pending(0, "guard"));
        assertEquals(NodeRegistry.ABSENT, harness.engine().nodes().stream()
                .filter(n -> n.name().equals("guard")).findFirst().orElseThrow().state());
        assertTrue(harness.engine().problems().stream().anyMatch(p -> p.contains("feature 'guard'")
                && p.contains("being replaced")), harness.engine().problems().toString());

        harness.add(new TestNodes.Feature("guard", FeatureRegistration.on("test-arc"), null, false));
        harness.run();
        assertEquals(5, end.size(), "the replacement carries the parked buffers on");
        assertEquals(0, harness.outstanding());
    }
}
