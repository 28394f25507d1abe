package io.sluice.graph.runtime;

import io.sluice.graph.api.FeatureArc;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeRegistryTest {
    private final NodeRegistry registry = new NodeRegistry();

    @Test
    void aSlotIsGivenOnceAndKeptWhenItsNodeLeaves() {
        TestNodes.Pass first = new TestNodes.Pass("a", "b");
        registry.add(first);
        int slot = registry.slot("a");
        assertEquals(-1, registry.slot("b"), "naming a next node gives it no slot: the builder does that");
        assertEquals(NodeRegistry.ACTIVE, registry.state("a", registry.node(slot)));

        assertTrue(registry.remove(first));
        assertNull(registry.node(slot));
        assertEquals(slot, registry.slot("a"), "the slot stays, for the parked buffers and the replacement");
        assertEquals(NodeRegistry.ABSENT, registry.state("a", null));
        assertNotNull(registry.registration("a"), "the last registration is remembered");

        TestNodes.Pass second = new TestNodes.Pass("a", "b");
        registry.add(second);
        assertEquals(slot, registry.slot("a"));
        assertSame(second, registry.node(slot));
    }

    @Test
    void onlyTheInstanceHoldingTheSlotIsRemoved() {
        TestNodes.Pass old = new TestNodes.Pass("a", "b");
        TestNodes.Pass replacement = new TestNodes.Pass("a", "b");
        registry.add(old);
        registry.add(replacement);
        assertFalse(registry.remove(old), "the replacement registered before the old one left: it stays");
        assertSame(replacement, registry.node(registry.slot("a")));
    }

    @Test
    void aNameNothingRegisteredIsUnresolvedAndArcsComeFromTheirStartNodes() {
        int slot = registry.slotOf("later");
        assertEquals(slot, registry.slotOf("later"));
        assertEquals(NodeRegistry.UNRESOLVED, registry.state("later", null));
        assertFalse(registry.everRegistered("later"));

        FeatureArc arc = new FeatureArc("test-arc", "start", "end");
        registry.add(new TestNodes.ArcStart("start", arc));
        assertEquals(arc, registry.arc("test-arc"));
        assertEquals(1, registry.arcs().size());
    }
}
