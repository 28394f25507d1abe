package io.sluice.graph.runtime;

import io.sluice.graph.api.FeatureArc;
import io.sluice.graph.api.FeatureRegistration;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphBuilderTest {
    private static final FeatureArc ARC = new FeatureArc("test-arc", "start", "end");
    private final NodeRegistry registry = new NodeRegistry();

    private static SlotPlan plan(GraphSnapshot snapshot, String name) {
        return Arrays.stream(snapshot.plans).filter(p -> p.name.equals(name)).findFirst().orElseThrow();
    }

    /** The node names a plan's per-interface table leads to. */
    private static List<String> names(SlotPlan plan, int[] arcs) {
        return Arrays.stream(arcs).mapToObj(arc -> plan.nextNames[arc]).toList();
    }

    @Test
    void nextArcsResolveToSlotsAndANameNobodyRegisteredGetsTheNextSlotWithoutTouchingTheRegistry() {
        registry.add(new TestNodes.Pass("a", "b"));
        registry.add(new TestNodes.Pass("b", "c"));
        int known = registry.slotCount();

        GraphBuilder.Result built = GraphBuilder.build(registry, FeatureState.EMPTY, 256, 7);
        GraphSnapshot snapshot = built.snapshot();
        assertEquals(7, snapshot.version);
        assertEquals(known, registry.slotCount(), "building changes nothing");
        assertEquals(known + 1, snapshot.plans.length);
        SlotPlan c = snapshot.plans[known];
        assertEquals("c", c.name);
        assertNull(c.node, "c parks");
        assertArrayEquals(new int[]{registry.slot("b")}, plan(snapshot, "a").nextSlots);
        assertArrayEquals(new int[]{known}, plan(snapshot, "b").nextSlots);
        assertEquals(List.of(new GraphBuilder.Problem(GraphBuilder.Cause.MISSING, "node 'b' next arc 0 'c': no such node "
                + "is registered; buffers sent there are parked (at most 256 per worker), then dropped and counted")),
                built.problems());

        GraphBuilder.claimNewSlots(registry, snapshot);
        assertEquals(known, registry.slot("c"));
        assertEquals(snapshot.plans.length, GraphBuilder.build(registry, FeatureState.EMPTY, 256, 8).snapshot().plans.length,
                "once claimed, the slot is the registry's");
    }

    @Test
    void featureArcsCompileToPerInterfaceTablesInFeatureOrder() {
        registry.add(new TestNodes.ArcStart("start", ARC));
        registry.add(new TestNodes.Feature("second", FeatureRegistration.on("test-arc").after("first"), null, false));
        registry.add(new TestNodes.Feature("first", FeatureRegistration.on("test-arc"), null, false));
        registry.add(new TestNodes.Feature("first-slow", FeatureRegistration.continuing("test-arc", "first"), null, false));
        FeatureState features = FeatureState.EMPTY
                .with(new FeatureState.Enabled("test-arc", "second", 1))
                .with(new FeatureState.Enabled("test-arc", "first", 1))
                .with(new FeatureState.Enabled("test-arc", "second", 2))
                .withEnd(new FeatureState.ArcEnd("test-arc", 3, "if3-output"));

        GraphSnapshot snapshot = GraphBuilder.build(registry, features, 256, 1).snapshot();

        SlotPlan start = plan(snapshot, "start");
        assertEquals(List.of("end", "first", "second", "if3-output"), names(start, start.featureStartBySw[0]),
                "sw 0: nothing enabled; 1: first, then second; 2: second; 3: its own end");
        assertEquals("end", start.nextNames[start.featureStartDefault[0]], "an interface past the table: the default end");
        SlotPlan first = plan(snapshot, "first");
        assertEquals(List.of("end", "second", "second", "if3-output"), names(first, first.featureNextBySw));
        SlotPlan slow = plan(snapshot, "first-slow");
        assertEquals(names(first, first.featureNextBySw), names(slow, slow.featureNextBySw),
                "a slow path continues where its fast path stood");
        SlotPlan second = plan(snapshot, "second");
        assertEquals(List.of("end", "end", "end", "if3-output"), names(second, second.featureNextBySw));
        assertEquals("end", second.nextNames[second.featureNextDefault]);
        assertTrue(Arrays.stream(snapshot.plans).anyMatch(p -> p.name.equals("if3-output") && p.node == null),
                "an end nobody registered parks too");
    }

    @Test
    void anAbsentNodeKeepsItsSlotAndRegistrationAndIsReportedAsBeingReplaced() {
        TestNodes.Pass middle = new TestNodes.Pass("middle", "sink");
        registry.add(new TestNodes.Pass("source", "middle"));
        registry.add(middle);
        registry.add(new TestNodes.Sink("sink"));
        registry.add(new TestNodes.ArcStart("start", ARC));
        registry.add(new TestNodes.Feature("guard", FeatureRegistration.on("test-arc"), null, false));
        registry.add(new TestNodes.Sink("end"));
        registry.remove(middle);
        FeatureState features = FeatureState.EMPTY.with(new FeatureState.Enabled("test-arc", "guard", 0))
                .with(new FeatureState.Enabled("test-arc", "ghost", 0));

        GraphBuilder.Result built = GraphBuilder.build(registry, features, 256, 1);

        SlotPlan absent = plan(built.snapshot(), "middle");
        assertNull(absent.node);
        assertEquals("middle", absent.registration.name(), "its last registration, for node:list and the trace");
        assertEquals(0, absent.nextSlots.length, "an absent node runs nothing: no arcs");
        assertEquals(List.of(GraphBuilder.Cause.BEING_REPLACED, GraphBuilder.Cause.MISSING),
                built.problems().stream().map(GraphBuilder.Problem::cause).toList(), built.problems().toString());
        assertTrue(built.problems().get(0).text().startsWith("node 'source' next arc 0 'middle': node is being replaced"));
        assertTrue(built.problems().get(1).text().startsWith("feature 'ghost' enabled on arc 'test-arc' sw_if_index 0 "
                + "has no registered node"));
    }

    @Test
    void aFeatureOfAnArcNobodyStartsIsAProblem() {
        registry.add(new TestNodes.Feature("orphan", FeatureRegistration.on("no-arc"), null, false));
        GraphBuilder.Result built = GraphBuilder.build(registry, FeatureState.EMPTY, 256, 1);
        assertEquals(List.of(new GraphBuilder.Problem(GraphBuilder.Cause.MISSING,
                "node 'orphan': feature arc 'no-arc' is not started by any registered node")), built.problems());
        assertEquals(0, plan(built.snapshot(), "orphan").featureNextBySw.length);
    }
}
